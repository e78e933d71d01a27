"""Possible duplicates: dismissing a flag, and merging one inquiry into another.

A merge never lowers protection and never loses what the patient told us (`rules/merge.py`
says how): `plan` compares the two records field by field for the merge page and lists what
would move or why the merge is refused; `merge` re-checks everything, then keeps the chosen
values, moves the timeline, tasks, screenings, insurance, private pay and reminders, raises the
survivor's protection if either was restricted, and audits it all (field names, never values)
in the caller's transaction. A refused merge changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from coordinator.contracts.base import problem
from coordinator.contracts.intake import TEXT_LIMITS
from coordinator.contracts.messages import define
from coordinator.contracts.pipeline import MergeInput
from coordinator.contracts.values import phone_digits
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import ActivityKind, ContactMethod
from coordinator.errors import NotFound, NotPermitted, Problem, ValidationFailed
from coordinator.extensions import db
from coordinator.models import (
    FollowUpTask,
    Inquiry,
    InquiryActivity,
    OpioidRegimenLine,
    PossibleDuplicate,
    Screening,
    User,
    utcnow,
)
from coordinator.roles import Role
from coordinator.rules import merge as merge_rules
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.rules.merge import Keep, MergeField, Protection, Side
from coordinator.rules.search_text import normalise_key
from coordinator.services import audit, inquiries, merge_moves, records, reminders
from coordinator.services.inquiries import add_activity
from coordinator.services.inquiry_access import can_see, open_break_glass_ids, require_visible

define(
    {
        "merge_into_itself": "Choose a different inquiry to merge into.",
        "merge_already_merged": "This inquiry has already been merged.",
        "merge_admitted": "An admitted inquiry cannot be merged away; merge the other one into it.",
        "merge_target_missing": "There is no inquiry with this number.",
        "merge_restricted_unassigned": "A restricted inquiry is involved and nobody is assigned to it, so the "
        "merged record would have no one but administrators to see it. Assign the restricted inquiry first.",
        "merge_restricted_other_assignee": "Inquiry #{restricted} is restricted and the two inquiries are "
        "assigned to different people: merging would show it to someone who may not open it, or take a case "
        "away from its assignee. Assign both inquiries to the same person first, then merge.",
        "merge_tasks_hidden": "The merged record will be restricted, but {count} open task(s) on these "
        "inquiries belong to people who will not be able to open it. Complete them or move them to the "
        "assignee first.",
        "merge_text_too_long": "Together these are longer than {limit} characters; keep one and copy what "
        "matters into a note.",
        "merge_preference_impossible": "The kept contact details have no {what} for this preference; "
        "choose another preference or keep the {what}.",
    }
)


@dataclass(frozen=True)
class Difference:
    field: MergeField
    survivor_value: object
    duplicate_value: object
    default: Keep


@dataclass(frozen=True)
class MergePlan:
    duplicate: Inquiry
    survivor: Inquiry
    differences: list[Difference]
    protection: Protection
    finances: merge_moves.Finances
    moving: dict[str, int]  # timeline entries, tasks, screenings
    problems: list[Problem]  # why the merge would be refused (empty: it may go ahead)


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


def _value(inquiry: Inquiry, field: MergeField) -> object:
    if field.kind is merge_rules.Kind.REGIMEN:
        return [
            (line.drug, line.dose, line.unit, line.doses_per_day, line.purpose)
            for line in inquiries.regimen_of(inquiry)
        ]
    value = getattr(inquiry, field.name)
    return list(value or ()) if field.kind is merge_rules.Kind.LIST else value


def differences(survivor: Inquiry, duplicate: Inquiry) -> list[Difference]:
    """The details that differ, each with what the survivor keeps by default."""
    found = []
    for field in merge_rules.FIELDS:
        ours, theirs = _value(survivor, field), _value(duplicate, field)
        if merge_rules.differs(ours, theirs):
            found.append(Difference(field, ours, theirs, merge_rules.default_keep(field, ours, theirs)))
    return found


def _hidden_tasks(inquiries: list[Inquiry], assignee_id: int | None) -> int:
    """Open tasks on these inquiries (those whose protection the merge changes) whose assignee
    could not open a restricted record assigned to `assignee_id` (administrators can)."""
    if not inquiries:
        return 0
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(FollowUpTask)
            .join(User, User.id == FollowUpTask.assigned_to_id)
            .where(
                FollowUpTask.inquiry_id.in_([i.id for i in inquiries]),
                FollowUpTask.completed_at.is_(None),
                User.role != Role.ADMIN,
                FollowUpTask.assigned_to_id != (assignee_id or -1),
            )
        )
        or 0
    )


def _counts(duplicate: Inquiry) -> dict[str, int]:
    return {
        label: db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.inquiry_id == duplicate.id))
        or 0
        for label, model in (("timeline entries", InquiryActivity), ("tasks", FollowUpTask), ("screenings", Screening))
    }


def plan(actor: User, duplicate: Inquiry, survivor_id: int, *, lock: bool = False) -> MergePlan:
    """What merging `duplicate` into `survivor_id` would do, or why it would be refused (reads
    the survivor, audited; a survivor the actor may not open is a problem, not a plan)."""
    survivor = _survivor(actor, survivor_id)
    problems = []
    if survivor.id == duplicate.id:
        raise ValidationFailed([problem("survivor_id", "merge_into_itself")])
    if duplicate.merged_into_id is not None:
        problems.append(problem("survivor_id", "merge_already_merged"))
    if duplicate.status is InquiryStatus.ADMITTED:
        problems.append(problem("survivor_id", "merge_admitted"))
    protection = merge_rules.protection(
        Side(survivor.is_restricted, survivor.assigned_to_id), Side(duplicate.is_restricted, duplicate.assigned_to_id)
    )
    if not protection.allowed:
        restricted = duplicate.id if duplicate.is_restricted else survivor.id
        problems.append(problem("survivor_id", protection.refusal, restricted=restricted))
    elif protection.restricted and (
        count := _hidden_tasks(
            [i for i in (survivor, duplicate) if (i.is_restricted, i.assigned_to_id) != (True, protection.assignee_id)],
            protection.assignee_id,
        )
    ):
        problems.append(problem("survivor_id", "merge_tasks_hidden", count=count))
    money = merge_moves.finances(survivor, duplicate, lock=lock)
    problems += merge_moves.check(survivor, money)
    return MergePlan(
        duplicate, survivor, differences(survivor, duplicate), protection, money, _counts(duplicate), problems
    )


def _kept_values(plan_: MergePlan, choices: dict[str, Keep]) -> tuple[dict[str, object], dict[str, Keep]]:
    """The survivor's new values (only those that change) and what was kept for each field."""
    kept, changes, problems = {}, {}, []
    label = f"From merged inquiry #{plan_.duplicate.id}"
    for difference in plan_.differences:
        field = difference.field
        keep = choices.get(field.name, difference.default)
        kept[field.name] = keep
        value = merge_rules.combine(field, difference.survivor_value, difference.duplicate_value, keep, label)
        limit = TEXT_LIMITS.get(field.name)
        if limit and isinstance(value, str) and len(value) > limit:
            problems.append(problem(f"keep_{field.name}", "merge_text_too_long", limit=limit))
        if value != difference.survivor_value:
            changes[field.name] = value
    contact = ("preferred_contact", "caller_email", "patient_email", "caller_phone", "patient_phone")
    final = {name: changes.get(name, getattr(plan_.survivor, name)) for name in contact}
    preferred = final["preferred_contact"]
    if preferred is ContactMethod.EMAIL and not (final["caller_email"] or final["patient_email"]):
        problems.append(problem("keep_preferred_contact", "merge_preference_impossible", what="email address"))
    if preferred in (ContactMethod.PHONE, ContactMethod.TEXT) and not (final["caller_phone"] or final["patient_phone"]):
        problems.append(problem("keep_preferred_contact", "merge_preference_impossible", what="phone number"))
    if problems:
        raise ValidationFailed(problems)
    return changes, kept


def _apply(survivor: Inquiry, duplicate: Inquiry, changes: dict[str, object]) -> None:
    regimen = changes.pop("regimen", None)
    if regimen is not None:  # the merged inquiry's regimen, whole, with its MME
        db.session.execute(sa.delete(OpioidRegimenLine).where(OpioidRegimenLine.inquiry_id == survivor.id))
        for position, (drug, dose, unit, doses_per_day, purpose) in enumerate(regimen):
            db.session.add(
                OpioidRegimenLine(
                    inquiry_id=survivor.id,
                    position=position,
                    drug=drug,
                    dose=dose,
                    unit=unit,
                    doses_per_day=doses_per_day,
                    purpose=purpose,
                )
            )
        survivor.mme_per_day = duplicate.mme_per_day
    for name, value in changes.items():
        setattr(survivor, name, value)
    survivor.patient_name_key = normalise_key(survivor.patient_name)
    survivor.caller_name_key = normalise_key(survivor.caller_name)
    survivor.caller_phone_digits = phone_digits(survivor.caller_phone)
    survivor.patient_phone_digits = phone_digits(survivor.patient_phone)
    survivor.caller_email_key = survivor.caller_email.lower() if survivor.caller_email else None
    survivor.patient_email_key = survivor.patient_email.lower() if survivor.patient_email else None


def _protect(actor: User, survivor: Inquiry, duplicate: Inquiry, protection: Protection) -> str:
    """Give both records the stricter protection (the merged one stays readable as a record of
    the same person, so it is protected like them); what changed, for the audit detail."""
    now = f"restricted {str(protection.restricted).lower()}, assignee {protection.assignee_id or 'none'}"
    changed = []
    for inquiry in (survivor, duplicate):
        if (inquiry.is_restricted, inquiry.assigned_to_id) == (protection.restricted, protection.assignee_id):
            continue
        was = f"restricted {str(inquiry.is_restricted).lower()}, assignee {inquiry.assigned_to_id or 'none'}"
        inquiry.is_restricted, inquiry.assigned_to_id = protection.restricted, protection.assignee_id
        audit.record(
            actor,
            AuditAction.INQUIRY_PROTECTION_RAISED_BY_MERGE,
            "inquiry",
            inquiry.id,
            detail=f"merge of {duplicate.id} into {survivor.id}: {was} -> {now}",
        )
        changed.append(str(inquiry.id))
    return f"protection of {', '.join(changed)} raised to {now}" if changed else "protection unchanged"


def merge(actor: User, duplicate: Inquiry, data: MergeInput) -> Inquiry:
    """Fold `duplicate` into the survivor (see the module docstring); the caller commits."""
    # Lock both rows (in id order): a merge of either running at the same time waits, then
    # finds this one's result (an inquiry merged meanwhile is refused).
    merged_into = dict(
        db.session.execute(
            sa.select(Inquiry.id, Inquiry.merged_into_id)
            .where(Inquiry.id.in_((duplicate.id, data.survivor_id)))
            .order_by(Inquiry.id)
            .with_for_update()
        ).all()
    )
    if merged_into.get(duplicate.id) is not None:
        raise ValidationFailed([problem("survivor_id", "merge_already_merged")])
    plan_ = plan(actor, duplicate, data.survivor_id, lock=True)
    if plan_.problems:
        raise ValidationFailed(plan_.problems)
    survivor = plan_.survivor
    changes, kept = _kept_values(plan_, data.choices())
    _apply(survivor, duplicate, dict(changes))
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
    now = utcnow()
    duplicate.merged_into_id = survivor.id
    duplicate.status_changed_at = now  # for its API client, "merged" is where it stands since now
    reminders.inquiry_closed(duplicate, "merged into another inquiry")
    moved = merge_moves.move(actor, survivor, duplicate, plan_.finances)
    protection = _protect(actor, survivor, duplicate, plan_.protection)
    if survivor.first_contact_at is None or (
        duplicate.first_contact_at and duplicate.first_contact_at < survivor.first_contact_at
    ):
        survivor.first_contact_at = duplicate.first_contact_at or survivor.first_contact_at
    add_activity(
        survivor, actor, ActivityKind.MERGE, occurred_at=now, summary=f"Inquiry #{duplicate.id} merged into this one"
    )
    add_activity(duplicate, actor, ActivityKind.MERGE, occurred_at=now, summary=f"Merged into inquiry #{survivor.id}")
    by_choice = {keep: sorted(name for name, k in kept.items() if k is keep) for keep in Keep}
    detail = (
        f"into {survivor.id}; kept merged: {','.join(by_choice[Keep.DUPLICATE]) or '-'}; "
        f"kept both: {','.join(by_choice[Keep.BOTH]) or '-'}; kept survivor: {','.join(by_choice[Keep.SURVIVOR]) or '-'}; "
        f"{protection}"
    )
    audit.record(actor, AuditAction.INQUIRY_MERGED, "inquiry", duplicate.id, detail=detail)
    audit.record(
        actor,
        AuditAction.INQUIRY_MERGE_RECEIVED,
        "inquiry",
        survivor.id,
        detail=f"from {duplicate.id}; moved: {'; '.join(moved) or 'no insurance or private pay'}",
    )
    return survivor
