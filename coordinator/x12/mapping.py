"""Turn a parsed 271 into a draft verification: overall status plus one LineDraft per service line.

A person confirms the draft before it is saved; this module only proposes values and explains,
in `notes`, everything it could not place. Which EB03 service types feed which line
(`LINE_SOURCES`), most specific first:

    line              specific                                   general       plan
    sud_residential   CI                                         AI, AJ, AK    30
    sud_outpatient    CJ, BB                                     AI, AJ, AK    30
    mental_health     MH, CE, CF, CG, CH, A4, A5, A6, A7, A8,    -             30
                      BB, BC, BD, RT
    pharmacy          88                                         -             30

An EB without service types counts as plan level (like 30). Each field of a line is taken from
the most specific tier that reports it, so a CI co-insurance beats a plan-wide one while the
deductible can still come from 30. Within a tier, in-network (EB12 Y) beats unspecified (W, U or
empty); out-of-network (N) figures are never used for a field: when they are all there is, the
field stays empty and a note says so.

Field rules: EB*C deductible and EB*G out-of-pocket by EB02 (IND/EMP individual, FAM family),
EB06 29/33 giving the remaining amount (met = total - remaining), EB06 24 the amount met so far;
EB*B copay with EB06 27/7/36 as per visit/day/admission; EB*A co-insurance as EB08 x 100;
EB*F with EB09 DY/VS/HS and EB10 as the limit; EB01 1-5 covered, 6-8 and I not covered; EB11
Y/N prior authorization; EB*U with its 2120 entity as a carve-out. Status: any AAA rejection ->
needs_information; else any active EB -> verified_active; else any inactive -> inactive; else
(V cannot process, or no status) needs_information.

`service_lines` holds the line table, the tiers and `provenance`; `line_fields` the facts each
EB offers and the precedence that picks each field of a line; this module the status, the plan
facts and the draft as a whole, and it keeps the names callers import from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coordinator.x12.codes import ACTIVE_CODES, INACTIVE_CODES
from coordinator.x12.line_fields import LineDraft, line_draft, note_benefits
from coordinator.x12.results import Benefit, EligibilityResponse, Member, Rejection
from coordinator.x12.service_lines import (
    GENERAL,
    LINE_LABELS,
    LINE_SOURCES,
    MENTAL_HEALTH,
    PHARMACY,
    PLAN,
    SPECIFIC,
    SUD_OUTPATIENT,
    SUD_RESIDENTIAL,
    Notes,
    provenance,
    tier_of,
)

__all__ = [
    "GENERAL",
    "LINE_LABELS",
    "LINE_SOURCES",
    "MENTAL_HEALTH",
    "PHARMACY",
    "PLAN",
    "SPECIFIC",
    "SUD_OUTPATIENT",
    "SUD_RESIDENTIAL",
    "LineDraft",
    "VerificationDraft",
    "draft_from_271",
    "provenance",
    "tier_of",
]


@dataclass(frozen=True)
class VerificationDraft:
    """The whole proposal: status, plan facts, per-line drafts and what a person should read."""

    status: str
    insurance_type: str | None
    plan_description: str | None
    plan_begin: date | None
    plan_end: date | None
    member_id: str | None
    group_number: str | None
    payer_reference: str | None
    lines: dict[str, LineDraft]
    notes: tuple[str, ...]
    rejections: tuple[str, ...]


def draft_from_271(response: EligibilityResponse) -> VerificationDraft:
    """The verification draft for the patient in `response` (the dependent when there is one)."""
    patient = response.dependent or response.subscriber
    patient_level = "dependent" if response.dependent else "subscriber"
    benefits = [b for b in response.benefits if b.member_level == patient_level]
    notes = Notes()
    lines = {line: line_draft(line, benefits, notes) for line in LINE_SOURCES}
    note_benefits(benefits, notes)
    if response.dependent and len(benefits) < len(response.benefits):
        notes.add(
            f"{len(response.benefits) - len(benefits)} benefit line(s) given for the "
            f"subscriber were not used: the patient is the dependent."
        )
    plan = _plan_benefit(benefits)
    begin, end = _plan_dates(patient, response.subscriber)
    return VerificationDraft(
        status=_status(response, benefits),
        insurance_type=plan.insurance_type if plan else None,
        plan_description=plan.plan_description if plan else None,
        plan_begin=begin,
        plan_end=end,
        member_id=response.subscriber.member_id if response.subscriber else None,
        group_number=_group_number(patient, response.subscriber),
        payer_reference=_payer_reference(patient, response.subscriber),
        lines=lines,
        notes=notes.render(),
        rejections=tuple(_rejection_text(r) for r in response.rejections),
    )


def _status(response: EligibilityResponse, benefits: list[Benefit]) -> str:
    """verified_active, inactive or needs_information (see the module docstring)."""
    codes = {benefit.code for benefit in benefits}
    if response.rejections:
        return "needs_information"
    if codes & ACTIVE_CODES:
        return "verified_active"
    if codes & INACTIVE_CODES:
        return "inactive"
    return "needs_information"


def _plan_benefit(benefits: list[Benefit]) -> Benefit | None:
    """The EB that best describes the plan: a status EB with EB04 or EB05, plan level first."""
    status = [
        b for b in benefits if b.code in ACTIVE_CODES | INACTIVE_CODES and (b.insurance_type or b.plan_description)
    ]
    plan_level = [b for b in status if not b.service_types or "30" in b.service_types]
    return (plan_level or status or [None])[0]


def _plan_dates(*members: Member | None) -> tuple[date | None, date | None]:
    """Plan begin/end from DTP 346/347, else a 291 plan range, else eligibility 356/357/307."""
    for member in members:
        if member is None:
            continue
        dates = member.dates
        begin = _first_date(dates, "346") or _first_date(dates, "356")
        end = _first_date(dates, "347") or _first_date(dates, "357")
        for ranged in ("291", "307"):
            if ranged in dates and dates[ranged][1] is not None:
                begin, end = begin or dates[ranged][0], end or dates[ranged][1]
        if begin or end:
            return begin, end
    return None, None


def _first_date(dates: dict[str, tuple[date, date | None]], qualifier: str) -> date | None:
    """The (start) date for `qualifier`, if the member has it."""
    return dates[qualifier][0] if qualifier in dates else None


def _group_number(patient: Member | None, subscriber: Member | None) -> str | None:
    """The patient's own group number, else the subscriber's."""
    for member in (patient, subscriber):
        if member is not None and member.group_number:
            return member.group_number
    return None


def _payer_reference(patient: Member | None, subscriber: Member | None) -> str | None:
    """The payer's own trace (TRN01 = 1, current transaction) for quoting on the phone."""
    for member in (patient, subscriber):
        for trace in member.trace_numbers if member else ():
            if trace.type_code == "1":
                return trace.reference
    return None


def _rejection_text(rejection: Rejection) -> str:
    """'Subscriber: Invalid/Missing Subscriber/Insured ID (AAA 72). Please Correct and
    Resubmit.'"""
    text = f"{rejection.level.capitalize()}: {rejection.reason} (AAA {rejection.code})."
    if rejection.follow_up:
        text += f" {rejection.follow_up}."
    elif rejection.follow_up_code:
        text += f" Follow-up code {rejection.follow_up_code}."
    return text
