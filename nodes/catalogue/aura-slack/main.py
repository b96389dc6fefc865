def run(ctx, items):
    token = ctx.credentials("token")["token"]
    out = []
    for index in range(len(items)):
        p = ctx.params(index)
        body = {"channel": p["channel"], "text": p["text"]}
        if p.get("username"):
            body["username"] = p["username"]
        url = p["base_url"].rstrip("/") + "/chat.postMessage"
        resp = ctx.http.post(url, json=body, headers={"Authorization": "Bearer " + token})
        answer = resp.json()
        if not answer.get("ok"):
            raise ValueError("Slack refused the message: " + str(answer.get("error")))
        out.append({"ok": True, "channel": answer.get("channel"), "ts": answer.get("ts")})
    ctx.log.info(f"posted {len(out)} message(s) to Slack")
    return out
