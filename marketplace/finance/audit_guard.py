"""The audit log is append-only: the ORM refuses to update or delete an `AuditLog` row, whether
through a loaded object (flush) or a bulk `update()`/`delete()` statement.

Kept in the finance area (which owns the audit-log viewer) so the audit model stays a plain table.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from marketplace.audit.models import AuditLog


class AuditLogIsAppendOnly(RuntimeError):
    """Raised on any attempt to change or remove an audit row."""


@event.listens_for(AuditLog, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise AuditLogIsAppendOnly(f"audit log row {target.id} cannot be changed")


@event.listens_for(AuditLog, "before_delete")
def _refuse_delete(_mapper, _connection, target):
    raise AuditLogIsAppendOnly(f"audit log row {target.id} cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state):
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ is AuditLog:
        raise AuditLogIsAppendOnly("bulk update/delete of the audit log is not allowed")
