"""Writing the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import AuditEvent, User
from coordinator.observability import current_ip, current_request_id
from coordinator.transaction import durable

DETAIL_MAX = 500


@dataclass(frozen=True)
class SystemActor:
    """An actor that is not a staff user: an anonymous visitor, a worker, the CLI."""

    label: str


ANONYMOUS = SystemActor("anonymous")
CLI = SystemActor("cli")


def record(
    actor: User | SystemActor,
    action: AuditAction,
    entity_type: str | None = None,
    entity_id: object | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add one audit row to the session; the caller commits it with the change it audits.

    `detail` must carry no clinical values: say what happened, not what the record holds.
    """
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit actions are AuditAction members, not {type(action).__name__}")
    if isinstance(actor, User):
        actor_user_id, label = actor.id, f"user:{actor.id}"
    else:
        actor_user_id, label = None, actor.label
    event = AuditEvent(
        actor_user_id=actor_user_id,
        actor_label=label[:120],
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id)[:64],
        ip=current_ip(),
        request_id=current_request_id(),
        detail=None if detail is None else detail[:DETAIL_MAX],
    )
    db.session.add(event)
    return event


def record_refusal(
    actor: User | SystemActor,
    action: AuditAction,
    entity_type: str | None = None,
    entity_id: object | None = None,
    detail: str | None = None,
) -> None:
    """Record that `actor` was refused: kept even though the refused request is rolled back."""
    durable(lambda: record(actor, action, entity_type, entity_id, detail))
