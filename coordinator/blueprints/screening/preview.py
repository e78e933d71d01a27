"""Live previews: what the rules make of a form so far, while staff are still filling it in.

Nothing is read from or written to the database. A half-filled questionnaire is scored with its
unanswered items at 0, so the running total is a floor ("at least moderate"), never a guess
upward; an unfinished regimen row is left out of the total and named.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from coordinator.blueprints.screening.display import MmeView, ResultView, describe, describe_mme
from coordinator.errors import ValidationFailed
from coordinator.rules import mme
from coordinator.rules.errors import RuleError
from coordinator.services import screenings


@dataclass(frozen=True)
class Preview:
    kind: str
    result: ResultView | None = None
    mme: MmeView | None = None
    errors: tuple[str, ...] = ()
    progress: str | None = None
    provisional: bool = False
    empty: str | None = None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def build(kind: str, form: Mapping, *, today: date, mme_per_day=None) -> Preview:
    """The preview for `kind` from posted fields (`mme_per_day` overrides the posted one)."""
    if kind == "mme":
        return _regimen(form)
    if kind in screenings.SCORED_ITEMS:
        return _scored(kind, form, today)
    if kind == "dsm5_oud":
        return _dsm5(form, today)
    posted_mme = form.get("mme_per_day") if mme_per_day is None else mme_per_day
    try:
        return Preview(kind, result=describe(screenings.assess(kind, form, today=today, mme_per_day=posted_mme)))
    except ValidationFailed as failure:
        return Preview(kind, errors=tuple(m for _, m in failure.reasons))


def _scored(kind: str, form: Mapping, today: date) -> Preview:
    keys = screenings.SCORED_ITEMS[kind]
    answered = [key for key in keys if not _blank(form.get(key))]
    progress = f"{len(answered)} of {len(keys)} answered so far"
    try:
        return Preview(kind, result=describe(screenings.assess(kind, form, today=today)))
    except ValidationFailed as failure:
        missing = set(keys) - set(answered)
        wrong = [message for field, message in failure.reasons if field not in missing]
    if wrong:
        return Preview(kind, errors=tuple(wrong), progress=progress)
    if not answered:
        return Preview(kind, empty="No answers yet: the total appears as you choose them.")
    # Unanswered items scored 0: the running total can only go up from here.
    filled = {key: form.get(key) for key in answered} | {key: "0" for key in missing}
    partial = screenings.assess(kind, filled, today=today)
    return Preview(kind, result=describe(partial), progress=progress, provisional=True)


def _dsm5(form: Mapping, today: date) -> Preview:
    reasons = screenings.problems("dsm5_oud", form, today=today)
    if not reasons:
        return Preview("dsm5_oud", result=describe(screenings.assess("dsm5_oud", form, today=today)))
    if any(field != screenings.SUPERVISION_FIELD for field, _ in reasons):
        return Preview("dsm5_oud", errors=tuple(m for _, m in reasons))
    # Supervision not answered yet: count everything reported, and say what the answer changes.
    answered = {
        key: form.getlist(key) if hasattr(form, "getlist") else form.get(key) for key in ("criteria", "behaviours")
    }
    partial = screenings.assess("dsm5_oud", answered | {screenings.SUPERVISION_FIELD: "no"}, today=today)
    return Preview(
        "dsm5_oud",
        result=describe(partial),
        provisional=True,
        progress="Answer whether the opioid is taken as prescribed under medical supervision: "
        "if it is, tolerance and withdrawal will not count.",
    )


def _regimen(form: Mapping) -> Preview:
    try:
        lines, numbers = screenings.parse_regimen(form)
    except ValidationFailed as failure:
        return Preview("mme", errors=tuple(m for _, m in failure.reasons))
    if not lines:
        return Preview("mme", empty="No medicines entered yet: the MME/day appears as you add them.")
    good, good_numbers, errors = [], [], []
    for line, number in zip(lines, numbers, strict=True):
        try:
            mme.calculate_mme([line])
        except RuleError as err:
            errors += [f"Medicine {number + 1}: {message}" for _, message in err.errors]
        else:
            good.append(line)
            good_numbers.append(number)
    view = describe_mme(mme.calculate_mme(good), good, good_numbers) if good else None
    progress = None
    if errors and good:
        progress = f"Total from {len(good)} of {len(lines)} medicines; finish the others to include them."
    return Preview("mme", mme=view, errors=tuple(errors), progress=progress, provisional=bool(errors))
