"""Which AURA user a provider's identity signs in as, and the identities users see.

Rules, in order:

1. an identity already linked (provider + subject) signs in as its user;
2. otherwise the provider's e-mail address must be **verified** by the provider;
3. a user with that address gets the identity linked (audited ``user.oidc_linked``);
4. else a pending invitation for the address is accepted (the invited role);
5. else, when the provider has ``auto_create``, a user is created with its
   ``default_role`` (never owner); otherwise the sign-in is refused (403).

A disabled user is refused. Signing in then follows the password login: a user with
2FA gets a challenge (``needs_2fa``; finish with ``verify_2fa``), a user whose role
requires 2FA and who has none gets an enrolment-only session (``must_enrol_2fa``). The
provider's own MFA does not replace AURA's 2FA policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.auth import sessions
from engine.auth.context import AuthContext
from engine.auth.oidc_config import ProviderConfig
from engine.auth.types import LoginResult, Principal
from engine.errors import AuthenticationError, NotFoundError, PermissionDenied
from engine.store.auth_users import normalize_email
from engine.store.models_auth import User

if TYPE_CHECKING:
    from engine.auth.oidc import Identity

__all__ = ["list_identities", "sign_in", "unlink_identity"]


def _refuse(message: str, reason: str, status: int = 403) -> Exception:
    from engine.auth.oidc import SignInRefused

    return SignInRefused(message, reason, status)


def _pending_invitation(ctx: AuthContext, email: str) -> Any:
    rows = ctx.store.tokens.list_invitations(pending_only=True, now=ctx.now())
    return next((r for r in rows if r.email == email), None)


def _new_user(ctx: AuthContext, cfg: ProviderConfig, identity: Identity, email: str,
              ip: str | None) -> User:
    invitation = _pending_invitation(ctx, email)
    if invitation is not None and ctx.store.tokens.claim_invitation(invitation.id,
                                                                    ctx.now()):
        user = ctx.store.users.create(email, password_hash=None, role=invitation.role,
                                      name=identity.name)
        ctx.store.tokens.update_invitation(invitation.id, user_id=user.id)
        ctx.audit(user.id, "user.invitation_accepted", "user", user.id,
                  {"invitation_id": invitation.id, "role": invitation.role,
                   "method": cfg.method}, ip, actor_email=user.email)
        return user
    if not cfg.auto_create:
        raise _refuse(f"No AURA account uses {email}. Ask an admin to invite you (or to let "
                      f"{cfg.display} sign-ins create accounts).", "no_account")
    user = ctx.store.users.create(email, password_hash=None, role=cfg.default_role,
                                  name=identity.name)
    ctx.audit(user.id, "user.created", "user", user.id,
              {"method": cfg.method, "role": cfg.default_role}, ip, actor_email=user.email)
    return user


def _user_for(ctx: AuthContext, cfg: ProviderConfig, identity: Identity, ip: str | None
              ) -> User:
    linked = ctx.store.oidc.find_identity(cfg.name, identity.subject)
    if linked is not None:
        user = ctx.store.users.find(linked.user_id)
        if user is not None:
            ctx.store.oidc.touch_identity(linked.id, ctx.now(), identity.email)
            return user
    email = normalize_email(identity.email or "")
    if not email or not identity.email_verified:
        raise _refuse(f"Your {cfg.display} account has no verified e-mail address, so it "
                      "cannot be matched to an AURA account. Verify the address with "
                      f"{cfg.display} and try again, or ask an admin.", "email_unverified")
    user = ctx.store.users.by_email(email)
    if user is None:
        user = _new_user(ctx, cfg, identity, email, ip)
    ctx.store.oidc.add_identity(cfg.name, identity.subject, user.id, email, ctx.now())
    ctx.audit(user.id, "user.oidc_linked", "user", user.id,
              {"provider": cfg.name, "subject": identity.subject, "email": email}, ip,
              actor_email=user.email)
    return user


def sign_in(ctx: AuthContext, cfg: ProviderConfig, identity: Identity, *,
            ip: str | None = None) -> LoginResult:
    """Signs ``identity`` in (see the module docstring); SignInRefused otherwise."""
    user = _user_for(ctx, cfg, identity, ip)
    if user.disabled:
        raise _refuse("This account is disabled; ask an admin to enable it.", "disabled")
    if user.totp_enabled:
        return LoginResult(tokens=None, needs_2fa=True,
                           challenge_token=ctx.codec.challenge_token(user.id, now=ctx.now()))
    return sessions._complete(ctx, user, cfg.method, ip)


# -- what users see ------------------------------------------------------------------------
def _user_id(principal: Principal) -> str:
    if principal.user_id is None or principal.api_key_id is not None:
        raise PermissionDenied("Only a signed-in user can manage their sign-in identities, "
                               "not an API key.")
    return principal.user_id


def list_identities(ctx: AuthContext, principal: Principal) -> list[dict[str, Any]]:
    """The caller's linked provider accounts."""
    return [{"id": r.id, "provider": r.provider, "subject": r.subject, "email": r.email,
             "created_at": r.created_at.isoformat(),
             "last_login_at": r.last_login_at.isoformat() if r.last_login_at else None}
            for r in ctx.store.oidc.identities_of(_user_id(principal))]


def unlink_identity(ctx: AuthContext, principal: Principal, identity_id: str) -> None:
    """Removes one of the caller's identities (they keep their other ways in)."""
    uid = _user_id(principal)
    user = ctx.store.users.find(uid)
    if user is None:
        raise AuthenticationError("This account no longer exists.")
    row = ctx.store.oidc.delete_identity(identity_id, uid)
    if row is None:
        raise NotFoundError(f"You have no linked sign-in {identity_id!r}; list them with "
                            "GET /api/v1/auth/identities.", details={"id": identity_id})
    ctx.audit(principal, "user.oidc_unlinked", "user", uid,
              {"provider": row.provider, "subject": row.subject})
