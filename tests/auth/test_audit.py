"""The audit log: who did what, filtered, paged and exported."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from types import ModuleType

import pytest

from engine.auth.types import Principal
from engine.errors import AuthenticationError, PermissionDenied
from tests.auth.conftest import OWNER_EMAIL, Clock, add_user


def test_logins_failures_and_changes_are_recorded(auth: ModuleType, owner: Principal) -> None:
    with pytest.raises(AuthenticationError):
        auth.login(OWNER_EMAIL, "Wrong-password-1", ip="203.0.113.9")
    ed = add_user(auth, owner, "ed@example.com", "editor")
    auth.set_role(owner, ed.user_id, "viewer")
    auth.record_audit(owner, "workflow.activated", "workflow", "wf1", {"active": True},
                      "198.51.100.2")
    actions = [e.action for e in auth.audit_log(owner)]
    for expected in ("user.owner_created", "user.login", "user.login_failed",
                     "user.invited", "user.invitation_accepted", "user.role_changed",
                     "workflow.activated"):
        assert expected in actions
    assert actions[0] == "workflow.activated"  # newest first
    failed = auth.audit_log(owner, action="user.login_failed")[0]
    assert failed.ip == "203.0.113.9" and failed.details["email"] == OWNER_EMAIL


def test_filters_and_paging(auth: ModuleType, owner: Principal, clock: Clock) -> None:
    for i in range(5):
        auth.record_audit(owner, "credential.updated", "credential", f"c{i % 2}")
        clock.advance(minutes=1)
    assert len(auth.audit_log(owner, action="credential.*")) == 5
    assert len(auth.audit_log(owner, target_type="credential", target_id="c0")) == 3
    page1 = auth.audit_log(owner, action="credential.updated", limit=2)
    page2 = auth.audit_log(owner, action="credential.updated", limit=2, offset=2)
    assert len(page1) == 2 and len(page2) == 2 and not {e.id for e in page1} & {
        e.id for e in page2}
    since = clock.now - timedelta(minutes=2, seconds=30)
    assert len(auth.audit_log(owner, action="credential.*", since=since)) == 2
    assert auth.audit_log(owner, actor_id="nobody") == []


def test_details_never_keep_secrets(auth: ModuleType, owner: Principal) -> None:
    auth.record_audit(owner, "credential.created", "credential", "c1",
                      {"name": "db", "password": "hunter2-secret",
                       "nested": {"token": "tok-123", "user": "ada"}})
    [e] = auth.audit_log(owner, action="credential.created")
    assert e.details == {"name": "db", "password": "***",
                         "nested": {"token": "***", "user": "ada"}}


def test_only_admins_read_and_export(auth: ModuleType, owner: Principal) -> None:
    ed = add_user(auth, owner, "ed@example.com", "editor")
    with pytest.raises(PermissionDenied):
        auth.audit_log(ed)
    with pytest.raises(PermissionDenied):
        auth.export_audit(ed)


def test_export_as_json_lines_and_csv(auth: ModuleType, owner: Principal) -> None:
    auth.record_audit(owner, "workflow.updated", "workflow", "w1", {"name": "=cmd|x"})
    auth.record_audit(None, "system.started", details={"version": "1"})
    lines = "".join(auth.export_audit(owner, "jsonl")).splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["action"] for e in events][:3] == ["user.owner_created", "user.login",
                                                 "workflow.updated"]
    assert events[2]["details"] == {"name": "=cmd|x"}
    rows = list(csv.DictReader(io.StringIO("".join(auth.export_audit(
        owner, "csv", action="workflow.*")))))
    assert len(rows) == 1 and rows[0]["target_id"] == "w1"
    assert json.loads(rows[0]["details"]) == {"name": "=cmd|x"}
    assert auth.audit_log(owner, action="audit.exported")
