"""A user's bearer tokens stop working when what they were issued on changes: the password
(change, reset, the `set-password` command), the role, or the account being deactivated.

Done on flush rather than in each service so that no path that changes a user (a service, an
operator command, a future admin page, a script) can forget it: cookie sessions already end on a
password change (`session_version`); a token is a session that lives outside the browser.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from marketplace.accounts.models import ApiToken, User
from marketplace.models_base import utcnow


def _reason(user: User) -> str | None:
    state = inspect(user)
    if state.attrs.active.history.has_changes() and not user.active:
        return "deactivated"
    if state.attrs.password_hash.history.has_changes():
        return "password"
    if state.attrs.role.history.has_changes():
        return "role"
    return None


@event.listens_for(Session, "before_flush")
def _revoke_tokens_of_changed_users(session: Session, _context, _instances) -> None:
    for obj in list(session.dirty):
        if not isinstance(obj, User) or obj.id is None:
            continue
        reason = _reason(obj)
        if reason is None:
            continue
        # A Core statement on the flush's connection: no autoflush, no recursion.
        session.connection().execute(
            update(ApiToken.__table__)
            .where(
                ApiToken.__table__.c.user_id == obj.id, ApiToken.__table__.c.revoked_at.is_(None)
            )
            .values(revoked_at=utcnow(), revoked_reason=reason)
        )
        for token in session.identity_map.values():
            if isinstance(token, ApiToken) and token.user_id == obj.id:
                session.expire(token, ["revoked_at", "revoked_reason"])
