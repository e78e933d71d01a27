"""Possible duplicates: dismissing a flag, and merging one inquiry into another."""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.contracts.base import problem
from coordinator.contracts.messages import define
from coordinator.contracts.pipeline import MergeInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import ActivityKind
from coordinator.errors import NotFound, NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import FollowUpTask, Inquiry, InquiryActivity, PossibleDuplicate, Screening, User, utcnow
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.services import audit, records, reminders
from coordinator.services.inquiries import add_activity
from coordinator.services.inquiry_access import can_see, open_break_glass_ids, require_visible

define(
    {
        "merge_into_itself": "Choose a different inquiry to merge into.",
        "merge_already_merged": "This inquiry has already been merged.",
        "merge_admitted": "An admitted inquiry cannot be merged away; merge the other one into it.",
        "merge_target_missing": "There is no inquiry with this number.",
    }
)


def _survivor(actor: User, survivor_id: int) -> Inquiry:
    """The inquiry to merge into, which the actor must be able to open and change; a problem on
    the form when they cannot (the page they are on stays theirs)."""
    try:
        return require_visible(actor, survivor_id, purpose="viewed_for_merge", edit=True)
    except NotFound:
        raise ValidationFailed([problem("survivor_id", "merge_target_missing")]) from None
    except NotPermitted as refusal:
        raise ValidationFailed([(("survivor_id"), refusal.message, "merge_target_refused")]) from None


def dismiss_duplicate(actor: User, inquiry: Inquiry, flag_id: int) -> None:
    """Mark a possible duplicate as a different person; the caller commits."""
    flag = records.find(PossibleDuplicate, flag_id)
    if flag is None or flag.inquiry_id != inquiry.id:
        raise NotFound("No such possible duplicate.")
    if not can_see(actor, db.session.get(Inquiry, flag.other_inquiry_id), open_break_glass_ids(actor)):
        audit.record_refusal(actor, AuditAction.RESTRICTED_INQUIRY_REFUSED, "inquiry", flag.other_inquiry_id)
        raise NotPermitted(
            "The other record is restricted: only its assignee or an administrator can tell whether it is "
            "the same person."
        )
    flag.dismissed_at = utcnow()
    audit.record(
        actor, AuditAction.DUPLICATE_DISMISSED, "inquiry", inquiry.id, detail=f"not the same as {flag.other_inquiry_id}"
    )


def merge(actor: User, duplicate: Inquiry, data: MergeInput) -> Inquiry:
    """Fold `duplicate` into the survivor: its timeline, tasks and screenings move; it stays as a
    record. The caller commits."""
    survivor = _survivor(actor, data.survivor_id)
    if survivor.id == duplicate.id:
        raise ValidationFailed([problem("survivor_id", "merge_into_itself")])
    if duplicate.merged_into_id is not None:
        raise ValidationFailed([problem("survivor_id", "merge_already_merged")])
    if duplicate.status is InquiryStatus.ADMITTED:
        raise ValidationFailed([problem("survivor_id", "merge_admitted")])
    for model in (InquiryActivity, FollowUpTask, Screening):
        db.session.execute(sa.update(model).where(model.inquiry_id == duplicate.id).values(inquiry_id=survivor.id))
    db.session.execute(
        sa.update(PossibleDuplicate)
        .where(
            sa.or_(
                sa.and_(
                    PossibleDuplicate.inquiry_id == duplicate.id, PossibleDuplicate.other_inquiry_id == survivor.id
                ),
                sa.and_(
                    PossibleDuplicate.inquiry_id == survivor.id, PossibleDuplicate.other_inquiry_id == duplicate.id
                ),
            )
        )
        .values(dismissed_at=utcnow())
    )
    duplicate.merged_into_id = survivor.id
    reminders.inquiry_closed(duplicate, "merged into another inquiry")
    if survivor.first_contact_at is None or (
        duplicate.first_contact_at and duplicate.first_contact_at < survivor.first_contact_at
    ):
        survivor.first_contact_at = duplicate.first_contact_at or survivor.first_contact_at
    now = utcnow()
    add_activity(
        survivor, actor, ActivityKind.MERGE, occurred_at=now, summary=f"Inquiry #{duplicate.id} merged into this one"
    )
    add_activity(duplicate, actor, ActivityKind.MERGE, occurred_at=now, summary=f"Merged into inquiry #{survivor.id}")
    audit.record(actor, AuditAction.INQUIRY_MERGED, "inquiry", duplicate.id, detail=f"into {survivor.id}")
    return survivor
