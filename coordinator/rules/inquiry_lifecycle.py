"""The inquiry lifecycle as one transition table (DESIGN.md, "Lifecycles").

new -> contacted -> screening -> verifying -> placement_offered -> admitted, with exits
declined, referred_out and lost. Decisions recorded here:
- decline and refer_out need a conversation, so they start from `contacted`; mark_lost is also
  allowed from `new` (a caller who is never reached);
- reopen brings a `lost` or `declined` inquiry back to `contacted` (the person got back in touch);
  `admitted` and `referred_out` are terminal: a returning person starts a new inquiry;
- every exit and every reopen needs a non-blank reason, so the audit trail always says why.
Verifying covers insurance verification and private-pay arrangements alike.
"""

from __future__ import annotations

from enum import StrEnum

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.errors import InvalidTransition, InvalidValue, MissingReason, UnknownKey
from coordinator.rules.transitions import Lifecycle


class InquiryStatus(LabelledStrEnum):
    """Where an inquiry stands; stored as its string value."""

    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    SCREENING = "screening", "Screening"
    VERIFYING = "verifying", "Verifying coverage or payment"
    PLACEMENT_OFFERED = "placement_offered", "Placement offered"
    ADMITTED = "admitted", "Admitted"
    DECLINED = "declined", "Declined"
    REFERRED_OUT = "referred_out", "Referred out"
    LOST = "lost", "Lost to follow-up"


class InquiryAction(LabelledStrEnum):
    """What staff can do to an inquiry."""

    RECORD_CONTACT = "record_contact", "Record first contact"
    START_SCREENING = "start_screening", "Start screening"
    START_VERIFICATION = "start_verification", "Start verification"
    OFFER_PLACEMENT = "offer_placement", "Offer placement"
    ADMIT = "admit", "Admit"
    DECLINE = "decline", "Decline"
    REFER_OUT = "refer_out", "Refer out"
    MARK_LOST = "mark_lost", "Mark as lost"
    REOPEN = "reopen", "Reopen"


S, A = InquiryStatus, InquiryAction
TRANSITIONS: dict[tuple[InquiryStatus, InquiryAction], InquiryStatus] = {
    (S.NEW, A.RECORD_CONTACT): S.CONTACTED,
    (S.NEW, A.MARK_LOST): S.LOST,
    (S.CONTACTED, A.START_SCREENING): S.SCREENING,
    (S.CONTACTED, A.DECLINE): S.DECLINED,
    (S.CONTACTED, A.REFER_OUT): S.REFERRED_OUT,
    (S.CONTACTED, A.MARK_LOST): S.LOST,
    (S.SCREENING, A.START_VERIFICATION): S.VERIFYING,
    (S.SCREENING, A.DECLINE): S.DECLINED,
    (S.SCREENING, A.REFER_OUT): S.REFERRED_OUT,
    (S.SCREENING, A.MARK_LOST): S.LOST,
    (S.VERIFYING, A.OFFER_PLACEMENT): S.PLACEMENT_OFFERED,
    (S.VERIFYING, A.DECLINE): S.DECLINED,
    (S.VERIFYING, A.REFER_OUT): S.REFERRED_OUT,
    (S.VERIFYING, A.MARK_LOST): S.LOST,
    (S.PLACEMENT_OFFERED, A.ADMIT): S.ADMITTED,
    (S.PLACEMENT_OFFERED, A.DECLINE): S.DECLINED,
    (S.PLACEMENT_OFFERED, A.REFER_OUT): S.REFERRED_OUT,
    (S.PLACEMENT_OFFERED, A.MARK_LOST): S.LOST,
    (S.DECLINED, A.REOPEN): S.CONTACTED,
    (S.LOST, A.REOPEN): S.CONTACTED,
}
del S, A
LIFECYCLE = Lifecycle("inquiry", TRANSITIONS, field="action")

EXITS = frozenset({InquiryStatus.DECLINED, InquiryStatus.REFERRED_OUT, InquiryStatus.LOST})
TERMINAL = frozenset({InquiryStatus.ADMITTED, InquiryStatus.REFERRED_OUT})
REASON_REQUIRED = frozenset(
    {action for (_, action), target in TRANSITIONS.items() if target in EXITS} | {InquiryAction.REOPEN}
)


def allowed_actions(status: InquiryStatus | str) -> tuple[InquiryAction, ...]:
    """Actions the table allows from `status`, in table order (empty when terminal)."""
    return LIFECYCLE.actions_from(_parse(status, InquiryStatus, "status", "inquiry status"))


def requires_reason(action: InquiryAction | str) -> bool:
    """True if `action` must be given a non-blank reason."""
    return _parse(action, InquiryAction, "action", "action") in REASON_REQUIRED


def next_status(current: InquiryStatus | str, action: InquiryAction | str, reason: str | None = None) -> InquiryStatus:
    """Status after `action`, or InvalidTransition / MissingReason when the table refuses it."""
    status = _parse(current, InquiryStatus, "status", "inquiry status")
    act = _parse(action, InquiryAction, "action", "action")
    target = TRANSITIONS.get((status, act))
    if target is None:
        allowed = allowed_actions(status)
        hint = (
            ("Allowed now: " + ", ".join(a.label for a in allowed) + ".")
            if allowed
            else ("This inquiry is closed: no further actions are possible.")
        )
        raise InvalidTransition(
            "action", f"Cannot {act.label.lower()} an inquiry whose status is {status.label}. {hint}"
        )
    if act in REASON_REQUIRED:
        if reason is not None and not isinstance(reason, str):
            raise InvalidValue("reason", "The reason must be text.")
        if reason is None or not reason.strip():
            raise MissingReason("reason", f"{act.label} needs a reason: say why, for the record.")
    return target


def _parse(value: object, enum: type[StrEnum], field: str, what: str):
    if isinstance(value, str) and value in {member.value for member in enum}:
        return enum(value)
    raise UnknownKey(field, f"Unknown {what}: {value!r}.")
