def run(ctx, items):
    url = ctx.credentials("webhook")["key"]
    if "?" not in url:
        url = url + "?wait=true"
    out = []
    for index in range(len(items)):
        p = ctx.params(index)
        body = {"content": p["content"]}
        if p.get("username"):
            body["username"] = p["username"]
        resp = ctx.http.post(url, json=body)
        if resp.status_code == 429:
            wait = resp.json().get("retry_after")
            raise ValueError(f"Discord rate limit: retry after {wait} s")
        if not resp.ok:
            raise ValueError(f"Discord answered HTTP {resp.status_code}: {resp.text[:200]}")
        answer = resp.json() if resp.text else {}
        out.append({"ok": True, "id": answer.get("id"), "channel_id": answer.get("channel_id")})
    return out
