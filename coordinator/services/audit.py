"""Writing the audit log."""

from __future__ import annotations

from collections.abc import Iterable
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


def record_listing(
    actor: User | SystemActor,
    action: AuditAction,
    entity_type: str,
    ids: Iterable[int],
    *,
    page: int | None = None,
) -> list[AuditEvent]:
    """Audit one read of a list of people's records: one row naming the ids shown, in the order
    shown ("page 2, 3 rows: 41,17,9"). Only a list too long for one row's detail continues in
    further rows ("page 2, continued: ..."), so no id is ever cut off."""
    shown = list(dict.fromkeys(str(i) for i in ids))
    where = f"page {page}, " if page is not None else ""
    head = f"{where}{len(shown)} rows" + (": " if shown else "")
    chunks, current = [], ""
    for item in shown:
        prefix = head if not chunks else f"{where}continued: "
        candidate = f"{current},{item}" if current else item
        if len(prefix) + len(candidate) > DETAIL_MAX:
            chunks.append(current)
            current = item
        else:
            current = candidate
    chunks.append(current)
    return [
        record(actor, action, entity_type, None, detail=(head if n == 0 else f"{where}continued: ") + chunk)
        for n, chunk in enumerate(chunks)
    ]


def record_refusal(
    actor: User | SystemActor,
    action: AuditAction,
    entity_type: str | None = None,
    entity_id: object | None = None,
    detail: str | None = None,
) -> None:
    """Record that `actor` was refused: kept even though the refused request is rolled back."""
    durable(lambda: record(actor, action, entity_type, entity_id, detail))
