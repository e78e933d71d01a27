"""What the screening pages show: questions from the rules' own tables, and results put into words.

A stored Screening and an unsaved services.screenings.Assessment have the same attributes
(kind, answers, total, band, flags), so `describe` serves the saved page and the live preview
alike. Labels come from the rule modules; nothing here scores anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask import url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from coordinator.contracts.regimen import MAX_LINES, Regimen
from coordinator.contracts.screening import Supervision
from coordinator.rules import cows, dsm5_oud, gad7, medical_flags, mme, phq9
from coordinator.services import screenings

MAX_TOTALS = {
    "phq9": phq9.MAX_TOTAL,
    "gad7": gad7.MAX_TOTAL,
    "cows": cows.MAX_TOTAL,
    "dsm5_oud": len(dsm5_oud.OudCriterion),
}
BAND_LABELS = {
    "phq9": {band.value: band.label for band in phq9.Phq9Band},
    "gad7": {band.value: band.label for band in gad7.Gad7Band},
    "cows": {band.value: band.label for band in cows.CowsBand},
    "dsm5_oud": {severity.value: severity.label for severity in dsm5_oud.OudSeverity},
}
STEMS = {
    "phq9": phq9.STEM,
    "gad7": gad7.STEM,
    "cows": "Rate only what is attributable to opioid withdrawal (a pulse raised by climbing stairs does not count).",
}
UNITS = (mme.MG, mme.MCG, mme.MCG_PER_HR)
PURPOSES = (("pain", "Pain"), ("oud", "Opioid use disorder (MOUD)"))
MIN_REGIMEN_ROWS = 6
DRUG_NAMES = {d.key: d.name for d in mme.DRUGS}


@dataclass(frozen=True)
class Question:
    key: str
    number: int
    text: str
    options: tuple[tuple[int, str], ...]


def questions(kind: str) -> tuple[Question, ...]:
    """The items of a scored questionnaire, in order, with their allowed (score, wording) options."""
    if kind not in screenings.SCORED_ITEMS:
        return ()
    if kind == "cows":
        return tuple(Question(i.key, i.number, i.label, i.options) for i in cows.ITEMS)
    module = {"phq9": phq9, "gad7": gad7}[kind]
    return tuple(Question(key, n, text, module.RESPONSES) for n, (key, text) in enumerate(module.ITEMS, start=1))


def checklists() -> dict[str, tuple[tuple[str, str], ...]]:
    """(value, label) options for the checkbox questions, from the rules' own enums."""
    return {
        "criteria": tuple((c.value, c.label) for c in dsm5_oud.OudCriterion),
        "behaviours": tuple((b.value, b.label) for b in dsm5_oud.OudBehaviour),
        "medical_flags": tuple((f.value, f.label) for f in medical_flags.MedicalFlag),
        "supervision": tuple(Supervision.choices()),
    }


@dataclass(frozen=True)
class ResultView:
    """A result in words, ready for a template."""

    kind: str
    title: str
    headline: str
    band_label: str | None = None
    safety: tuple[str, ...] = ()
    reasons: tuple[tuple[str, str], ...] = ()  # (action label, message) for medical flags
    counted: tuple[str, ...] = ()
    excluded: tuple[tuple[str, str], ...] = ()
    icd10_family: str | None = None
    icd10_note: str | None = None
    behaviours: tuple[str, ...] = ()
    answers: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def plain_number(value) -> str:
    """A Decimal or int as people write it: 90, 7.5 (never 9E+1 or 90.0)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value.is_finite() else str(value)
    return str(value)


def describe(screening) -> ResultView:
    """Words for a stored Screening or an unsaved Assessment."""
    if screening.kind in screenings.SCORED_ITEMS:
        return _describe_scored(screening)
    if screening.kind == "dsm5_oud":
        return _describe_dsm5(screening)
    return _describe_medical(screening)


def _describe_scored(s) -> ResultView:
    answers = s.answers or {}
    shown = []
    for q in questions(s.kind):
        if q.key in answers:
            wording = dict(q.options).get(answers[q.key], "")
            shown.append((f"{q.number}. {q.text}", f"{answers[q.key]} - {wording}"))
    return ResultView(
        kind=s.kind,
        title=screenings.KIND_LABELS[s.kind],
        headline=f"{plain_number(s.total)} of {MAX_TOTALS[s.kind]}",
        band_label=BAND_LABELS[s.kind].get(s.band, s.band),
        safety=tuple(f["message"] for f in s.flags or () if f.get("code") in screenings.SAFETY_FLAG_CODES),
        answers=tuple(shown),
    )


def _criterion_label(value: str) -> str:
    try:
        return dsm5_oud.OudCriterion(value).label
    except ValueError:
        return value


def _describe_dsm5(s) -> ResultView:
    answers, flags = s.answers or {}, s.flags or ()
    excluded = {f["item"]: f["message"] for f in flags if f.get("code") == "excluded_criterion"}
    icd = next((f for f in flags if f.get("code") == "icd10_family"), None)
    reported = answers.get("criteria", [])
    supervised = answers.get(screenings.SUPERVISION_FIELD)
    behaviours = []
    for value in answers.get("behaviours", []):
        try:
            behaviours.append(dsm5_oud.OudBehaviour(value).label)
        except ValueError:
            behaviours.append(value)
    return ResultView(
        kind=s.kind,
        title=screenings.KIND_LABELS[s.kind],
        headline=f"{plain_number(s.total)} of {MAX_TOTALS['dsm5_oud']} criteria counted",
        band_label=BAND_LABELS["dsm5_oud"].get(s.band, s.band),
        counted=tuple(_criterion_label(c) for c in reported if c not in excluded),
        excluded=tuple((_criterion_label(c), reason) for c, reason in excluded.items()),
        icd10_family=icd["item"] if icd else None,
        icd10_note=icd["message"] if icd else None,
        behaviours=tuple(behaviours),
        answers=(
            (
                "Taken as prescribed under medical supervision",
                {True: "Yes", False: "No"}.get(supervised, "Not answered"),
            ),
        ),
        notes=(dsm5_oud.CLINICIAN_NOTE,),
    )


_ACTION_LABELS = {
    medical_flags.DetoxAction.PARTNER_HOSPITAL_DETOX.value: "Partner-hospital detox",
    medical_flags.DetoxAction.OBSTETRIC_COORDINATION.value: "Obstetric coordination",
}


def _describe_medical(s) -> ResultView:
    answers, flags = s.answers or {}, s.flags or ()
    chosen = []
    for value in answers.get("flags", []):
        try:
            chosen.append(medical_flags.MedicalFlag(value).label)
        except ValueError:
            chosen.append(value)
    shown = [("Reported", "; ".join(chosen) or "None of the listed conditions")]
    if answers.get("last_overdose_on"):
        shown.append(("Last overdose", answers["last_overdose_on"]))
    shown.append(
        (
            "MME/day used",
            f"{answers['mme_per_day']} MME/day"
            if answers.get("mme_per_day") is not None
            else "No current opioid regimen recorded",
        )
    )
    count = len(flags)
    return ResultView(
        kind=s.kind,
        title=screenings.KIND_LABELS[s.kind],
        headline=(
            f"{count} reason{'s' if count != 1 else ''} to plan before admission"
            if count
            else "No medical flags raised"
        ),
        reasons=tuple((_ACTION_LABELS.get(f.get("item"), ""), f["message"]) for f in flags),
        answers=tuple(shown),
        notes=("Reasons for the clinician to consider, never a placement decision.",),
    )


# --- MME ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MmeView:
    total: str
    lines: tuple[tuple[int, str, str, str], ...]  # (row number, medicine, working, MME/day)
    excluded: tuple[tuple[int, str, str], ...]  # (row number, medicine, reason)
    flags: tuple[mme.MmeFlag, ...]
    cautions: tuple[str, ...]


def describe_mme(regimen: Regimen) -> MmeView:
    """Each counted line with its working, each excluded line with its reason, and the flags."""
    result, numbers = regimen.result, regimen.rows
    counted = []
    for line in result.lines:
        taken = regimen.lines[line.index]
        if line.daily_dose_unit == mme.MCG_PER_HR:
            working = f"{plain_number(taken.dose)} mcg/hr patch \u00d7 {plain_number(line.factor)}"
        else:
            working = (
                f"{plain_number(taken.dose)} {taken.unit} \u00d7 {taken.doses_per_day} a day = "
                f"{plain_number(line.daily_dose)} mg/day \u00d7 {plain_number(line.factor)}"
            )
        counted.append((numbers[line.index] + 1, line.name, working, plain_number(line.mme_per_day)))
    excluded = tuple((numbers[e.index] + 1, e.name, e.reason) for e in result.excluded)
    return MmeView(plain_number(result.total_mme_per_day), tuple(counted), excluded, result.flags, result.cautions)


def stored_mme_flags(total: Decimal | None) -> tuple[mme.MmeFlag, ...]:
    return () if total is None else mme.threshold_flags(total)


# --- forms --------------------------------------------------------------------------------------


def form_problems(form) -> tuple[dict[str, list[str]], list[str]]:
    """A form's messages by field name (`regimen-0-dose` for a row's field) and all of them in
    order, for pages that show each answer's problem beside it and a summary above."""
    by_name: dict[str, list[str]] = {}
    for field_ in form:
        for sub in getattr(field_, "entries", None) or ():
            for part in sub:
                if part.errors:
                    by_name[part.name] = list(part.errors)
        messages = [m for m in field_.errors if isinstance(m, str)]  # a FieldList also lists its rows'
        if messages and field_.name != "csrf_token":
            by_name[field_.name] = messages
    every = list(form.form_errors) + [m for name in by_name for m in by_name[name]]
    return by_name, every


def regimen_form_rows(rows) -> list[dict]:
    """The values of a form's regimen rows, as the `regimen_rows` macro takes them."""
    return [entry.data for entry in rows]


def regimen_saved(mme_per_day: Decimal | None) -> str:
    """What to tell staff once the regimen is saved."""
    total = "no opioids recorded" if mme_per_day is None else f"{plain_number(mme_per_day)} MME/day"
    return f"Opioid regimen saved: {total}."


def regimen_data(lines) -> dict:
    """Stored regimen lines as the regimen form's data (doses as people write them)."""
    return {
        "regimen": [
            {
                "drug": line.drug,
                "dose": plain_number(line.dose),
                "unit": line.unit,
                "doses_per_day": line.doses_per_day or "",
                "purpose": line.purpose,
            }
            for line in lines
        ]
    }


# --- template helpers -----------------------------------------------------------------------------


def inquiry_url(inquiry_id: int) -> str | None:
    """The inquiry's own page, when the intake pages that show it are installed."""
    try:
        return url_for("inquiries.detail", inquiry_id=inquiry_id)
    except BuildError:
        return None


def regimen_choices() -> dict:
    """Options for the regimen rows macro (drugs from the CDC 2022 catalogue in the MME rule)."""
    return {
        "drugs": [(d.key, d.name, " ".join(d.units)) for d in mme.DRUGS],
        "units": UNITS,
        "purposes": PURPOSES,
        "max_rows": MAX_LINES,
        "min_rows": MIN_REGIMEN_ROWS,
    }


@dataclass(frozen=True)
class CardRow:
    kind: str
    title: str
    screening: object | None
    result: ResultView | None
    can_record: bool


@dataclass(frozen=True)
class Card:
    rows: tuple[CardRow, ...]
    mme_per_day: str | None
    mme_flags: tuple[mme.MmeFlag, ...]
    safety: tuple[str, ...]
    can_edit_regimen: bool


def screening_card(inquiry, latest) -> Card:
    """The compact summary the inquiry page shows: latest of each kind, MME and safety flags."""
    latest = latest or {}
    user = current_user._get_current_object() if current_user.is_authenticated else None
    rows = []
    for kind, title in screenings.KINDS:
        s = latest.get(kind)
        rows.append(
            CardRow(
                kind,
                title,
                s,
                describe(s) if s is not None else None,
                user is not None and screenings.can_record(user, kind),
            )
        )
    phq = latest.get("phq9")
    safety = describe(phq).safety if phq is not None else ()
    return Card(
        rows=tuple(rows),
        mme_per_day=None if inquiry.mme_per_day is None else plain_number(inquiry.mme_per_day),
        mme_flags=stored_mme_flags(inquiry.mme_per_day),
        safety=safety,
        can_edit_regimen=user is not None and screenings.can_edit_regimen(user),
    )
