"""Analytics computed by the database, the same on SQLite and PostgreSQL (its sessions in
a non-UTC time zone): counts per hour and status, failure rates, p50/p95 durations per
workflow and node type, the most failing nodes; and the API that serves them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.observability.analytics import Period, analytics
from engine.store import Store, metadata
from engine.store.models import Execution, NodeRun
from engine.store.models_auth import Project
from tests.support.postgres import postgres_database

DAY = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def _pg_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'aura.db'}")
    else:
        from sqlalchemy import text

        s = Store(request.getfixturevalue("_pg_url"))
        names = ", ".join(t.name for t in metadata.sorted_tables)
        with s.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE TABLE {names} CASCADE"))
    yield s
    s.close()


def _run(
    s: Any,
    wid: str,
    name: str,
    hour: float,
    status: str,
    ms: float | None,
    nodes: list[tuple[str, str, str, float]] = (),  # type: ignore[assignment]
) -> None:
    created = DAY + timedelta(hours=hour)
    started = created + timedelta(seconds=1) if ms is not None else None
    finished = (
        started + timedelta(milliseconds=ms) if started is not None and ms is not None else None
    )
    ex = Execution(
        workflow_id=wid,
        workflow_name=name,
        status=status,
        created_at=created,
        started_at=started,
        finished_at=finished if status != "running" else None,
    )
    s.add(ex)
    s.flush()
    for node, node_type, node_status, node_ms in nodes:
        at = started or created
        s.add(
            NodeRun(
                execution_id=ex.id,
                node_name=node,
                node_type=node_type,
                status=node_status,
                started_at=at,
                finished_at=at + timedelta(milliseconds=node_ms),
            )
        )


def _fill(store: Store) -> None:
    start = ("Start", "core.manual_trigger", "succeeded", 10.0)
    with store.db.write() as s:
        for i in range(1, 11):  # Orders at 02:xx: 100..1000 ms, the last two failed
            failed = i > 8
            charge = ("Charge", "core.http_request", "failed" if failed else "succeeded", 50.0)
            _run(
                s,
                "wa",
                "Orders",
                2 + i / 100,
                "failed" if failed else "succeeded",
                100.0 * i,
                [start, charge],
            )
        _run(s, "wb", "Mail", 5.1, "succeeded", 200.0)
        _run(s, "wb", "Mail", 5.2, "failed", 300.0, [("Send", "core.send_email", "failed", 5.0)])
        _run(s, "wb", "Mail", 5.3, "crashed", 400.0, [("Send", "core.send_email", "crashed", 7.0)])
        _run(s, "wb", "Mail", 5.4, "cancelled", None)
        _run(s, "wb", "Mail", 11.5, "running", 0.0)
        _run(s, "wa", "Orders", -3, "failed", 5000.0)  # the day before: outside


def test_figures_are_computed_by_the_database(store: Store) -> None:
    _fill(store)
    period = Period.of(DAY, DAY + timedelta(hours=12), None)
    got = analytics(store, period)

    assert got["period"]["bucket"] == "hour"
    totals = got["totals"]
    assert totals["executions"] == 15
    assert totals["by_status"] == {
        "succeeded": 9,
        "failed": 3,
        "crashed": 1,
        "cancelled": 1,
        "running": 1,
    }
    assert totals["failed"] == 4 and totals["failure_rate"] == round(4 / 14, 4)
    # 13 finished with a duration: 100..1000, 200, 300, 400 -> nearest-rank p50 400, p95 1000
    assert totals["p50_ms"] == pytest.approx(400, abs=1) and totals["p95_ms"] == pytest.approx(
        1000, abs=1
    )

    series = got["series"]
    assert len(series) == 12 and series[0]["t"] == DAY.isoformat()
    assert [b["total"] for b in series] == [0, 0, 10, 0, 0, 4, 0, 0, 0, 0, 0, 1]
    assert series[2]["by_status"] == {"succeeded": 8, "failed": 2}
    assert series[5]["by_status"] == {"succeeded": 1, "failed": 1, "crashed": 1, "cancelled": 1}

    orders, mail = got["workflows"]
    assert orders["workflow_name"] == "Orders" and orders["executions"] == 10
    assert orders["failed"] == 2 and orders["failure_rate"] == 0.2
    assert orders["p50_ms"] == pytest.approx(500, abs=1)
    assert orders["p95_ms"] == pytest.approx(1000, abs=1)
    assert mail["executions"] == 5 and mail["failed"] == 2 and mail["failure_rate"] == 0.5
    assert mail["p50_ms"] == pytest.approx(300, abs=1)

    types = {t["node_type"]: t for t in got["node_types"]}
    assert types["core.manual_trigger"]["runs"] == 10
    assert types["core.manual_trigger"]["failure_rate"] == 0
    assert types["core.manual_trigger"]["p50_ms"] == pytest.approx(10, abs=1)
    assert types["core.http_request"]["failed"] == 2
    assert types["core.send_email"]["failure_rate"] == 1.0
    assert types["core.send_email"]["p95_ms"] == pytest.approx(7, abs=1)

    assert [(n["workflow_name"], n["node"], n["failures"]) for n in got["failing_nodes"]] == [
        ("Orders", "Charge", 2),
        ("Mail", "Send", 2),
    ]

    only_mail = analytics(store, period, workflow_id="wb")
    assert only_mail["totals"]["executions"] == 5
    assert [w["workflow_id"] for w in only_mail["workflows"]] == ["wb"]
    by_day = analytics(store, Period.of(DAY - timedelta(days=1), DAY + timedelta(days=1), "day"))
    assert [b["total"] for b in by_day["series"]] == [1, 15]
    minutes = analytics(
        store, Period.of(DAY + timedelta(hours=5), DAY + timedelta(hours=6), "minute")
    )
    assert len(minutes["series"]) == 60
    assert [(b["t"][11:16], b["total"]) for b in minutes["series"] if b["total"]] == [
        ("05:06", 1),
        ("05:12", 1),
        ("05:18", 1),
        ("05:24", 1),
    ]


def _waited(s: Any, project: str, mode: str, wait_ms: float | None) -> None:
    created = DAY + timedelta(hours=3)
    started = None if wait_ms is None else created + timedelta(milliseconds=wait_ms)
    s.add(
        Execution(
            workflow_id=f"w{project}",
            workflow_name=f"Flow {project}",
            status="queued" if started is None else "succeeded",
            mode=mode,
            project_id=project,
            created_at=created,
            started_at=started,
            finished_at=None if started is None else started + timedelta(milliseconds=5),
        )
    )


def test_queue_wait_llm_usage_and_project_scope(store: Store) -> None:
    from engine.store.models_agents import UsageEntry

    with store.db.write() as s:
        for p in ("pa", "pb"):
            s.add(Project(id=p, name=p))
        for wait in (100.0, 200.0, 300.0, 400.0):
            _waited(s, "pa", "webhook", wait)
        _waited(s, "pa", "manual", 1000.0)
        _waited(s, "pa", "webhook", None)  # still queued: no wait measured yet
        _waited(s, "pb", "manual", 9000.0)
        at = DAY + timedelta(hours=3)
        for project, model, tin, tout, cost in (
            ("pa", "gpt-small", 100, 20, 0.25),
            ("pa", "gpt-small", 50, 30, 0.5),
            ("pa", "claude-mini", 10, 5, 0.125),
            ("pb", "gpt-small", 999, 999, 9.0),
            ("pa", "gpt-small", 7, 7, 7.0),  # the day before: outside
        ):
            s.add(
                UsageEntry(
                    project_id=project,
                    workflow_id=f"w{project}",
                    model=model,
                    tokens_in=tin,
                    tokens_out=tout,
                    cost=cost,
                    created_at=at if cost != 7.0 else DAY - timedelta(hours=1),
                )
            )
    period = Period.of(DAY, DAY + timedelta(hours=12), None)

    mine = analytics(store, period, project_ids=["pa"])
    assert mine["totals"]["executions"] == 6
    wait = mine["queue_wait"]
    # started ones: 100, 200, 300, 400, 1000 -> nearest-rank p50 300, p95 1000
    assert wait["executions"] == 5
    assert wait["p50_ms"] == pytest.approx(300, abs=1)
    assert wait["p95_ms"] == pytest.approx(1000, abs=1)
    assert wait["max_ms"] == pytest.approx(1000, abs=1)
    modes = {m["mode"]: m for m in wait["modes"]}
    assert modes["webhook"]["executions"] == 4
    assert modes["webhook"]["p95_ms"] == pytest.approx(400, abs=1)
    assert modes["manual"]["p50_ms"] == pytest.approx(1000, abs=1)
    llm = mine["llm"]
    assert (llm["calls"], llm["tokens_in"], llm["tokens_out"], llm["cost"]) == (3, 160, 55, 0.875)
    assert [(m["model"], m["calls"], m["cost"]) for m in llm["models"]] == [
        ("gpt-small", 2, 0.75),
        ("claude-mini", 1, 0.125),
    ]

    everything = analytics(store, period)
    assert everything["totals"]["executions"] == 7
    assert everything["queue_wait"]["max_ms"] == pytest.approx(9000, abs=1)
    assert everything["llm"]["cost"] == 9.875
    assert analytics(store, period, project_ids=[])["llm"]["calls"] == 0
    assert analytics(store, period, project_id="pb")["queue_wait"]["executions"] == 1


def test_a_period_that_makes_no_sense_is_refused() -> None:
    from engine.errors import ValidationError

    with pytest.raises(ValidationError, match="before until"):
        Period.of(DAY, DAY - timedelta(hours=1), None)
    with pytest.raises(ValidationError, match="shorter"):
        Period.of(DAY - timedelta(days=400), DAY, "hour")
    assert Period.of(DAY - timedelta(days=10), DAY, None).bucket == "day"


def test_the_api_serves_everything_to_admins_and_members_their_projects(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    from engine.auth.passwords import PasswordHasher
    from engine.services.store import get_store
    from studio.api import create_app
    from tests.observability.test_metrics import OWNER
    from tests.support.fixtures import reset_process_state

    monkeypatch.setenv("AURA_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_process_state()
    try:
        with TestClient(create_app(runtime="inline", auth=True)) as c:
            token = c.post("/api/v1/auth/setup", json=OWNER).json()["access_token"]
            _fill(get_store())
            params = {"since": DAY.isoformat(), "until": (DAY + timedelta(hours=12)).isoformat()}
            r = c.get(
                "/api/v1/analytics", params=params, headers={"Authorization": f"Bearer {token}"}
            )
            assert r.status_code == 200, r.text
            assert r.json() == analytics(
                get_store(), Period.of(DAY, DAY + timedelta(hours=12), None)
            )
            bad = c.get(
                "/api/v1/analytics",
                params={"since": params["until"], "until": params["since"]},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert bad.status_code == 422 and "before until" in bad.json()["message"]
            hasher = PasswordHasher(time_cost=1, memory_kib=1024, parallelism=1)
            get_store().users.create(
                "ed@example.com", password_hash=hasher.hash("editor pass phrase 1"), role="editor"
            )
            editor = c.post(
                "/api/v1/auth/login",
                json={"email": "ed@example.com", "password": "editor pass phrase 1"},
            ).json()["access_token"]
            as_editor = {"Authorization": f"Bearer {editor}"}
            r = c.get("/api/v1/analytics", params=params, headers=as_editor)
            assert r.status_code == 200, r.text  # a member of no project: nothing of theirs
            assert r.json()["totals"]["executions"] == 0
            r = c.get("/api/v1/analytics", params={"project_id": "elsewhere"}, headers=as_editor)
            assert r.status_code == 404 and "No project" in r.json()["message"]
    finally:
        reset_process_state()


def _shared_world(s: Any) -> None:
    """Project pa owns workflow W, shared into pb; Ann is a member of pa, Bob of pb, Cy
    of pc (which W is not shared into); pb has its own workflow X."""
    from engine.store.models_agents import UsageEntry
    from engine.store.models_auth import ProjectMember, ResourceShare, User

    for p in ("pa", "pb", "pc"):
        s.add(Project(id=p, name=p))
    for uid, project in (("ann", "pa"), ("bob", "pb"), ("cy", "pc")):
        s.add(User(id=uid, email=f"{uid}@example.com"))
        s.flush()
        s.add(ProjectMember(project_id=project, user_id=uid, role="editor"))
    s.add(ResourceShare(resource_type="workflow", resource_id="W", project_id="pb"))
    s.flush()
    at = DAY + timedelta(hours=4)
    runs = (  # workflow, its project, principal kind, user, status
        ("W", "pa", "user", "ann", "succeeded"),
        ("W", "pa", "project", None, "succeeded"),  # its webhook or schedule
        ("W", "pa", "user", "bob", "failed"),  # Bob runs it from pb, where it is shared
        ("W", "pa", "api_key", "bob", "succeeded"),  # ... and with his API key
        ("W", "pa", "user", "cy", "succeeded"),  # not through pb's share
        ("X", "pb", "user", "bob", "succeeded"),
    )
    for i, (wid, project, kind, user, status) in enumerate(runs):
        ex = Execution(
            workflow_id=wid,
            workflow_name=wid,
            status=status,
            project_id=project,
            principal_kind=kind,
            principal_user_id=user,
            created_at=at + timedelta(minutes=i),
            started_at=at + timedelta(minutes=i),
            finished_at=at + timedelta(minutes=i, seconds=1),
        )
        s.add(ex)
        s.flush()
        s.add(
            UsageEntry(
                execution_id=ex.id,
                workflow_id=wid,
                project_id=project,
                model="m",
                tokens_in=10**i,
                created_at=at,
            )
        )


def test_runs_of_a_shared_workflow_count_in_the_project_that_ran_them(store: Store) -> None:
    """A member of the project a workflow is shared into sees, in that project's
    analytics, the runs its members started (in person or by API key), with their LLM
    usage; the owner's project still counts every run of its workflow; all projects
    together count each run once."""
    with store.db.write() as s:
        _shared_world(s)
    period = Period.of(DAY, DAY + timedelta(hours=12), None)

    shared_into = analytics(store, period, project_id="pb")
    assert shared_into["totals"]["executions"] == 3
    assert shared_into["totals"]["by_status"] == {"succeeded": 2, "failed": 1}
    by_wf = {w["workflow_id"]: (w["executions"], w["failed"]) for w in shared_into["workflows"]}
    assert by_wf == {"W": (2, 1), "X": (1, 0)}
    assert shared_into["llm"]["tokens_in"] == 10**2 + 10**3 + 10**5
    assert analytics(store, period, project_ids=["pb"])["totals"] == shared_into["totals"]
    only_w = analytics(store, period, project_id="pb", workflow_id="W")
    assert only_w["totals"]["executions"] == 2 and only_w["llm"]["tokens_in"] == 1100

    owner = analytics(store, period, project_id="pa")
    assert owner["totals"]["executions"] == 5
    assert [(w["workflow_id"], w["executions"]) for w in owner["workflows"]] == [("W", 5)]
    assert owner["llm"]["tokens_in"] == 1 + 10 + 100 + 1000 + 10**4

    assert analytics(store, period, project_id="pc")["totals"]["executions"] == 0
    assert analytics(store, period, project_ids=["pa", "pb"])["totals"]["executions"] == 6
    everything = analytics(store, period)
    assert everything["totals"]["executions"] == 6
    assert everything["llm"]["tokens_in"] == 111111


def test_a_member_sees_the_runs_of_a_shared_workflow_in_their_project(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real runs through the one execution path: Bob, an editor of Beta, runs a workflow
    of Alpha shared into Beta; Beta's analytics (his, and the owner's view of Beta) count
    his run, Alpha's count it and the owner's own run; Ann, a member of Alpha only, sees
    both runs in her projects."""
    from engine.auth.sessions import principal_for_user
    from engine.services import auth
    from engine.services.analytics import get_analytics
    from engine.services.execution_start import RunSpec, start
    from engine.services.principals import RunAs
    from engine.services.store import get_store
    from tests.store.factories import make_workflow
    from tests.support.fixtures import reset_process_state

    monkeypatch.delenv("AURA_REDIS_URL", raising=False)
    monkeypatch.setenv("AURA_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_process_state()
    try:
        ctx = auth.context()
        store = get_store()
        auth.create_owner("owner@example.com", "Correct horse battery 9")
        op = principal_for_user(ctx, store.users.by_email("owner@example.com"))
        alpha = auth.create_project(op, "Alpha").id
        beta = auth.create_project(op, "Beta").id
        ann = store.users.create("ann@example.com", password_hash=None, role="editor")
        bob = store.users.create("bob@example.com", password_hash=None, role="editor")
        auth.set_project_member(op, alpha, ann.id, "editor")
        auth.set_project_member(op, beta, bob.id, "editor")
        wf = store.workflows.create(make_workflow("Shared"), project_id=alpha)
        auth.share(op, "workflow", wf.id, beta)

        def run(user: Any) -> None:
            who = principal_for_user(ctx, store.users.get(user.id))
            spec = RunSpec(principal=RunAs.caller(who), workflow_id=wf.id, runtime="inline")
            assert start(spec).result(timeout=60).status == "succeeded"

        run(bob)
        run(ann)
        as_bob = principal_for_user(ctx, store.users.get(bob.id))
        as_ann = principal_for_user(ctx, store.users.get(ann.id))
        assert get_analytics(as_bob, project_id=beta)["totals"]["executions"] == 1
        assert get_analytics(as_bob)["workflows"][0]["workflow_name"] == "Shared"
        assert get_analytics(op, project_id=beta)["totals"]["executions"] == 1
        assert get_analytics(op, project_id=alpha)["totals"]["executions"] == 2
        assert get_analytics(as_ann)["totals"]["executions"] == 2
        assert get_analytics(op)["totals"]["executions"] == 2
    finally:
        reset_process_state()
