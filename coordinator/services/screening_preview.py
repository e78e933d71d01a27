"""Live previews: what the rules make of a screening or a regimen while staff are still typing it.

The input is a draft contract (`contracts/screening.DRAFTS`): nothing is required yet. Nothing is
read from or written to the database. The policy for unfinished input lives here:

- a questionnaire is scored with its unanswered items at 0, so the running total is a floor
  ("7 of 9 answered so far", "at least moderate"), never a guess upward;
- DSM-5 criteria are counted as if the supervision question were answered "no" until it is,
  and the preview says what a "yes" would change;
- a regimen row the MME rule cannot use yet is left out of the total and named.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from coordinator.contracts.base import Contract
from coordinator.contracts.regimen import Regimen, RegimenRow
from coordinator.contracts.screening import (
    Dsm5OudDraft,
    MedicalFlagsDraft,
    QuestionnaireInput,
    RegimenDraft,
    Supervision,
)
from coordinator.errors import ValidationFailed
from coordinator.rules import mme
from coordinator.rules.errors import RuleError
from coordinator.services import screenings
from coordinator.services.screenings import Assessment

FLOOR_ANSWER = "0"
SUPERVISION_NOTE = (
    "Answer whether the opioid is taken as prescribed under medical supervision: "
    "if it is, tolerance and withdrawal will not count."
)


@dataclass(frozen=True)
class Preview:
    """What to show beside a form: a result (maybe provisional), progress, or what to fix."""

    kind: str
    assessment: Assessment | None = None
    regimen: Regimen | None = None
    errors: tuple[str, ...] = ()
    progress: str | None = None
    provisional: bool = False
    empty: str | None = None


def refused(kind: str, failure: ValidationFailed) -> Preview:
    """The preview of a draft its contract refused: what to fix, no result."""
    return Preview(kind, errors=tuple(message for _, message in failure.reasons))


def preview(data: Contract, *, mme_per_day: Decimal | None = None) -> Preview:
    """The live result for a draft (`mme_per_day`, the inquiry's, overrides the one posted).
    Never raises ValidationFailed: what the rules refuse becomes the preview's errors."""
    if isinstance(data, RegimenDraft):
        return _regimen(data.regimen)
    if isinstance(data, QuestionnaireInput):
        return _questionnaire(data)
    if isinstance(data, Dsm5OudDraft):
        return _dsm5(data)
    if isinstance(data, MedicalFlagsDraft):
        mme_per_day = data.mme_per_day if mme_per_day is None else mme_per_day
    try:
        return Preview(data.kind, assessment=screenings.assess(data, mme_per_day=mme_per_day))
    except ValidationFailed as failure:
        return refused(data.kind, failure)


def _questionnaire(data: QuestionnaireInput) -> Preview:
    missing = data.unanswered()
    progress = f"{len(data.items) - len(missing)} of {len(data.items)} answered so far"
    try:
        return Preview(data.kind, assessment=screenings.assess(data))
    except ValidationFailed as failure:
        wrong = tuple(message for field, message in failure.reasons if field not in missing)
    if wrong:
        return Preview(data.kind, errors=wrong, progress=progress)
    if len(missing) == len(data.items):
        return Preview(data.kind, empty="No answers yet: the total appears as you choose them.")
    # Unanswered items scored 0: the running total can only go up from here.
    floor = screenings.assess(data.with_answers(dict.fromkeys(missing, FLOOR_ANSWER)))
    return Preview(data.kind, assessment=floor, progress=progress, provisional=True)


def _dsm5(data: Dsm5OudDraft) -> Preview:
    if data.supervised is not None:
        return Preview(data.kind, assessment=screenings.assess(data))
    # Supervision not answered yet: count everything reported, and say what the answer changes.
    unsupervised = data.model_copy(update={"taken_as_prescribed_under_supervision": Supervision.NO})
    return Preview(data.kind, assessment=screenings.assess(unsupervised), provisional=True, progress=SUPERVISION_NOTE)


def _regimen(rows: tuple[RegimenRow, ...]) -> Preview:
    if not rows:
        return Preview("mme", empty="No medicines entered yet: the MME/day appears as you add them.")
    lines, numbers, errors = [], [], []
    for row in rows:
        try:
            lines.append(row.line.to_line())
        except RuleError as err:
            errors += [f"Medicine {row.number + 1}: {message}" for _, message in err.errors]
        else:
            numbers.append(row.number)
    regimen = Regimen(tuple(lines), tuple(numbers), mme.calculate_mme(lines)) if lines else None
    progress = None
    if errors and lines:
        progress = f"Total from {len(lines)} of {len(rows)} medicines; finish the others to include them."
    return Preview("mme", regimen=regimen, errors=tuple(errors), progress=progress, provisional=bool(errors))
