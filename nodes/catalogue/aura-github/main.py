def headers(ctx, required):
    out = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    try:
        token = ctx.credentials("token")["token"]
    except Exception:
        if required:
            raise
        token = ""
    if token:
        out["Authorization"] = "Bearer " + token
    return out


def check(resp):
    if not resp.ok:
        message = resp.json().get("message", resp.text[:200]) if resp.text else ""
        raise ValueError(f"GitHub answered HTTP {resp.status_code}: {message}")


def create_issue(ctx, items):
    hdrs = headers(ctx, True)
    out = []
    for index in range(len(items)):
        p = ctx.params(index)
        url = "{}/repos/{}/issues".format(p["base_url"].rstrip("/"), p["repository"])
        body = {"title": p["title"], "body": p["body"]}
        if p["labels"]:
            body["labels"] = p["labels"]
        resp = ctx.http.post(url, json=body, headers=hdrs)
        check(resp)
        issue = resp.json()
        out.append(
            {
                "number": issue.get("number"),
                "url": issue.get("html_url"),
                "title": issue.get("title"),
                "state": issue.get("state"),
            }
        )
    return out


def list_issues(ctx, items):
    p = ctx.params()
    hdrs = headers(ctx, False)
    url = "{}/repos/{}/issues".format(p["base_url"].rstrip("/"), p["repository"])
    out = []
    page = 1
    while len(out) < p["limit"]:
        per_page = min(100, p["limit"] - len(out))
        resp = ctx.http.get(
            url, headers=hdrs, params={"state": p["state"], "per_page": per_page, "page": page}
        )
        check(resp)
        batch = resp.json()
        for issue in batch:
            if "pull_request" in issue:
                continue
            out.append(
                {
                    "number": issue.get("number"),
                    "title": issue.get("title"),
                    "state": issue.get("state"),
                    "url": issue.get("html_url"),
                    "labels": [label.get("name") for label in issue.get("labels") or []],
                }
            )
        if len(batch) < per_page:
            break
        page += 1
    return out[: p["limit"]]
