"""Insurance on an inquiry: coverages, verifications of benefits, the 270/271 exchange, estimates.

Everything hangs off the inquiry (an admission is 1:1 with its inquiry), so a coverage stays
editable after admission. The caller checks access first (`finance_access.require`, which
audits the read); these functions validate, change the models, audit every change and flush.
They never commit.

Decisions a reader needs to know:

- **Coverage input.** Member ids and group numbers are kept as printed minus spaces (cards print
  "XYZ 1234 5678"; payers match "XYZ12345678"): letters, digits and dashes only, so they can
  always go into a 270 unchanged. A payer is chosen from the active list (a coverage keeps a
  payer that was retired later), or the insurer's name is typed; a chosen payer wins over a
  typed name. The subscriber's name and birth date are required unless the patient is the
  insured, and are cleared when the patient is.
- **Manual verifications** (phone, portal) are confirmed on save: the person who recorded the
  check vouches for it (`verified_*` and `confirmed_*` are the actor and now). A service line
  whose fields are all blank is not stored. Benefit amounts are stored to the cent, so a
  currency with three or four decimal places is refused here.
- **Only drafts are edited.** A confirmed verification is the record of one check and is never
  rewritten; a newer check is a new verification (the latest confirmed one counts). A draft
  (from a 271) may be corrected field by field and stays a draft until someone confirms it.
- **271 import** keeps the file's text, turns notes and AAA rejections into findings and never
  refuses a member-id mismatch (it is written into the findings instead). A file the parser
  refuses changes nothing: the error names the problem on the "file" field.
- **270** names are split on the last space ("Mary Ann Smith" -> last "Smith", first "Mary
  Ann"), or on a comma when there is one ("Smith, Mary Ann"); a one-word name is refused
  because payers match on both. Sender and receiver ids come from X12_SENDER_ID and
  X12_RECEIVER_ID when set; otherwise the provider's NPI and the payer's id stand in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from coordinator.clock import clinic_today
from coordinator.domain.audit import AuditAction
from coordinator.domain.insurance import (
    CopayPer,
    CoverageRank,
    LimitUnit,
    NetworkStatus,
    PlanType,
    ServiceLine,
    SubscriberRelationship,
    VerificationMethod,
    VerificationStatus,
)
from coordinator.domain.intake import Channel, Sex
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import (
    BenefitVerification,
    Coverage,
    Inquiry,
    Payer,
    User,
    VerificationLine,
    utcnow,
)
from coordinator.rules import money
from coordinator.rules.errors import RuleError
from coordinator.rules.estimate import Estimate, EstimateInput, estimate_stay
from coordinator.services import audit
from coordinator.x12.build270 import EligibilityRequest, Person, X12BuildError, build_270
from coordinator.x12.codes import INSURANCE_TYPES
from coordinator.x12.mapping import draft_from_271
from coordinator.x12.parse271 import X12ParseError, parse_271

OLDEST_BIRTH_YEAR = 1900
MEMBER_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{1,79}$")
GROUP_NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,49}$")
PAYER_REFERENCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-/#]{0,79}$")
NOTES_LIMIT = 2000
MAX_LIMIT_QUANTITY = 10_000
# How a manual verification may have been made (a 271 arrives through import_271 only).
MANUAL_METHODS = (VerificationMethod.PHONE, VerificationMethod.PORTAL)
# What staff type per service line, in the order the form shows them.
LINE_AMOUNTS = (
    "deductible_individual",
    "deductible_individual_met",
    "deductible_family",
    "deductible_family_met",
    "oop_individual",
    "oop_individual_met",
    "oop_family",
    "oop_family_met",
    "copay",
)
LINE_FIELDS = (
    "covered",
    *LINE_AMOUNTS,
    "copay_per",
    "coinsurance_percent",
    "prior_auth_required",
    "limit_quantity",
    "limit_unit",
    "limit_period",
    "carve_out",
    "notes",
)
AMOUNT_LABELS = {
    "deductible_individual": "individual deductible",
    "deductible_individual_met": "individual deductible met",
    "deductible_family": "family deductible",
    "deductible_family_met": "family deductible met",
    "oop_individual": "individual out-of-pocket maximum",
    "oop_individual_met": "individual out-of-pocket met",
    "oop_family": "family out-of-pocket maximum",
    "oop_family_met": "family out-of-pocket met",
    "copay": "co-pay",
}
MET_PAIRS = (
    ("deductible_individual", "deductible_individual_met", "deductible"),
    ("deductible_family", "deductible_family_met", "deductible"),
    ("oop_individual", "oop_individual_met", "out-of-pocket maximum"),
    ("oop_family", "oop_family_met", "out-of-pocket maximum"),
)
YES_NO = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False, "": None, "unknown": None}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def line_field(service_line: ServiceLine | str, name: str) -> str:
    """The form field (and error key) for one service line's value: "sud_residential__copay"."""
    return f"{ServiceLine(service_line).value}__{name}"


# --- small parsers: each appends (field, message) to `problems` and returns a clean value ----------


def _text(
    data: Mapping,
    field: str,
    limit: int,
    problems: list,
    *,
    required: str | None = None,
    multiline: bool = False,
    label: str | None = None,
) -> str | None:
    value = data.get(field)
    if value is None or value == "":
        if required:
            problems.append((field, required))
        return None
    if not isinstance(value, str):
        problems.append((field, "Enter text here."))
        return None
    value = value.strip()
    if "\x00" in value or (not multiline and ("\n" in value or "\r" in value or _CONTROL.search(value))):
        problems.append((field, "This text contains a character that is not allowed."))
        return None
    if multiline and _CONTROL.search(value):
        problems.append((field, "This text contains a character that is not allowed."))
        return None
    if len(value) > limit:
        problems.append((field, f"Use at most {limit} characters (this has {len(value)})."))
        return None
    if not value and required:
        problems.append((field, required))
    return value or None


def _choice(data: Mapping, field: str, enum, problems: list, *, required: str | None = None, default=None):
    value = data.get(field)
    if isinstance(value, enum):
        return value
    if value is None or value == "":
        if required:
            problems.append((field, required))
        return default
    if not isinstance(value, str) or value not in enum._value2member_map_:
        problems.append((field, "Choose one of the options offered."))
        return default
    return enum(value)


def _date(data: Mapping, field: str, problems: list, label: str) -> date | None:
    value = data.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value.strip()) <= 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.append((field, f"Enter the {label} as a real date (YYYY-MM-DD)."))
    return None


def _int(
    data: Mapping, field: str, problems: list, label: str, *, minimum: int = 0, maximum: int = MAX_LIMIT_QUANTITY
) -> int | None:
    value = data.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        problems.append((field, f"Enter the {label} as a whole number."))
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text.isascii() or not text.isdecimal() or len(text) > 9:
            problems.append((field, f"Enter the {label} as a whole number from {minimum} to {maximum:,}."))
            return None
        value = int(text)
    if not isinstance(value, int) or not minimum <= value <= maximum:
        problems.append((field, f"Enter the {label} as a whole number from {minimum} to {maximum:,}."))
        return None
    return value


def _yes_no(data: Mapping, field: str, problems: list) -> bool | None:
    value = data.get(field)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in YES_NO:
        return YES_NO[value.strip().lower()]
    problems.append((field, "Choose yes, no or not known."))
    return None


def _birth_date(data: Mapping, field: str, problems: list, today: date, label: str) -> date | None:
    value = _date(data, field, problems, label)
    if value is None:
        return None
    if value > today:
        problems.append((field, f"The {label} cannot be in the future."))
    elif value.year < OLDEST_BIRTH_YEAR:
        problems.append((field, f"The {label} cannot be before {OLDEST_BIRTH_YEAR}."))
    return value


def _identifier(data: Mapping, field: str, pattern: re.Pattern, problems: list, message: str) -> str | None:
    value = data.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        problems.append((field, message))
        return None
    compact = re.sub(r"\s+", "", value)
    if not compact:
        return None
    if not pattern.match(compact):
        problems.append((field, message))
        return None
    return compact


def _rule_problem(problems: list, error: RuleError) -> None:
    problems.extend(error.errors)


# --- coverages -------------------------------------------------------------------------------------


def active_payers() -> list[Payer]:
    return list(
        db.session.scalars(sa.select(Payer).where(Payer.is_active.is_(True)).order_by(sa.func.lower(Payer.name)))
    )


def coverages_for(inquiry: Inquiry) -> list[Coverage]:
    """The inquiry's coverages, primary first, with their payers (one query)."""
    rank_order = sa.case((Coverage.rank == CoverageRank.PRIMARY, 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(Coverage)
            .where(Coverage.inquiry_id == inquiry.id)
            .options(joinedload(Coverage.payer))
            .order_by(rank_order, Coverage.id)
        )
    )


def load_coverage(coverage_id: int) -> Coverage | None:
    return db.session.get(Coverage, coverage_id, options=[joinedload(Coverage.payer)])


def _clean_coverage(data: Mapping, inquiry: Inquiry, coverage: Coverage | None, today: date) -> dict:
    problems: list = []
    rank = _choice(data, "rank", CoverageRank, problems, required="Choose primary or secondary.")
    if rank is not None:
        clash = db.session.scalar(
            sa.select(Coverage.id).where(Coverage.inquiry_id == inquiry.id, Coverage.rank == rank)
        )
        if clash is not None and (coverage is None or clash != coverage.id):
            other = "secondary" if rank is CoverageRank.PRIMARY else "primary"
            problems.append(
                (
                    "rank",
                    f"This inquiry already has a {rank.value} coverage: edit that one, or add this one as {other}.",
                )
            )

    payer_id = None
    raw_payer = data.get("payer_id")
    if raw_payer not in (None, ""):
        payer = None
        if isinstance(raw_payer, int) and not isinstance(raw_payer, bool):
            payer = db.session.get(Payer, raw_payer)
        elif isinstance(raw_payer, str) and raw_payer.strip().isdecimal() and len(raw_payer.strip()) < 10:
            payer = db.session.get(Payer, int(raw_payer.strip()))
        if payer is None or not (payer.is_active or (coverage is not None and coverage.payer_id == payer.id)):
            problems.append(("payer_id", "Choose a payer from the list."))
        else:
            payer_id = payer.id
    payer_name = _text(data, "payer_name", 120, problems)
    if payer_id is not None:
        payer_name = None
    elif payer_name is None and not any(field == "payer_id" for field, _ in problems):
        problems.append(("payer_id", "Choose the insurer from the list, or type its name below if it is not there."))

    plan_type = _choice(data, "plan_type", PlanType, problems)
    plan_name = _text(data, "plan_name", 120, problems)
    member_id = _identifier(
        data,
        "member_id",
        MEMBER_ID_RE,
        problems,
        "Use letters, digits and dashes (2 to 80), as printed on the card; spaces are removed.",
    )
    group_number = _identifier(
        data,
        "group_number",
        GROUP_NUMBER_RE,
        problems,
        "Use letters, digits and dashes (at most 50), as printed on the card; spaces are removed.",
    )
    relationship = _choice(
        data, "relationship_to_subscriber", SubscriberRelationship, problems, default=SubscriberRelationship.SELF
    )
    subscriber_name = _text(data, "subscriber_name", 160, problems)
    subscriber_dob = _birth_date(data, "subscriber_dob", problems, today, "insured person's date of birth")
    subscriber_sex = _choice(data, "subscriber_sex", Sex, problems)
    if relationship is SubscriberRelationship.SELF:
        subscriber_name = subscriber_dob = subscriber_sex = None
    elif relationship is not None:
        if subscriber_name is None and not any(f == "subscriber_name" for f, _ in problems):
            problems.append(
                ("subscriber_name", "Enter the insured person's name: the patient is not the policy holder.")
            )
        if subscriber_dob is None and not any(f == "subscriber_dob" for f, _ in problems):
            problems.append(("subscriber_dob", "Enter the insured person's date of birth: payers match on it."))

    effective_from = _date(data, "effective_from", problems, "first day of coverage")
    effective_to = _date(data, "effective_to", problems, "last day of coverage")
    if effective_from and effective_to and effective_to < effective_from:
        problems.append(("effective_to", "The coverage cannot end before it starts."))
    notes = _text(data, "notes", NOTES_LIMIT, problems, multiline=True)
    source = _choice(data, "source", Channel, problems, default=Channel.PHONE)
    if problems:
        raise ValidationFailed(problems)
    return {
        "rank": rank,
        "payer_id": payer_id,
        "payer_name": payer_name,
        "plan_type": plan_type,
        "plan_name": plan_name,
        "member_id": member_id,
        "group_number": group_number,
        "relationship_to_subscriber": relationship,
        "subscriber_name": subscriber_name,
        "subscriber_dob": subscriber_dob,
        "subscriber_sex": subscriber_sex,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "notes": notes,
        "source": source,
    }


def add_coverage(actor: User, inquiry: Inquiry, data: Mapping, today: date | None = None) -> Coverage:
    clean = _clean_coverage(data, inquiry, None, today or clinic_today())
    coverage = Coverage(inquiry_id=inquiry.id, created_by_id=actor.id, **clean)
    db.session.add(coverage)
    db.session.flush()
    audit.record(
        actor, AuditAction.COVERAGE_ADDED, "coverage", coverage.id, detail=f"inquiry {inquiry.id}, {clean['rank']}"
    )
    return coverage


def update_coverage(actor: User, coverage: Coverage, data: Mapping, today: date | None = None) -> Coverage:
    inquiry = db.session.get(Inquiry, coverage.inquiry_id)
    clean = _clean_coverage(data, inquiry, coverage, today or clinic_today())
    changed = sorted(name for name, value in clean.items() if getattr(coverage, name) != value)
    for name, value in clean.items():
        setattr(coverage, name, value)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.COVERAGE_UPDATED,
        "coverage",
        coverage.id,
        detail=f"inquiry {coverage.inquiry_id}; changed: {', '.join(changed) or 'nothing'}",
    )
    return coverage


# --- verifications: reading -----------------------------------------------------------------------


def _newest_per_coverage(coverage_ids: Iterable[int], *, confirmed_only: bool):
    ranked = sa.select(
        BenefitVerification.id,
        sa.func.row_number()
        .over(
            partition_by=BenefitVerification.coverage_id,
            order_by=(BenefitVerification.created_at.desc(), BenefitVerification.id.desc()),
        )
        .label("rn"),
    ).where(BenefitVerification.coverage_id.in_(list(coverage_ids) or [-1]))
    if confirmed_only:
        ranked = ranked.where(BenefitVerification.confirmed_at.is_not(None))
    return ranked.subquery()


def latest_verifications(
    coverage_ids: Iterable[int], *, confirmed_only: bool = False
) -> dict[int, BenefitVerification]:
    """The newest verification of each coverage (drafts included unless `confirmed_only`), with its
    lines and verifier: coverage id -> verification. Two queries however many coverages."""
    ranked = _newest_per_coverage(coverage_ids, confirmed_only=confirmed_only)
    rows = db.session.scalars(
        sa.select(BenefitVerification)
        .join(ranked, ranked.c.id == BenefitVerification.id)
        .where(ranked.c.rn == 1)
        .options(selectinload(BenefitVerification.lines), joinedload(BenefitVerification.verified_by))
    )
    return {verification.coverage_id: verification for verification in rows}


def verifications_for(coverage_ids: Iterable[int]) -> dict[int, list[BenefitVerification]]:
    """Every verification of these coverages, newest first, with lines: coverage id -> list (two queries)."""
    ids = list(coverage_ids)
    found: dict[int, list[BenefitVerification]] = {coverage_id: [] for coverage_id in ids}
    rows = db.session.scalars(
        sa.select(BenefitVerification)
        .where(BenefitVerification.coverage_id.in_(ids or [-1]))
        .options(selectinload(BenefitVerification.lines), joinedload(BenefitVerification.verified_by))
        .order_by(BenefitVerification.created_at.desc(), BenefitVerification.id.desc())
    )
    for verification in rows:
        found.setdefault(verification.coverage_id, []).append(verification)
    return found


def load_verification(verification_id: int) -> BenefitVerification | None:
    return db.session.scalar(
        sa.select(BenefitVerification)
        .where(BenefitVerification.id == verification_id)
        .options(
            selectinload(BenefitVerification.lines),
            joinedload(BenefitVerification.verified_by),
            joinedload(BenefitVerification.coverage).joinedload(Coverage.payer),
        )
    )


def people_named(verification: BenefitVerification) -> dict[int, str]:
    """Names of the staff who created, verified and confirmed it (one query)."""
    ids = {i for i in (verification.created_by_id, verification.verified_by_id, verification.confirmed_by_id) if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())


# --- verifications: writing -----------------------------------------------------------------------


def _clean_header(data: Mapping, problems: list, *, manual: bool) -> dict:
    clean: dict = {
        "status": _choice(data, "status", VerificationStatus, problems, required="Choose what the check found."),
        "network_status": _choice(data, "network_status", NetworkStatus, problems, default=NetworkStatus.UNKNOWN),
        "out_of_network_benefits": _yes_no(data, "out_of_network_benefits", problems),
        "payer_contact": _text(data, "payer_contact", 120, problems),
        "notes": _text(data, "notes", NOTES_LIMIT, problems, multiline=True),
    }
    if manual:
        method = _choice(data, "method", VerificationMethod, problems, required="Say how benefits were checked.")
        if method is VerificationMethod.ELECTRONIC_271:
            problems.append(("method", "Electronic verifications come from a 271 file: use “Import a 271”."))
        clean["method"] = method
    reference = data.get("payer_reference")
    clean["payer_reference"] = None
    if isinstance(reference, str) and reference.strip():
        if not PAYER_REFERENCE_RE.match(reference.strip()):
            problems.append(
                ("payer_reference", "Use letters, digits, spaces and . - / # (at most 80), as the payer read it out.")
            )
        else:
            clean["payer_reference"] = reference.strip()
    elif reference not in (None, "") and not isinstance(reference, str):
        problems.append(("payer_reference", "Enter text here."))
    clean["plan_begin"] = _date(data, "plan_begin", problems, "plan year's first day")
    clean["plan_end"] = _date(data, "plan_end", problems, "plan year's last day")
    if clean["plan_begin"] and clean["plan_end"] and clean["plan_end"] < clean["plan_begin"]:
        problems.append(("plan_end", "The plan year cannot end before it begins."))
    code = data.get("currency") or "USD"
    clean["currency"] = None
    try:
        unit = money.currency(code)
    except RuleError as error:
        problems.append(("currency", error.message))
    else:
        if unit.minor_units > 2:
            problems.append(
                (
                    "currency",
                    f"Benefit amounts are kept to the cent; {unit.code} uses "
                    f"{unit.minor_units} decimal places. Record them in USD.",
                )
            )
        else:
            clean["currency"] = unit.code
    return clean


def _clean_line(service_line: ServiceLine, values: Mapping, currency: str | None, problems: list) -> dict | None:
    """One service line's values, or None when every field is blank (nothing to store)."""
    keyed = {line_field(service_line, name): values.get(name) for name in LINE_FIELDS}
    if all(value in (None, "") for value in keyed.values()):
        return None
    before = len(problems)
    clean: dict = {
        "service_line": service_line,
        "covered": _yes_no(keyed, line_field(service_line, "covered"), problems),
        "prior_auth_required": _yes_no(keyed, line_field(service_line, "prior_auth_required"), problems),
    }
    for name in LINE_AMOUNTS:
        field = line_field(service_line, name)
        raw = keyed[field]
        clean[name] = None
        if raw in (None, "") or currency is None:
            continue
        try:
            clean[name] = money.parse_amount(
                raw, currency, field, allow_zero=True, label=AMOUNT_LABELS[name], maximum=Decimal("9999999999.99")
            )
        except RuleError as error:
            _rule_problem(problems, error)
    for total, met, words in MET_PAIRS:
        if clean[total] is not None and clean[met] is not None and clean[met] > clean[total]:
            problems.append(
                (
                    line_field(service_line, met),
                    f"The amount met cannot be more than the {words} itself "
                    f"({money.format_money(clean[total], currency)}).",
                )
            )
    clean["copay_per"] = _choice(keyed, line_field(service_line, "copay_per"), CopayPer, problems)
    if clean["copay"] and clean["copay_per"] is None:
        problems.append(
            (line_field(service_line, "copay_per"), "Say what the co-pay is charged per: visit, day or admission.")
        )
    percent_field = line_field(service_line, "coinsurance_percent")
    clean["coinsurance_percent"] = _percent(keyed.get(percent_field), percent_field, problems)
    clean["limit_quantity"] = _int(keyed, line_field(service_line, "limit_quantity"), problems, "limit", minimum=1)
    clean["limit_unit"] = _choice(keyed, line_field(service_line, "limit_unit"), LimitUnit, problems)
    if clean["limit_quantity"] is not None and clean["limit_unit"] is None:
        problems.append((line_field(service_line, "limit_unit"), "Say what the limit counts: days, visits or hours."))
    clean["limit_period"] = _text(keyed, line_field(service_line, "limit_period"), 60, problems)
    clean["carve_out"] = _text(keyed, line_field(service_line, "carve_out"), 300, problems)
    clean["notes"] = _text(keyed, line_field(service_line, "notes"), 500, problems, multiline=True)
    return clean if len(problems) == before else {}


def _percent(raw, field: str, problems: list) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = Decimal(raw)
    else:
        text = raw.strip().removesuffix("%").strip() if isinstance(raw, str) else None
        if not text or len(text) > 6 or not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,2})?", text):
            problems.append((field, "Enter the co-insurance as a percentage from 0 to 100, e.g. 20."))
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
            problems.append((field, "Enter the co-insurance as a percentage from 0 to 100, e.g. 20."))
            return None
    if not value.is_finite() or not 0 <= value <= 100:
        problems.append((field, "Enter the co-insurance as a percentage from 0 to 100, e.g. 20."))
        return None
    return value


def _clean_lines(lines_data: Mapping, currency: str | None, problems: list) -> dict[ServiceLine, dict]:
    """`lines_data` maps a service line (value or enum) to its field values."""
    clean: dict[ServiceLine, dict] = {}
    for key, values in (lines_data or {}).items():
        if str(key) not in ServiceLine._value2member_map_ or not isinstance(values, Mapping):
            problems.append((None, "Unknown service line."))
            continue
        line = _clean_line(ServiceLine(str(key)), values, currency, problems)
        if line:
            clean[ServiceLine(str(key))] = line
    return clean


def lines_from_form(form: Mapping) -> dict[str, dict]:
    """Per-line values from flat form data ("sud_residential__copay" -> lines["sud_residential"]["copay"])."""
    return {line.value: {name: form.get(line_field(line, name)) for name in LINE_FIELDS} for line in ServiceLine}


def record_verification(
    actor: User, coverage: Coverage, data: Mapping, lines_data: Mapping, today: date | None = None
) -> BenefitVerification:
    """A phone or portal check, confirmed on save by the person who made it."""
    problems: list = []
    header = _clean_header(data, problems, manual=True)
    lines = _clean_lines(lines_data, header["currency"], problems)
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    verification = BenefitVerification(
        coverage_id=coverage.id,
        created_by_id=actor.id,
        verified_by_id=actor.id,
        verified_at=now,
        confirmed_by_id=actor.id,
        confirmed_at=now,
        findings=[],
        **header,
    )
    verification.lines = [VerificationLine(**values) for values in lines.values()]
    db.session.add(verification)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.VERIFICATION_RECORDED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {coverage.id}, {header['method']}, {len(lines)} service lines",
    )
    return verification


def update_verification(
    actor: User, verification: BenefitVerification, data: Mapping, lines_data: Mapping
) -> BenefitVerification:
    """Correct a draft. Confirmed verifications are never rewritten: record a new check instead."""
    if not verification.is_draft:
        raise ValidationFailed.single(
            None, "This verification is confirmed and cannot be changed; record a new verification instead."
        )
    problems: list = []
    header = _clean_header(data, problems, manual=False)
    lines = _clean_lines(lines_data, header["currency"], problems)
    if problems:
        raise ValidationFailed(problems)
    for name, value in header.items():
        setattr(verification, name, value)
    existing = {line.service_line: line for line in verification.lines}
    kept = []
    for service_line, values in lines.items():
        line = existing.get(service_line) or VerificationLine(service_line=service_line)
        for name, value in values.items():
            setattr(line, name, value)
        kept.append(line)
    verification.lines = sorted(kept, key=lambda line: list(ServiceLine).index(line.service_line))
    db.session.flush()
    audit.record(
        actor,
        AuditAction.VERIFICATION_UPDATED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {verification.coverage_id}, draft, {len(kept)} service lines",
    )
    return verification


def confirm_verification(actor: User, verification: BenefitVerification) -> BenefitVerification:
    if not verification.is_draft:
        raise ValidationFailed.single(None, "This verification is already confirmed.")
    now = utcnow()
    verification.confirmed_at = verification.verified_at = now
    verification.confirmed_by_id = verification.verified_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        AuditAction.VERIFICATION_CONFIRMED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {verification.coverage_id}",
    )
    return verification


# --- 271 import ----------------------------------------------------------------------------------


def _finding(item) -> str:
    """A note or rejection from the mapping as one plain sentence for the findings list."""
    if isinstance(item, str):
        return item
    for attribute in ("message", "text", "description"):
        value = getattr(item, attribute, None)
        if isinstance(value, str) and value:
            return value
    return str(item)


def _draft_line(service_line: str, draft_line, findings: list) -> VerificationLine | None:
    """A line from the mapping's LineDraft, or None when the 271 said nothing about it."""
    if all(getattr(draft_line, name, None) is None for name in LINE_FIELDS if name != "notes"):
        return None
    if service_line not in ServiceLine._value2member_map_:
        findings.append(f"The 271 described benefits for {service_line}, which has no place here.")
        return None
    line = VerificationLine(service_line=ServiceLine(service_line))
    label = ServiceLine(service_line).label
    line.covered = getattr(draft_line, "covered", None)
    line.prior_auth_required = getattr(draft_line, "prior_auth_required", None)
    for name in LINE_AMOUNTS:
        value = getattr(draft_line, name, None)
        if value is not None and (
            not isinstance(value, Decimal) or not value.is_finite() or value < 0 or value >= Decimal("1e10")
        ):
            findings.append(f"{label}: the {AMOUNT_LABELS[name]} on the 271 ({value}) could not be kept.")
            value = None
        setattr(line, name, None if value is None else value.quantize(Decimal("0.01")))
    copay_per = getattr(draft_line, "copay_per", None)
    line.copay_per = CopayPer(copay_per) if copay_per in CopayPer._value2member_map_ else None
    percent = getattr(draft_line, "coinsurance_percent", None)
    if percent is not None and (not isinstance(percent, Decimal) or not 0 <= percent <= 100):
        findings.append(f"{label}: the co-insurance on the 271 ({percent}) is not a percentage and was left out.")
        percent = None
    line.coinsurance_percent = percent
    quantity = getattr(draft_line, "limit_quantity", None)
    unit = getattr(draft_line, "limit_unit", None)
    if quantity is not None and (not isinstance(quantity, int) or quantity <= 0):
        findings.append(f"{label}: the limit on the 271 ({quantity}) could not be kept.")
        quantity = None
    line.limit_quantity = quantity
    line.limit_unit = LimitUnit(unit) if unit in LimitUnit._value2member_map_ else None
    period = getattr(draft_line, "limit_period", None)
    line.limit_period = period[:60] if isinstance(period, str) and period else None
    carve_out = getattr(draft_line, "carve_out", None)
    line.carve_out = carve_out[:300] if isinstance(carve_out, str) and carve_out else None
    notes = []
    if getattr(draft_line, "in_network_only", None):
        notes.append("In-network only.")
    sources = getattr(draft_line, "sources", None) or ()
    if sources:
        notes.append("From " + "; ".join(str(source) for source in sources) + ".")
    line.notes = " ".join(notes)[:500] or None
    return line


def import_271(actor: User, coverage: Coverage, uploaded: bytes, filename: str | None = None) -> BenefitVerification:
    """A 271 file into a draft verification that staff review and confirm. A file the parser
    refuses raises ValidationFailed on "file" with the parser's message, and nothing is saved."""
    limit = current_app.config["X12_MAX_BYTES"]
    if not uploaded:
        raise ValidationFailed.single("file", "The file is empty. Choose the 271 file the payer sent.")
    if len(uploaded) > limit:
        raise ValidationFailed.single(
            "file",
            f"The file is {len(uploaded):,} bytes; a 271 may be at most "
            f"{limit:,} bytes. Check that this is the right file.",
        )
    try:
        response = parse_271(uploaded)
        draft = draft_from_271(response)
    except X12ParseError as error:
        raise ValidationFailed.single("file", error.message) from None
    except RuleError as error:
        raise ValidationFailed.single("file", error.message) from None

    findings = [
        _finding(item) for item in (*(getattr(draft, "rejections", None) or ()), *(getattr(draft, "notes", None) or ()))
    ]
    member_id = getattr(draft, "member_id", None)
    if member_id and coverage.member_id and member_id.replace(" ", "").upper() != coverage.member_id.upper():
        findings.insert(
            0,
            f"The 271 is for member id {member_id}, but this coverage has {coverage.member_id}: "
            "check that the file belongs to this patient before confirming.",
        )
    elif member_id and not coverage.member_id:
        findings.insert(0, f"The 271 is for member id {member_id}; this coverage has no member id yet.")
    group_number = getattr(draft, "group_number", None)
    if (
        group_number
        and coverage.group_number
        and group_number.replace(" ", "").upper() != coverage.group_number.upper()
    ):
        findings.append(f"The 271 names group number {group_number}; this coverage has {coverage.group_number}.")
    lines = []
    for service_line, draft_line in (getattr(draft, "lines", None) or {}).items():
        line = _draft_line(str(service_line), draft_line, findings)
        if line is not None:
            lines.append(line)
    insurance_type = getattr(draft, "insurance_type", None)
    plan = [
        text
        for text in (
            INSURANCE_TYPES.get(insurance_type, insurance_type) if insurance_type else None,
            getattr(draft, "plan_description", None),
        )
        if text
    ]
    status = getattr(draft, "status", None)
    reference = getattr(draft, "payer_reference", None)
    text = uploaded.decode("utf-8", errors="replace") if isinstance(uploaded, bytes) else str(uploaded)
    verification = BenefitVerification(
        coverage_id=coverage.id,
        created_by_id=actor.id,
        method=VerificationMethod.ELECTRONIC_271,
        status=VerificationStatus(status)
        if status in VerificationStatus._value2member_map_
        else VerificationStatus.NEEDS_INFORMATION,
        network_status=NetworkStatus.UNKNOWN,
        currency="USD",
        payer_reference=reference[:80] if isinstance(reference, str) and reference else None,
        plan_begin=getattr(draft, "plan_begin", None),
        plan_end=getattr(draft, "plan_end", None),
        notes=("Plan on the 271: " + " — ".join(plan))[:NOTES_LIMIT] if plan else None,
        findings=findings,
        source_271=text.replace("\x00", ""),
    )
    if verification.plan_begin and verification.plan_end and verification.plan_end < verification.plan_begin:
        verification.findings.append("The 271's plan dates are out of order; they were left out.")
        verification.plan_begin = verification.plan_end = None
    verification.lines = sorted(lines, key=lambda line: list(ServiceLine).index(line.service_line))
    db.session.add(verification)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.VERIFICATION_IMPORTED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {coverage.id}, 271 draft, {len(lines)} service lines, {len(findings)} findings",
    )
    return verification


# --- 270 -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built270:
    text: str
    filename: str


_GENDER = {Sex.FEMALE: "F", Sex.MALE: "M", Sex.INTERSEX: "U", Sex.UNKNOWN: "U"}


def split_name(full_name: str | None) -> tuple[str, str] | None:
    """(last, first): "Smith, Mary Ann" -> ("Smith", "Mary Ann"); "Mary Ann Smith" -> ("Smith", "Mary Ann").
    None for a name of one word (payers match on both parts)."""
    text = " ".join((full_name or "").split())
    if "," in text:
        last, _, first = text.partition(",")
        last, first = last.strip(), first.strip()
    else:
        first, _, last = text.rpartition(" ")
    return (last, first) if last and first else None


def build_270_for(actor: User, coverage: Coverage, today: date) -> Built270:
    """An X12 270 asking the coverage's payer about substance-use and behavioural benefits."""
    config = current_app.config
    inquiry = db.session.get(Inquiry, coverage.inquiry_id)
    payer = db.session.get(Payer, coverage.payer_id) if coverage.payer_id else None
    problems: list = []
    if payer is None:
        problems.append(
            (None, "Choose this coverage's payer from the payer list (Admin → Payers) so the 270 can name its X12 id.")
        )
    elif not payer.payer_code:
        problems.append((None, "Add the payer's X12 id on Admin → Payers."))
    if not coverage.member_id:
        problems.append((None, "Add the member id from the insurance card to this coverage."))
    patient = split_name(inquiry.patient_name)
    if patient is None:
        problems.append((None, "Enter the patient's first and last name on the inquiry (payers match on both)."))
    if inquiry.patient_dob is None:
        problems.append((None, "Enter the patient's date of birth on the inquiry (payers match on it)."))
    dependent = coverage.relationship_to_subscriber is not SubscriberRelationship.SELF
    subscriber = split_name(coverage.subscriber_name) if dependent else patient
    if dependent and subscriber is None:
        problems.append((None, "Enter the insured person's first and last name on this coverage."))
    npi = (config.get("PROVIDER_NPI") or "").strip()
    if not npi:
        problems.append(
            (
                None,
                "The clinic's NPI is not set up (PROVIDER_NPI in the server settings); ask an "
                "administrator before building a 270.",
            )
        )
    if problems:
        raise ValidationFailed(problems)

    now = utcnow()
    patient_person = Person(
        last_name=patient[0],
        first_name=patient[1],
        birth_date=inquiry.patient_dob,
        gender=_GENDER.get(inquiry.patient_sex),
    )
    if dependent:
        subscriber_person = Person(
            last_name=subscriber[0],
            first_name=subscriber[1],
            birth_date=coverage.subscriber_dob,
            gender=_GENDER.get(coverage.subscriber_sex),
        )
        dependent_person = Person(
            last_name=patient[0],
            first_name=patient[1],
            birth_date=inquiry.patient_dob,
            gender=_GENDER.get(inquiry.patient_sex),
            relationship_code=coverage.relationship_to_subscriber.x12_code,
        )
    else:
        subscriber_person, dependent_person = patient_person, None
    seconds = int(now.timestamp())
    request = EligibilityRequest(
        sender_id=(config.get("X12_SENDER_ID") or npi).strip(),
        receiver_id=(config.get("X12_RECEIVER_ID") or payer.payer_code).strip(),
        interchange_control=seconds % 999_999_999 or 1,
        group_control=coverage.id % 999_999_999 or 1,
        transaction_control=f"{coverage.id % 1_000_000_000:04d}",
        created_at=now,
        payer_name=payer.name,
        payer_id=payer.payer_code,
        provider_name=config.get("PROVIDER_NAME", "Coordinator Clinic"),
        provider_npi=npi,
        subscriber=subscriber_person,
        dependent=dependent_person,
        member_id=coverage.member_id,
        group_number=coverage.group_number,
        trace_number=f"{coverage.inquiry_id}-{coverage.id}-{now:%Y%m%d%H%M%S}",
        service_date=today,
    )
    try:
        text = build_270(request)
    except X12BuildError as error:
        raise ValidationFailed.single(None, error.message) from None
    audit.record(
        actor, AuditAction.ELIGIBILITY_REQUEST_BUILT, "coverage", coverage.id, detail=f"inquiry {coverage.inquiry_id}"
    )
    return Built270(text=text, filename=f"270-{coverage.inquiry_id}-{today.isoformat()}.x12")


# --- estimate -------------------------------------------------------------------------------------


def estimate_for(
    verification: BenefitVerification,
    service_line: ServiceLine | str,
    daily_rate: Decimal,
    days: int,
    authorized_days: int | None,
) -> Estimate:
    """What the patient would pay for `days` at `daily_rate` under this verification's benefits for
    one service line (rules/estimate.py does the arithmetic; this only gathers its inputs)."""
    wanted = ServiceLine(service_line)
    line = next((line for line in verification.lines if line.service_line is wanted), None)
    if line is None:
        raise ValidationFailed.single(
            "service_line", f"This verification has no benefits recorded for {wanted.label.lower()}."
        )

    def remaining(total, met):
        if total is None:
            return None
        return max(total - (met or Decimal(0)), Decimal(0))

    network = verification.network_status
    facts = EstimateInput(
        currency=verification.currency,
        daily_rate=daily_rate,
        days=days,
        covered=line.covered,
        in_network=None if network is NetworkStatus.UNKNOWN else network is NetworkStatus.IN_NETWORK,
        out_of_network_covered=verification.out_of_network_benefits,
        deductible_remaining=remaining(line.deductible_individual, line.deductible_individual_met),
        coinsurance_percent=line.coinsurance_percent,
        copay=line.copay,
        copay_per=line.copay_per.value if line.copay_per else None,
        oop_remaining=remaining(line.oop_individual, line.oop_individual_met),
        covered_days_limit=line.limit_quantity if line.limit_unit is LimitUnit.DAYS else None,
        prior_auth_required=line.prior_auth_required,
        authorized_days=authorized_days,
    )
    try:
        return estimate_stay(facts)
    except RuleError as error:
        raise ValidationFailed(list(error.errors)) from None


MAX_ESTIMATE_DAYS = 365


def estimate_from_form(verification: BenefitVerification, data: Mapping) -> Estimate:
    """Parse the estimate form (service line, daily rate, days, authorized days) and estimate."""
    problems: list = []
    service_line = _choice(data, "service_line", ServiceLine, problems, required="Choose the service line.")
    daily_rate = None
    try:
        daily_rate = money.parse_amount(
            data.get("daily_rate") if data.get("daily_rate") is not None else "",
            verification.currency,
            "daily_rate",
            label="daily rate",
        )
    except RuleError as error:
        _rule_problem(problems, error)
    days = _int(data, "days", problems, "length of stay in days", minimum=1, maximum=MAX_ESTIMATE_DAYS)
    if days is None and not any(field == "days" for field, _ in problems):
        problems.append(("days", "Enter the length of stay in days."))
    authorized = _int(
        data, "authorized_days", problems, "number of authorized days", minimum=0, maximum=MAX_ESTIMATE_DAYS
    )
    if problems:
        raise ValidationFailed(problems)
    return estimate_for(verification, service_line, daily_rate, days, authorized)
