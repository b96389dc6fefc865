"""Admin > Audit log state: filters by actor, action, target and dates; paging; CSV and
JSONL exports of what the filters match."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from engine.errors import ValidationError
from studio.state.admin_audit import PAGE_SIZE, AdminAuditState, audit_filters
from tests.studio.admin_support import (
    Instance,
    call,
    instance_fixture,  # noqa: F401 (the fixture)
    make,
)


def _download_text(result: object) -> str:
    """The data of an ``rx.download`` (a data: URL inside the returned event)."""
    import base64
    import re
    import urllib.parse

    text = str(result)
    m = re.search(r"data:[^,\"']*;base64,([A-Za-z0-9+/=]+)", text)
    if m:
        return base64.b64decode(m.group(1)).decode()
    m = re.search(r"data:[^,\"']*,([^\"']+)", text)
    assert m, text[:500]
    return urllib.parse.unquote(m.group(1))


def test_filters_from_the_form() -> None:
    assert audit_filters("any", "", "any", "", "", "") == {}
    f = audit_filters("u1", "user", "user", " abc ", "2026-11-01", "2026-11-02")
    assert f == {"actor_id": "u1", "action": "user.*", "target_type": "user",
                 "target_id": "abc", "since": datetime(2026, 11, 1, tzinfo=UTC),
                 "until": datetime(2026, 11, 3, tzinfo=UTC)}
    assert audit_filters("any", "user.invited", "any", "", "", "")["action"] == "user.invited"
    with pytest.raises(ValidationError, match="date like"):
        audit_filters("any", "", "any", "", "yesterday", "")
    with pytest.raises(ValidationError, match="before 'From'"):
        audit_filters("any", "", "any", "", "2026-11-05", "2026-11-01")


def test_filter_page_and_export(instance: Instance) -> None:
    ed = instance.user("ed@example.com", "editor")
    instance.auth.set_role(instance.acting, ed.id, "viewer")
    as_ed = instance.principal(ed.id)
    for n in range(PAGE_SIZE + 5):
        instance.auth.record_audit(as_ed, "workflow.updated", "workflow", f"wf{n}")
    s = make(AdminAuditState)
    call(s, "load")
    assert s.allowed and len(s.rows) == PAGE_SIZE and s.has_more
    assert {a["email"] for a in s.actors} == {"owner@example.com", "ed@example.com"}
    assert s.rows[0]["action"] == "workflow.updated"  # newest first
    call(s, "older")
    assert s.offset == PAGE_SIZE and not s.has_more
    assert "user.role_changed" in [r["action"] for r in s.rows]
    call(s, "newer")
    assert s.offset == 0

    call(s, "apply_text", {"action": "user", "target_id": ""})
    assert {r["action"] for r in s.rows} >= {"user.role_changed", "user.invited"}
    assert all(r["action"].startswith("user.") for r in s.rows)
    call(s, "set_actor", ed.id)
    assert {r["action"] for r in s.rows} == {"user.invitation_accepted"}
    call(s, "set_actor", instance.owner.id)
    call(s, "set_target_type", "user")
    call(s, "apply_text", {"action": "user.role_changed", "target_id": ed.id})
    assert len(s.rows) == 1 and s.rows[0]["actor"] == "owner@example.com"
    assert json.loads(s.rows[0]["details"]) == {"from": "editor", "to": "viewer"}

    csv_text = _download_text(call(s, "export", "csv"))
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [(r["action"], r["target_id"]) for r in rows] == [("user.role_changed", ed.id)]

    call(s, "clear")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    call(s, "set_since", tomorrow)
    assert s.rows == [] and s.page_label == "No events"
    call(s, "set_until", "2020-01-01")
    assert "before 'From'" in s.error
    call(s, "clear")
    lines = _download_text(call(s, "export", "jsonl")).splitlines()
    assert len(lines) >= PAGE_SIZE + 5
    assert json.loads(lines[0])["action"] == "user.owner_created"  # oldest first
    assert instance.auth.audit_log(instance.acting, action="audit.exported")


def test_non_admin_cannot_read_or_export(instance: Instance) -> None:
    ed = instance.user("ed@example.com", "editor")
    instance.act_as(ed.id)
    s = make(AdminAuditState)
    call(s, "load")
    assert not s.allowed and s.rows == []
    assert "You need the admin role" in str(call(s, "export", "csv"))
