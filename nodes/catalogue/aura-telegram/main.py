def run(ctx, items):
    token = ctx.credentials("bot")["token"]
    out = []
    for index in range(len(items)):
        p = ctx.params(index)
        body = {"chat_id": p["chat_id"], "text": p["text"]}
        if p.get("parse_mode"):
            body["parse_mode"] = p["parse_mode"]
        url = "{}/bot{}/sendMessage".format(p["base_url"].rstrip("/"), token)
        answer = ctx.http.post(url, json=body).json()
        if not answer.get("ok"):
            raise ValueError("Telegram: {}".format(answer.get("description", "request refused")))
        result = answer.get("result") or {}
        out.append(
            {
                "ok": True,
                "message_id": result.get("message_id"),
                "chat_id": (result.get("chat") or {}).get("id"),
            }
        )
    return out
