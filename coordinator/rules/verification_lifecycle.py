"""Where a verification of benefits stands, the moves it may make, and what confirming needs.

Three different things were once one "draft": a visitor's request to check their benefits
(nothing found yet), a draft made from a payer's 271 file (findings proposed, not vouched for)
and a confirmed verification (someone vouches for the findings; only these count toward
clearance). One row carries one check through its stages:

    requested --import_271--> draft --correct--> draft
    requested --record------> confirmed          (a phone or portal check fills the request in)
    draft     --confirm-----> confirmed
    requested | draft --discard--> discarded     (with a reason; nothing is deleted)

`confirmed` and `discarded` are final. Confirming needs findings (`missing_findings`): whether
coverage is active or inactive and, for active coverage, the plan year's first day and at least
one service line saying whether it is covered. A request never reaches `confirmed` without them
either: recording a check goes through the verification form, which asks for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from coordinator.domain.insurance import VerificationStatus
from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.transitions import Lifecycle


class VerificationStage(LabelledStrEnum):
    REQUESTED = "requested", "Verification requested"
    DRAFT = "draft", "271 draft to review"
    CONFIRMED = "confirmed", "Confirmed"
    DISCARDED = "discarded", "Discarded"


class VerificationAction(LabelledStrEnum):
    IMPORT_271 = "import_271", "Import a 271"
    RECORD = "record", "Record the check"
    CORRECT = "correct", "Correct"
    CONFIRM = "confirm", "Confirm"
    DISCARD = "discard", "Discard"


S, A = VerificationStage, VerificationAction
TRANSITIONS: dict[tuple[VerificationStage, VerificationAction], VerificationStage] = {
    (S.REQUESTED, A.IMPORT_271): S.DRAFT,
    (S.REQUESTED, A.RECORD): S.CONFIRMED,
    (S.REQUESTED, A.DISCARD): S.DISCARDED,
    (S.DRAFT, A.CORRECT): S.DRAFT,
    (S.DRAFT, A.CONFIRM): S.CONFIRMED,
    (S.DRAFT, A.DISCARD): S.DISCARDED,
}
del S, A
LIFECYCLE = Lifecycle("verification", TRANSITIONS, field="stage")

# What the check found, when it found something (the other statuses say it has not yet).
FINDINGS = frozenset({VerificationStatus.VERIFIED_ACTIVE, VerificationStatus.INACTIVE})


def missing_findings(
    status: VerificationStatus, plan_begin: date | None, lines_covered: Iterable[bool | None]
) -> list[str]:
    """What a verification still lacks before it may be confirmed, in words staff act on
    (empty when it may be). `lines_covered` is each stored service line's "covered" answer."""
    if status not in FINDINGS:
        return [
            f"Say what the payer found: coverage active or inactive (it says “{status.label.lower()}”). "
            "Correct the draft first."
        ]
    if status is not VerificationStatus.VERIFIED_ACTIVE:
        return []
    missing = []
    if plan_begin is None:
        missing.append("Enter the plan year's first day (from the 271's plan dates or the payer).")
    if not any(covered is not None for covered in lines_covered):
        missing.append("Record at least one service line and whether it is covered.")
    return missing
