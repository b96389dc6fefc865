"""Who acts in the studio (no browser): the login check of every page reads the session
cookie of the websocket handshake, each action re-reads the user (disabled accounts and
ended sessions are kicked out, role changes apply), and every studio action is
role-checked like the HTTP API (a viewer reads, never writes)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.errors import AuthenticationError, NotFoundError, PermissionDenied

OWNER = ("owner@example.com", "Correct-Horse-7", "Olive Owner")
PASSWORD = "Sturdy-Password-42"
SIMPLE = {"name": "Report", "nodes": [
    {"name": "Start", "type": "core.manual_trigger", "position": [0, 0]}], "connections": []}


@pytest.fixture
def auth(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``engine.services.auth`` on a fresh store with an owner (cheap hashing)."""
    from engine.auth.ratelimit import LocalRateLimiter
    from engine.config import reset_settings
    from engine.services import auth as service
    from engine.services.store import reset_store

    for key, value in (("TIME_COST", "1"), ("MEMORY_KIB", "1024"), ("PARALLELISM", "1")):
        monkeypatch.setenv(f"AURA_PASSWORD_HASH_{key}", value)
    monkeypatch.setenv("AURA_STUDIO_URL", "http://127.0.0.1:3001")  # the page's origin
    reset_settings()
    reset_store()
    service.reset()
    LocalRateLimiter.clear_all()
    service.create_owner(*OWNER)
    yield service
    service.reset()
    reset_store()


def _tokens(auth: Any, email: str, password: str) -> dict[str, Any]:
    result = auth.login(email, password)
    assert result.tokens is not None
    return dict(result.tokens.to_dict())


def _user(auth: Any, role: str) -> tuple[Any, dict[str, Any]]:
    """A new user with ``role``: (their principal, their tokens)."""
    owner = auth.principal_from_access_token(_tokens(auth, OWNER[0], OWNER[1])["access_token"])
    inv = auth.invite(owner, f"{role}@example.com", role)
    auth.accept_invitation(inv.token, PASSWORD, role.title())
    tokens = _tokens(auth, f"{role}@example.com", PASSWORD)
    return auth.principal_from_access_token(tokens["access_token"]), tokens


def _owner(auth: Any) -> Any:
    return auth.principal_from_access_token(_tokens(auth, OWNER[0], OWNER[1])["access_token"])


def _page_state(cookie: str, path: str = "/workflows?x=1",
                origin: str = "http://127.0.0.1:3001") -> Any:
    """An AuthState as a page load sees it: the websocket handshake's headers (the page
    on port 3001, the backend on 8001)."""
    from reflex.istate.data import RouterData  # noqa: TID251 (the studio's own state)
    from reflex.state import State  # noqa: TID251

    from studio.auth import AuthState

    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    root.router = RouterData.from_router_data({
        "headers": {"cookie": cookie, "host": "127.0.0.1:8001",
                    "origin": origin},
        "pathname": path.split("?")[0], "asPath": path})
    return root.substates[AuthState.get_name()]


def _script(event: Any) -> str:
    """The JavaScript of an ``rx.call_script`` event."""
    return json.dumps(getattr(event, "args", ""), default=str)


def test_the_page_check_reads_the_handshake_cookie(auth: Any) -> None:
    from studio.auth import AuthState

    tokens = _tokens(auth, OWNER[0], OWNER[1])
    state = _page_state(f"theme=dark; aura_session={tokens['access_token']}")
    assert AuthState.check_login.fn(state) is None
    assert (state.user_role, state.user_email, state.user_name) == \
        ("owner", OWNER[0], OWNER[2])
    assert state.principal().email == OWNER[0]
    # the token itself is kept nowhere in the state
    assert tokens["access_token"] not in json.dumps(state.dict(), default=str)


@pytest.mark.parametrize("origin", ["http://127.0.0.1:9999", "http://evil.example:3001",
                                    "null"])
def test_a_page_of_another_origin_is_not_signed_in_by_the_cookie(
        auth: Any, origin: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings
    from studio.auth import AuthState

    tokens = _tokens(auth, OWNER[0], OWNER[1])
    state = _page_state(f"aura_session={tokens['access_token']}", origin=origin)
    AuthState.check_login.fn(state)
    assert not state.signed_in
    with pytest.raises(AuthenticationError):
        state.principal()
    # the studio's own pages are: the configured page origin, the backend's own origin,
    # and the backend's host name on the configured page's port
    for good in ("http://127.0.0.1:3001", "http://127.0.0.1:8001"):
        ok = _page_state(f"aura_session={tokens['access_token']}", origin=good)
        AuthState.check_login.fn(ok)
        assert ok.signed_in, good
    monkeypatch.setenv("AURA_STUDIO_URL", "http://localhost:3001")
    reset_settings()
    ok = _page_state(f"aura_session={tokens['access_token']}", origin="http://127.0.0.1:3001")
    AuthState.check_login.fn(ok)
    assert ok.signed_in


def test_without_a_session_the_page_renews_it_once_then_asks_to_log_in(auth: Any) -> None:
    from studio.auth import AuthState

    state = _page_state("other=1")
    first = AuthState.check_login.fn(state)
    assert "http://127.0.0.1:8001/api/v1/auth/studio-refresh?ticket=" in _script(first)
    assert "next=%2Fworkflows%3Fx%3D1" in _script(first)
    assert not state.signed_in
    second = AuthState.check_login.fn(state)  # came back without a session: no loop
    assert "/login?next=%2Fworkflows%3Fx%3D1" in _script(second)
    with pytest.raises(AuthenticationError):
        state.principal()


def test_first_run_sends_every_page_to_setup(data_dir: Path) -> None:
    from engine.config import reset_settings
    from engine.services import auth
    from engine.services.store import reset_store
    from studio.auth import AuthState

    reset_settings()
    reset_store()
    auth.reset()
    state = _page_state("")
    assert "/setup" in _script(AuthState.check_login.fn(state))


def test_a_disabled_user_is_kicked_out_at_their_next_action(auth: Any) -> None:
    from studio.auth import AuthState

    editor, tokens = _user(auth, "editor")
    state = _page_state(f"aura_session={tokens['access_token']}")
    AuthState.check_login.fn(state)
    assert state.principal().role == "editor"
    auth.set_role(_owner(auth), editor.user_id, "viewer")
    assert state.principal().role == "viewer" and state.user_role == "viewer"
    auth.disable_user(_owner(auth), editor.user_id)
    with pytest.raises(AuthenticationError, match="disabled"):
        state.principal()
    events = state.refuse(AuthenticationError("This account is disabled; ask an admin."))
    assert not state.signed_in
    assert any("/login?next=" in _script(e) for e in events)


def test_signing_out_elsewhere_ends_the_studio_session(auth: Any) -> None:
    from studio.auth import AuthState

    tokens = _tokens(auth, OWNER[0], OWNER[1])
    state = _page_state(f"aura_session={tokens['access_token']}")
    AuthState.check_login.fn(state)
    auth.logout(tokens["refresh_token"])
    with pytest.raises(AuthenticationError, match="session has ended"):
        state.principal()


def test_a_viewer_reads_but_never_writes(auth: Any) -> None:
    from studio.logic import backend, backend_more, runner
    from studio.logic import settings as settings_logic

    owner = _owner(auth)
    viewer, _ = _user(auth, "viewer")
    team = auth.create_project(owner, "Team")
    auth.set_project_member(owner, team.id, viewer.user_id, "viewer")
    shared = backend.create_workflow(owner, definition=SIMPLE)
    auth.move_to_project(owner, "workflow", shared, team.id)
    private = backend.create_workflow(owner, "Owner only")
    viewer = auth.principal_from_access_token(_tokens(auth, "viewer@example.com",
                                                      PASSWORD)["access_token"])

    rows, total = backend.list_workflows(viewer)
    assert [r["id"] for r in rows] == [shared] and total == 1
    data, info = backend.load_definition(viewer, shared)
    assert info["can_edit"] is False and data["name"] == "Report"
    assert backend.load_definition(owner, shared)[1]["can_edit"] is True
    with pytest.raises(NotFoundError):  # not theirs to see: as if it did not exist
        backend.load_definition(viewer, private)
    refused = [
        lambda: backend.save(viewer, shared, data),
        lambda: backend.delete_workflow(viewer, shared),
        lambda: backend.set_active(viewer, shared, True),
        lambda: backend.publish(viewer, shared),
        lambda: backend.create_workflow(viewer, "Mine"),
        lambda: runner.run_canvas(viewer, data, shared, runner.ExecutionHooks()),
        lambda: backend_more.set_variable(viewer, "K", "v"),
        lambda: settings_logic.write(viewer, {"studio.default_timezone": "UTC"}),
    ]
    for act in refused:
        with pytest.raises(PermissionDenied) as exc:
            act()
        assert "role" in exc.value.message  # says which role is needed
    assert backend.versions(owner, shared)[0]["number"] == 1


def test_editors_work_in_their_own_project(auth: Any) -> None:
    from studio.logic import backend

    owner = _owner(auth)
    editor, _ = _user(auth, "editor")
    theirs = backend.create_workflow(owner, "Owner's")
    mine = backend.create_workflow(editor, "Mine")
    assert [r["id"] for r in backend.list_workflows(editor)[0]] == [mine]
    data, info = backend.load_definition(editor, mine)
    assert info["can_edit"]
    assert backend.save(editor, mine, {**data, "name": "Mine, renamed"}) == 2
    with pytest.raises(NotFoundError):  # another project's: as if it did not exist
        backend.save(editor, theirs, data)
    # the owner sees everything
    assert {mine, theirs} <= {r["id"] for r in backend.list_workflows(owner)[0]}


def _login_state(path: str = "/login?next=%2Fexecutions") -> Any:
    from studio.auth import AuthState
    from studio.state.auth import LoginState

    parent = _page_state("", path)
    state = parent.substates[LoginState.get_name()]
    assert isinstance(state, AuthState)
    LoginState.load.fn(state)
    return state


def test_login_says_what_went_wrong_and_hands_over_a_ticket(auth: Any) -> None:
    from engine.auth.ratelimit import LocalRateLimiter
    from studio.state.auth import LoginState

    state = _login_state()
    assert state.next_path == "/executions" and state.step == "password"
    LoginState.submit_password.fn(state, {"email": OWNER[0], "password": "nope"})
    assert state.error == "Wrong e-mail or password."
    event = LoginState.submit_password.fn(state, {"email": OWNER[0], "password": OWNER[1]})
    script = _script(event)
    assert "http://127.0.0.1:8001/api/v1/auth/studio-session?ticket=" in script
    assert "next=%2Fexecutions" in script
    assert "access_token" not in script and "rt_" not in script  # tokens stay server-side
    # too many failures lock the account, and the page says so
    LocalRateLimiter.clear_all()
    for _ in range(12):
        LoginState.submit_password.fn(state, {"email": OWNER[0], "password": "nope"})
    assert "Too many attempts" in state.error


def test_login_with_a_totp_code_or_a_recovery_code(auth: Any) -> None:
    import pyotp

    from studio.state.auth import LoginState

    owner = _owner(auth)
    totp = pyotp.TOTP(auth.start_totp_enrolment(owner).secret)
    recovery = auth.confirm_totp(owner, totp.now())
    state = _login_state("/login")
    LoginState.submit_password.fn(state, {"email": OWNER[0], "password": OWNER[1]})
    assert state.step == "code" and state.error == ""
    LoginState.submit_code.fn(state, {"code": "000000" if totp.now() != "000000" else "1"})
    assert "Wrong two-factor code" in state.error
    event = LoginState.submit_code.fn(state, {"code": recovery[0]})
    assert "studio-session?ticket=" in _script(event)
    # a recovery code works once
    state = _login_state("/login")
    LoginState.submit_password.fn(state, {"email": OWNER[0], "password": OWNER[1]})
    LoginState.submit_code.fn(state, {"code": recovery[0]})
    assert state.error and state.step == "code"


def test_a_role_that_requires_2fa_enrols_at_login(auth: Any) -> None:
    import pyotp

    from studio.state.auth import LoginState

    auth.set_required_2fa_roles(_owner(auth), ["owner"])
    state = _login_state("/login")
    LoginState.submit_password.fn(state, {"email": OWNER[0], "password": OWNER[1]})
    assert state.step == "enrol" and "<svg" in state.qr_svg and state.totp_secret
    LoginState.submit_enrolment.fn(state, {"code": "12"})
    assert state.error and state.step == "enrol"
    LoginState.submit_enrolment.fn(state, {"code": pyotp.TOTP(state.totp_secret).now()})
    assert state.step == "codes" and len(state.recovery_codes) == 10
    assert "studio-session?ticket=" in _script(LoginState.finish.fn(state))
    assert state.recovery_codes == []


def test_setup_explains_the_password_policy(data_dir: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.config import reset_settings
    from engine.services import auth
    from engine.services.store import reset_store
    from studio.state.auth import SetupState

    monkeypatch.setenv("AURA_PASSWORD_HASH_MEMORY_KIB", "1024")
    reset_settings()
    reset_store()
    auth.reset()
    state = _page_state("", "/setup").substates[SetupState.get_name()]
    assert SetupState.load.fn(state) is None
    form = {"name": "Ada", "email": "ada@example.com", "password": "short", "confirm": "short"}
    SetupState.submit.fn(state, form)
    assert "too weak" in state.error and not auth.has_owner()
    SetupState.submit.fn(state, {**form, "password": OWNER[1], "confirm": "other"})
    assert "differ" in state.error
    event = SetupState.submit.fn(state, {**form, "password": OWNER[1], "confirm": OWNER[1]})
    assert auth.has_owner() and "studio-session?ticket=" in _script(event)
    assert "/login" in _script(SetupState.load.fn(state))  # once only


def test_my_account_password_and_two_factor(auth: Any) -> None:
    import time

    import pyotp

    from studio.auth import AuthState
    from studio.state.auth_account import AccountState

    tokens = _tokens(auth, OWNER[0], OWNER[1])
    parent = _page_state(f"aura_session={tokens['access_token']}", "/account")
    AuthState.check_login.fn(parent)
    state = parent.substates[AccountState.get_name()]
    AccountState.load.fn(state)
    assert state.totp_enabled is False
    AccountState.change_password.fn(state, {"old_password": "wrong", "new_password": PASSWORD,
                                            "confirm": PASSWORD})
    assert "password" in state.password_error.lower()
    AccountState.start_enrolment.fn(state)
    assert state.enrolling and "<svg" in state.qr_svg
    totp = pyotp.TOTP(state.totp_secret)
    AccountState.confirm_enrolment.fn(state, {"code": totp.now()})
    assert state.totp_enabled and len(state.recovery_codes) == 10 and not state.qr_svg
    AccountState.disable.fn(state, {"code": "000001"})
    assert state.totp_error and state.totp_enabled
    AccountState.disable.fn(state, {"code": totp.at(time.time() + 30)})
    assert not state.totp_enabled and state.totp_error == ""
    # a new password ends the other sessions and hands this browser a new one
    events = AccountState.change_password.fn(state, {
        "old_password": OWNER[1], "new_password": PASSWORD, "confirm": PASSWORD})
    assert any("studio-session?ticket=" in _script(e) and "next=%2Faccount" in _script(e)
               for e in events)
    with pytest.raises(AuthenticationError):
        auth.principal_from_access_token(tokens["access_token"])


def test_a_single_sign_on_that_needs_a_code_continues_on_the_login_page(auth: Any) -> None:
    import pyotp

    from studio.api import tickets
    from studio.state.auth import LoginState

    owner = _owner(auth)
    totp = pyotp.TOTP(auth.start_totp_enrolment(owner).secret)
    auth.confirm_totp(owner, totp.now())
    challenge = auth.login(OWNER[0], OWNER[1]).challenge_token  # as the callback got it
    state = _login_state("/login?needs_2fa=1&next=%2Fexecutions")  # loaded once
    assert state.step == "password"
    claim = state._claim  # the first load went to fetch the challenge with this ticket
    assert tickets.take(claim, "challenge") is not None  # what the route does
    tickets.fill(claim, "challenge-filled", challenge=challenge)
    LoginState.load.fn(state)  # back on the login page
    assert state.step == "code" and state.next_path == "/executions"
    event = LoginState.submit_code.fn(state, {"code": totp.at(time.time() + 30)})
    assert "studio-session?ticket=" in _script(event)


def test_single_sign_on_links_come_back_to_the_studio_page(auth: Any,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    import sys
    import types

    fake = types.ModuleType("engine.services.oidc")
    fake.login_options = lambda: [  # type: ignore[attr-defined]
        {"name": "acme", "label": "Acme", "start_path": "/api/v1/auth/oidc/acme/start"}]
    monkeypatch.setitem(sys.modules, "engine.services.oidc", fake)
    state = _login_state("/login?next=%2Fworkflows&error=The+provider+said+no")
    assert state.error == "The provider said no"
    assert state.sso_links == [{
        "name": "acme", "label": "Acme", "start_path": "/api/v1/auth/oidc/acme/start",
        "href": "http://127.0.0.1:8001/api/v1/auth/oidc/acme/start?next="
                "http://127.0.0.1:3001/workflows"}]


def test_accept_an_invitation_and_reset_a_forgotten_password(auth: Any) -> None:
    from engine.auth.mailer import Mail
    from studio.state.auth import InviteState, ResetState

    sent: list[Mail] = []
    auth.context().mailer = type("Outbox", (), {"send": lambda self, m: sent.append(m)})()
    invitation = auth.invite(_owner(auth), "new@example.com", "editor")
    state = _page_state("", f"/invite?token={invitation.token}") \
        .substates[InviteState.get_name()]
    InviteState.load.fn(state)
    assert not state.missing
    form = {"name": "Newt", "password": PASSWORD, "confirm": PASSWORD}
    InviteState.submit.fn(state, {**form, "confirm": "typo"})
    assert "differ" in state.error
    assert "studio-session?ticket=" in _script(InviteState.submit.fn(state, form))
    InviteState.submit.fn(state, form)  # the link works once
    assert "invalid, used, revoked or expired" in state.error

    ask = _page_state("", "/reset-password").substates[ResetState.get_name()]
    ResetState.load.fn(ask)
    ResetState.request_link.fn(ask, {"email": "new@example.com"})
    assert ask.sent and "reset-password?token=" in sent[-1].body
    token = sent[-1].body.split("token=", 1)[1].split()[0]
    choose = _page_state("", f"/reset-password?token={token}") \
        .substates[ResetState.get_name()]
    ResetState.load.fn(choose)
    assert choose.has_token
    ResetState.set_password.fn(choose, {"password": "short", "confirm": "short"})
    assert "too weak" in choose.error
    event = ResetState.set_password.fn(choose, {"password": "Another-Password-77",
                                                "confirm": "Another-Password-77"})
    assert "/login?notice=" in _script(event)
    assert auth.login("new@example.com", "Another-Password-77").tokens is not None
