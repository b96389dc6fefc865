"""The Analytics page in a real browser (Chromium + Playwright) on a seeded set of
executions (tests/support/analytics_seed): the owner picks a project and reads its
figures; a member of one project sees only that project's figures, the executions chart
drawn, the slowest workflow first and the table re-sorted by a click; and each figure
equals what the analytics service computes for the same caller.

Uses the session's one production build (see conftest). Screenshots go to
AURA_SCREENSHOTS (analytics-owner, analytics-member).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from tests.studio.conftest import Studio, sign_in
from tests.support.analytics_seed import seed

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT = 60_000
PASSWORD = "Sturdy-Password-42"


def _card(page: Any, key: str) -> str:
    text = str(page.locator(f"#card-{key} .card-value").inner_text())
    return text.replace("\u00a0", " ").strip()


def _wait_card(page: Any, key: str, value: str) -> None:
    page.wait_for_function(
        "([k, v]) => { const e = document.querySelector(`#card-${k} .card-value`);"
        " return e && e.innerText.trim() === v; }",
        arg=[key, value],
        timeout=WAIT,
    )


def _pick(page: Any, trigger: str, option: str) -> None:
    page.click(trigger)
    page.get_by_role("option", name=option, exact=True).click()


def _chart_total(page: Any) -> int:
    tips = page.locator(".series-bar").evaluate_all(
        "bars => bars.map(b => b.getAttribute('data-tip'))"
    )
    return sum(int(re.search(r"UTC: ([\d,]+) execution", t)[1].replace(",", "")) for t in tips)


def test_analytics_by_project_and_role(
    page: Any, studio: Studio, browser: Any, owner_account: dict[str, str], shot: Any
) -> None:
    from engine.auth.sessions import principal_for_user
    from engine.services import auth
    from engine.services.analytics import get_analytics
    from engine.services.store import get_store

    tag = uuid.uuid4().hex[:6]
    ctx = auth.context()
    op = principal_for_user(ctx, ctx.store.users.by_email(owner_account["email"]))
    alpha = auth.create_project(op, f"Alpha {tag}").id
    beta = auth.create_project(op, f"Beta {tag}").id
    email = f"mia-{tag}@example.com"
    inv = auth.invite(op, email, "editor")
    mia = auth.accept_invitation(inv.token, PASSWORD, "Mia Member")
    auth.set_project_member(op, alpha, mia.id, "viewer")
    seed(get_store(), alpha, beta)

    # -- the owner: every project, then one ---------------------------------------------
    page.goto(f"{studio.url}/analytics")
    page.wait_for_selector("#card-executions .card-value", timeout=WAIT)
    assert page.locator("#nav-analytics").is_visible()
    everything = get_analytics(op)["totals"]["executions"]
    assert everything >= 9
    assert _card(page, "executions") == f"{everything:,}"
    assert _chart_total(page) == everything
    _pick(page, "#analytics-project", f"Beta {tag}")
    _wait_card(page, "executions", "3")
    assert _card(page, "failure-rate") == "100.0 %"
    assert page.locator(".failure-bar").first.inner_text().split()[0] == "core.send_email"
    _pick(page, "#analytics-project", f"Alpha {tag}")
    _wait_card(page, "executions", "6")
    assert _card(page, "llm") == "1,200 · $0.12"
    shot(page, "analytics-owner")

    # -- a member of Alpha only ----------------------------------------------------------
    # the member looks at 1280x720 in the dark theme: nothing scrolls sideways
    context = browser.new_context(viewport={"width": 1280, "height": 720}, color_scheme="dark")
    context.add_init_script("window.localStorage.setItem('theme', 'dark')")
    try:
        sign_in(context, studio, email, PASSWORD)
        member = context.new_page()
        member.goto(f"{studio.url}/analytics")
        _wait_card(member, "executions", "6")
        mine = get_analytics(principal_for_user(ctx, ctx.store.users.get(mia.id)))
        assert mine["totals"]["executions"] == 6
        assert not member.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        assert _card(member, "success-rate") == "83.3 %"
        assert _card(member, "failure-rate") == "16.7 %"
        assert _card(member, "duration") == "300 ms / 7.0 s"
        assert _card(member, "queue-wait") == "100 ms / 3.0 s"
        assert member.locator("#analytics-scope").inner_text() == "Your projects only"
        # the chart is drawn: its bars add up to the executions, and some have height
        assert _chart_total(member) == 6
        heights = member.locator(".series-bar > div").evaluate_all(
            "cols => cols.map(c => c.getBoundingClientRect().height)"
        )
        assert max(heights) > 100
        assert member.locator("#series-peak").inner_text() == (
            "Tallest bar: 6 executions in an hour"
        )
        rows = member.locator("#workflow-table .wf-row")
        assert rows.nth(0).inner_text().split("\t")[0].strip() == "Reports"
        assert "7.0 s" in rows.nth(0).inner_text()
        member.click("#sort-workflow")
        member.wait_for_function(
            "() => document.querySelector('#workflow-table .wf-row').innerText"
            ".startsWith('Orders')",
            timeout=WAIT,
        )
        bars = member.locator(".failure-bar").all_inner_texts()
        assert len(bars) == 1 and bars[0].split()[0] == "core.http_request"
        assert "1 of 4 runs" in bars[0]
        member.click("#analytics-project")
        options = member.get_by_role("option").all_inner_texts()
        assert f"Alpha {tag}" in options and f"Beta {tag}" not in options
        member.keyboard.press("Escape")
        shot(member, "analytics-member")
        member.locator("#llm-usage").scroll_into_view_if_needed()
        assert member.locator("#usage-table .usage-row").inner_text().split("\t")[0] == (
            "gpt-small"
        )
        waits = member.locator("#wait-table .wait-row").all_inner_texts()
        assert [w.split("\t")[0] for w in waits] == ["webhook", "schedule"]
        shot(member, "analytics-member-lower")
    finally:
        context.close()
