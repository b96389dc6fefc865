"""The first-party catalogue, built from nodes/catalogue with the CLI as a maintainer
would, installed offline, each package run against a local server speaking its
service's wire format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.sdk.testing import NodeHarness
from tests.marketplace._services import GITHUB_TOKEN, SLACK_TOKEN, TELEGRAM_TOKEN, FakeServices

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p for p in (REPO / "nodes" / "catalogue").iterdir() if p.is_dir())
runner = CliRunner()


def aura(*args: str) -> Any:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result


@pytest.fixture
def installed(store: Any, tmp_path: Path) -> Iterator[FakeServices]:
    """Key made, catalogue published and trusted, every package installed from the
    folder, the fake services' host granted to each package."""
    keys = tmp_path / "keys" / "aura"
    keys.parent.mkdir()
    assert aura("packages", "keygen", str(keys)).exit_code == 0
    cat = tmp_path / "catalogue"
    r = aura(
        "packages",
        "publish",
        *map(str, PACKAGES),
        "--catalogue",
        str(cat),
        "--key",
        f"{keys}.pem",
        "--signer",
        "aura",
        "--name",
        "AURA first-party",
    )
    assert r.exit_code == 0, r.output
    assert aura("packages", "trust", "add", "aura", f"{keys}.pub.pem").exit_code == 0
    assert aura("packages", "source", "add", "first-party", str(cat)).exit_code == 0
    r = aura("packages", "search", "--json")
    assert r.exit_code == 0, r.output
    with FakeServices() as fake:
        for pkg in (
            "aura/slack",
            "aura/discord",
            "aura/telegram",
            "aura/github",
            "aura/text-utils",
        ):
            r = aura("packages", "install", pkg)
            assert r.exit_code == 0, r.output
            if pkg != "aura/text-utils":
                assert aura("packages", "grant-hosts", pkg, fake.host).exit_code == 0
        yield fake


def test_the_catalogue_has_five_signed_packages(store: Any, tmp_path: Path) -> None:
    assert len(PACKAGES) >= 5


def test_slack_message(installed: FakeServices) -> None:
    h = NodeHarness("aura.slack_message")
    res = h.run(
        parameters={
            "channel": "#alerts",
            "text": "Deploy {{ $json.v }} done",
            "base_url": installed.url + "/slack/api",
        },
        input=[{"v": "1.2"}],
        credentials={"token": {"token": SLACK_TOKEN}},
    )
    assert res.error is None, res.error
    assert res.json() == [{"ok": True, "channel": "C024BE91L", "ts": "1700000000.000100"}]
    sent = installed.received[-1]
    assert sent["body"] == {"channel": "#alerts", "text": "Deploy 1.2 done"}
    assert sent["auth"] == f"Bearer {SLACK_TOKEN}"
    bad = h.run(
        parameters={"channel": "#a", "text": "x", "base_url": installed.url + "/slack/api"},
        input=[{}],
        credentials={"token": {"token": "xoxb-bad"}},
    )
    assert bad.error is not None and "invalid_auth" in bad.error.message


def test_discord_message(installed: FakeServices) -> None:
    h = NodeHarness("aura.discord_message")
    hook = installed.url + "/api/webhooks/123/tok-en"
    res = h.run(
        parameters={"content": "hello {{ $json.name }}", "username": "AURA"},
        input=[{"name": "Ada"}],
        credentials={"webhook": {"key": hook}},
    )
    assert res.error is None, res.error
    assert res.json() == [{"ok": True, "id": "1181", "channel_id": "8675309"}]
    assert installed.received[-1]["body"] == {"content": "hello Ada", "username": "AURA"}
    limited = h.run(
        parameters={"content": "x"},
        input=[{}],
        credentials={"webhook": {"key": installed.url + "/api/webhooks/1/limited"}},
    )
    assert limited.error is not None and "retry after 1.5 s" in limited.error.message


def test_telegram_message(installed: FakeServices) -> None:
    h = NodeHarness("aura.telegram_message")
    res = h.run(
        parameters={"chat_id": 42, "text": "hi", "base_url": installed.url},
        input=[{}],
        credentials={"bot": {"token": TELEGRAM_TOKEN}},
    )
    assert res.error is None, res.error
    assert res.json() == [{"ok": True, "message_id": 7, "chat_id": 42}]
    bad = h.run(
        parameters={"chat_id": 7, "text": "hi", "base_url": installed.url},
        input=[{}],
        credentials={"bot": {"token": TELEGRAM_TOKEN}},
    )
    assert bad.error is not None and "chat not found" in bad.error.message


def test_github_issues(installed: FakeServices) -> None:
    create = NodeHarness("aura.github_create_issue")
    res = create.run(
        parameters={
            "repository": "o/r",
            "title": "{{ $json.t }}",
            "body": "b",
            "labels": ["bug"],
            "base_url": installed.url,
        },
        input=[{"t": "Broken"}],
        credentials={"token": {"token": GITHUB_TOKEN}},
    )
    assert res.error is None, res.error
    assert res.json()[0]["title"] == "Broken" and res.json()[0]["state"] == "open"
    assert installed.received[-1]["body"] == {"title": "Broken", "body": "b", "labels": ["bug"]}
    listing = NodeHarness("aura.github_list_issues").run(
        parameters={"repository": "o/r", "limit": 120, "base_url": installed.url}, input=[{}]
    )
    assert listing.error is None, listing.error
    rows = listing.json()
    assert len(rows) == 120 and 999 not in {r["number"] for r in rows}
    assert rows[0] == {
        "number": 1,
        "title": "Issue 1",
        "state": "open",
        "url": "https://github.example/o/r/issues/1",
        "labels": ["bug"],
    }
    pages = [r["query"]["page"][0] for r in installed.received if r["method"] == "GET"]
    assert pages == ["1", "2"]


def test_text_utilities(installed: FakeServices) -> None:
    res = NodeHarness("aura.slugify").run(parameters={}, input=[{"title": "Hello, Wörld!"}])
    assert res.json() == [{"title": "Hello, Wörld!", "slug": "hello-world"}]


def test_without_the_host_grant_the_real_host_only(installed: FakeServices) -> None:
    assert aura("packages", "grant-hosts", "aura/slack").exit_code == 0
    res = NodeHarness("aura.slack_message").run(
        parameters={"channel": "#a", "text": "x", "base_url": installed.url + "/slack/api"},
        input=[{}],
        credentials={"token": {"token": SLACK_TOKEN}},
    )
    assert res.error is not None and "(slack.com)" in res.error.message
