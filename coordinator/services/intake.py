"""Taking an inquiry in: one validator and one writer for the phone form, the web form and the API.

`clean_inquiry` turns a plain mapping (form data or JSON) into checked values or raises
ValidationFailed naming every bad field; `clean_insurance` does the same for the optional
insurance details (the web form's insurance fieldset and the API's "insurance" object);
`create_inquiry` writes the inquiry, its regimen, its referrer, the "arrived" timeline entry,
duplicate flags, the coverage and requested benefits check (when insurance was given) and the
audit rows in one transaction (the caller commits).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from coordinator.domain.audit import AuditAction
from coordinator.domain.insurance import CoverageRank, PlanType, SubscriberRelationship, VerificationStatus
from coordinator.domain.intake import (
    ActivityKind,
    CallerRelationship,
    Channel,
    ContactMethod,
    ReferralSource,
    Sex,
    Substance,
    Urgency,
)
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import (
    ApiClient,
    BenefitVerification,
    Coverage,
    Inquiry,
    InquiryActivity,
    OpioidRegimenLine,
    PossibleDuplicate,
    Referrer,
    User,
    utcnow,
)
from coordinator.roles import Role
from coordinator.rules import mme
from coordinator.rules.errors import RuleError
from coordinator.services import audit, reminders
from coordinator.services.audit import SystemActor

# Field name -> maximum length. Anything longer is refused, never silently cut.
TEXT_LIMITS = {
    "caller_name": 160,
    "caller_phone": 40,
    "caller_email": 254,
    "patient_name": 160,
    "patient_location": 160,
    "patient_phone": 40,
    "patient_email": 254,
    "presenting_concerns": 4000,
    "pain_conditions": 2000,
    "prior_treatment": 2000,
    "referrer_name": 160,
    "referrer_organization": 160,
    "referrer_phone": 40,
    "referrer_email": 254,
}
ENUM_FIELDS = {
    "caller_relationship": CallerRelationship,
    "preferred_contact": ContactMethod,
    "patient_sex": Sex,
    "referral_source": ReferralSource,
    "urgency": Urgency,
}
BOOL_FIELDS = ("may_leave_message", "is_restricted")
MAX_REGIMEN_LINES = 10
MAX_SUBSTANCES = len(Substance)
OLDEST_BIRTH_YEAR = 1900
ASSIGNABLE_ROLES = (Role.ADMISSIONS, Role.ADMIN, Role.CASE_MANAGER)
PHONE_RE = re.compile(r"^[0-9+().\-\s/]{7,40}$")
REFERRER_KINDS = frozenset(ReferralSource) - {ReferralSource.SELF, ReferralSource.WEB}

# The optional insurance details a visitor (web form) or a partner (API) may send, under
# "insurance". Errors name them as "insurance.<field>". Lengths match the coverage columns.
INSURANCE = "insurance"
INSURANCE_TEXT_LIMITS = {"insurer_name": 120, "member_id": 80, "group_number": 50, "subscriber_name": 160}
INSURANCE_ENUM_FIELDS = {"plan_type": PlanType, "relationship_to_subscriber": SubscriberRelationship}
INSURANCE_DATE_FIELDS = ("subscriber_birth_date",)
INSURANCE_BOOL_FIELDS = ("verification_requested",)
INSURANCE_FIELDS = (*INSURANCE_TEXT_LIMITS, *INSURANCE_ENUM_FIELDS, *INSURANCE_DATE_FIELDS, *INSURANCE_BOOL_FIELDS)
MEMBER_ID_RE = re.compile(r"^[A-Za-z0-9 -]*[A-Za-z0-9][A-Za-z0-9 -]*$")
SUBSCRIBER_FIELDS = ("subscriber_name", "subscriber_birth_date")
TRUE_VALUES = (True, "y", "yes", "on", "true", "1", 1)
FALSE_VALUES = (False, None, "", "n", "no", "off", "false", "0", 0)


def normalise_key(text: str | None) -> str | None:
    """Case- and space-insensitive form of a name, for search and duplicate detection."""
    if not text:
        return None
    return " ".join(text.casefold().split())[:330] or None


def phone_digits(text: str | None) -> str | None:
    """The digits of a phone number (the last 15, enough for any E.164 number)."""
    if not text:
        return None
    digits = re.sub(r"\D", "", text)
    return digits[-15:] or None


def clean_inquiry(data: Mapping, *, today: date, require_contact: bool = True) -> dict:
    """Check every intake field; return a dict of clean values or raise ValidationFailed.

    Unknown keys are ignored (forms post a CSRF token; API payloads are checked for unknown
    keys by the API layer, which can say so precisely).
    """
    if not isinstance(data, Mapping):
        raise ValidationFailed.single(None, "The inquiry must be a set of named fields.")
    problems: list[tuple[str | None, str]] = []
    clean: dict = {}

    for field, limit in TEXT_LIMITS.items():
        value = data.get(field)
        if value is None:
            clean[field] = None
            continue
        if not isinstance(value, str):
            problems.append((field, "Enter text here."))
            continue
        value = value.strip()
        if "\x00" in value:
            problems.append((field, "This text contains a character that is not allowed."))
        elif len(value) > limit:
            problems.append((field, f"Use at most {limit} characters (this has {len(value)})."))
        clean[field] = value or None

    if not clean.get("patient_name"):
        problems.append(("patient_name", "Enter the prospective patient's name (a first name is enough to start)."))

    for field in ("caller_email", "patient_email", "referrer_email"):
        if clean.get(field):
            try:
                clean[field] = validate_email(clean[field], check_deliverability=False).normalized
            except EmailNotValidError:
                problems.append((field, "Enter an email address such as name@example.com."))
    for field in ("caller_phone", "patient_phone", "referrer_phone"):
        value = clean.get(field)
        if value and (not PHONE_RE.match(value) or not 7 <= len(re.sub(r"\D", "", value)) <= 15):
            problems.append((field, "Enter a phone number of 7 to 15 digits (spaces, +, - and brackets are fine)."))

    for field, enum in ENUM_FIELDS.items():
        value = data.get(field)
        if value in (None, ""):
            clean[field] = None
        elif isinstance(value, str) and value in enum._value2member_map_:
            clean[field] = enum(value)
        else:
            allowed = ", ".join(m.value for m in enum)
            problems.append((field, f"Choose one of the listed options ({allowed})."))
    if clean.get("referral_source") is None:
        problems.append(("referral_source", "Choose how the inquiry was referred."))
    if clean.get("urgency") is None:
        clean["urgency"] = Urgency.ROUTINE

    for field in BOOL_FIELDS:
        value = data.get(field, False)
        if value in TRUE_VALUES:
            clean[field] = True
        elif value in FALSE_VALUES:
            clean[field] = False
        else:
            problems.append((field, "Answer yes or no."))

    clean["patient_dob"] = _clean_dob(data.get("patient_dob"), today, problems)
    clean["substances"] = _clean_substances(data.get("substances"), problems)
    clean["regimen"], clean["mme"] = _clean_regimen(data.get("regimen"), problems)

    if require_contact and not any(
        clean.get(f) for f in ("caller_phone", "caller_email", "patient_phone", "patient_email")
    ):
        problems.append(("caller_phone", "Give at least one phone number or email address so we can call back."))
    if clean.get("preferred_contact") is ContactMethod.EMAIL and not (
        clean.get("caller_email") or clean.get("patient_email")
    ):
        problems.append(("preferred_contact", "Email is preferred, but no email address was given."))
    if clean.get("preferred_contact") in (ContactMethod.PHONE, ContactMethod.TEXT) and not (
        clean.get("caller_phone") or clean.get("patient_phone")
    ):
        problems.append(("preferred_contact", "A phone or text is preferred, but no phone number was given."))
    if clean.get("referrer_name") and clean.get("referral_source") not in REFERRER_KINDS:
        problems.append(
            (
                "referrer_name",
                "Only a referral by a physician, hospital, employer program, insurer, "
                "court, family, alumni or other party has a referrer.",
            )
        )

    if problems:
        raise ValidationFailed(problems)
    return clean


def _clean_dob(value, today: date, problems: list, field: str = "patient_dob") -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            problems.append((field, "Enter the date of birth as a real date (YYYY-MM-DD)."))
            return None
    if not isinstance(value, date):
        problems.append((field, "Enter the date of birth as a date (YYYY-MM-DD)."))
        return None
    if value > today:
        problems.append((field, "The date of birth cannot be in the future."))
    elif value.year < OLDEST_BIRTH_YEAR:
        problems.append((field, f"The date of birth cannot be before {OLDEST_BIRTH_YEAR}."))
    return value


def clean_insurance(data, *, today: date) -> dict | None:
    """Check the optional insurance details; return clean values, None when none were given, or raise.

    `data` is the API's "insurance" object or the web form's insurance fieldset, keyed by the
    names in INSURANCE_FIELDS (unknown keys are ignored here; the API refuses them itself).
    Problems are named "insurance.<field>". A box left unticked or a blank answer is "not given".
    """
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise ValidationFailed.single(INSURANCE, "Give the insurance details as a set of named fields.")
    problems: list[tuple[str | None, str]] = []
    clean: dict = {}

    def name(field: str) -> str:
        return f"{INSURANCE}.{field}"

    for field, limit in INSURANCE_TEXT_LIMITS.items():
        value = data.get(field)
        clean[field] = None
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append((name(field), "Enter text here."))
            continue
        value = value.strip()
        if any(unicodedata.category(char) == "Cc" for char in value):
            problems.append((name(field), "This text contains a character that is not allowed."))
        elif len(value) > limit:
            problems.append((name(field), f"Use at most {limit} characters (this has {len(value)})."))
        else:
            clean[field] = value or None
    member_id = clean.get("member_id")
    if member_id and not MEMBER_ID_RE.match(member_id):
        problems.append(
            (name("member_id"), "Enter the member ID as printed on the card: letters, numbers, dashes and spaces only.")
        )
        clean["member_id"] = None

    for field, enum in INSURANCE_ENUM_FIELDS.items():
        value = data.get(field)
        clean[field] = None
        if value in (None, ""):
            continue
        if isinstance(value, str) and value in enum._value2member_map_:
            clean[field] = enum(value)
        else:
            allowed = ", ".join(m.value for m in enum)
            problems.append((name(field), f"Choose one of the listed options ({allowed})."))

    for field in INSURANCE_BOOL_FIELDS:
        value = data.get(field, False)
        if value in TRUE_VALUES:
            clean[field] = True
        elif value in FALSE_VALUES:
            clean[field] = False
        else:
            clean[field] = False
            problems.append((name(field), "Answer yes or no."))

    for field in INSURANCE_DATE_FIELDS:
        clean[field] = _clean_dob(data.get(field), today, problems, name(field))

    if not problems and not any(clean.values()):
        return None  # nothing given: nothing insurance-related is written

    if not clean["insurer_name"] and not any(f == name("insurer_name") for f, _ in problems):
        problems.append(
            (
                name("insurer_name"),
                "Enter the insurance company's name as printed on the card "
                "(it is needed with any other insurance detail).",
            )
        )
    relationship = clean["relationship_to_subscriber"]
    subscriber_given = any(clean[f] is not None or _given(data.get(f)) for f in SUBSCRIBER_FIELDS)
    if relationship is None and subscriber_given:
        problems.append(
            (name("relationship_to_subscriber"), "Say how the patient is related to the insured person named here.")
        )
    elif relationship is SubscriberRelationship.SELF:
        for field in SUBSCRIBER_FIELDS:
            if clean[field] is not None:
                problems.append(
                    (
                        name(field),
                        "Leave this empty when the patient is the insured person, or "
                        "choose how the patient is related to the insured.",
                    )
                )
    elif relationship is not None:
        if not clean["subscriber_name"] and not _given(data.get("subscriber_name")):
            problems.append(
                (
                    name("subscriber_name"),
                    "Enter the insured person's name as printed on the card "
                    "(needed when the patient is not the insured).",
                )
            )
        if not clean["subscriber_birth_date"] and not _given(data.get("subscriber_birth_date")):
            problems.append(
                (
                    name("subscriber_birth_date"),
                    "Enter the insured person's date of birth (needed when the patient is not the insured).",
                )
            )

    if problems:
        raise ValidationFailed(problems)
    clean["relationship_to_subscriber"] = relationship or SubscriberRelationship.SELF
    return clean


def _given(value) -> bool:
    """Whether a raw value says something (a blank string or a null says nothing)."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def _clean_substances(value, problems: list) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or len(value) > MAX_SUBSTANCES:
        problems.append(("substances", "Choose substances from the list."))
        return []
    unknown = [v for v in value if not isinstance(v, str) or v not in Substance._value2member_map_]
    if unknown:
        problems.append(
            ("substances", "Choose substances from the list; unknown: " + ", ".join(repr(u) for u in unknown[:5])[:200])
        )
        return []
    return [s.value for s in Substance if s.value in set(value)]


def _clean_regimen(value, problems: list):
    if value in (None, "", []):
        return [], None
    if not isinstance(value, (list, tuple)):
        problems.append(("regimen", "Give the opioid regimen as a list of medicines."))
        return [], None
    if len(value) > MAX_REGIMEN_LINES:
        problems.append(("regimen", f"List at most {MAX_REGIMEN_LINES} medicines."))
        return [], None
    try:
        result = mme.calculate_mme(value, field_prefix="regimen")
    except RuleError as err:
        problems.extend(err.errors)
        return [], None
    regimen = []
    for line in value:
        regimen.append(
            line
            if isinstance(line, mme.RegimenLine)
            else mme.RegimenLine(
                **{name: line.get(name) for name in ("drug", "dose", "unit", "doses_per_day", "purpose")}
            )
        )
    return regimen, result


def find_or_create_referrer(
    kind: ReferralSource, name: str, organization: str | None, phone: str | None, email: str | None
) -> Referrer:
    """The referrer with this kind, name and organization, created the first time it is seen."""
    key = normalise_key(f"{name} | {organization or ''}")
    referrer = db.session.scalar(sa.select(Referrer).where(Referrer.kind == kind, Referrer.name_key == key))
    if referrer is None:
        referrer = Referrer(kind=kind, name=name, organization=organization, phone=phone, email=email, name_key=key)
        db.session.add(referrer)
        db.session.flush()
    else:
        referrer.phone = phone or referrer.phone
        referrer.email = email or referrer.email
    return referrer


def check_assignee(user_id: int | None) -> User | None:
    """The active user an inquiry may be assigned to, or ValidationFailed."""
    if user_id in (None, "", 0):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or user.role not in ASSIGNABLE_ROLES:
        raise ValidationFailed.single("assigned_to_id", "Choose an active admissions, case management or admin user.")
    return user


def _check_restriction(clean: dict, assignee: User | None) -> None:
    if clean.get("is_restricted") and assignee is None:
        raise ValidationFailed.single(
            "assigned_to_id",
            "A restricted record needs an assignee: only they and administrators will be able to open it.",
        )


def _apply(inquiry: Inquiry, clean: dict) -> None:
    for field in (
        "caller_name",
        "caller_relationship",
        "caller_phone",
        "caller_email",
        "preferred_contact",
        "may_leave_message",
        "patient_name",
        "patient_dob",
        "patient_sex",
        "patient_location",
        "patient_phone",
        "patient_email",
        "presenting_concerns",
        "substances",
        "pain_conditions",
        "prior_treatment",
        "urgency",
        "referral_source",
    ):
        setattr(inquiry, field, clean[field])
    inquiry.patient_name_key = normalise_key(clean["patient_name"])
    inquiry.caller_name_key = normalise_key(clean["caller_name"])
    inquiry.caller_phone_digits = phone_digits(clean["caller_phone"])
    inquiry.patient_phone_digits = phone_digits(clean["patient_phone"])
    inquiry.caller_email_key = clean["caller_email"].lower() if clean["caller_email"] else None
    inquiry.patient_email_key = clean["patient_email"].lower() if clean["patient_email"] else None
    if clean.get("referrer_name"):
        inquiry.referrer = find_or_create_referrer(
            clean["referral_source"],
            clean["referrer_name"],
            clean["referrer_organization"],
            clean["referrer_phone"],
            clean["referrer_email"],
        )
    else:
        inquiry.referrer = None


def replace_regimen(inquiry: Inquiry, regimen: list[mme.RegimenLine], result: mme.MmeResult | None) -> None:
    """Make `regimen` the inquiry's current opioid regimen and store its MME/day."""
    db.session.execute(sa.delete(OpioidRegimenLine).where(OpioidRegimenLine.inquiry_id == inquiry.id))
    for position, line in enumerate(regimen):
        db.session.add(
            OpioidRegimenLine(
                inquiry_id=inquiry.id,
                position=position,
                drug=line.drug,
                dose=line.dose,
                unit=line.unit,
                doses_per_day=line.doses_per_day,
                purpose=line.purpose.value,
            )
        )
    inquiry.mme_per_day = result.total_mme_per_day if result is not None else None


def create_inquiry(
    actor,
    data: Mapping,
    *,
    channel: Channel,
    today: date,
    api_client: ApiClient | None = None,
    assigned_to_id: int | None = None,
    require_contact: bool = True,
) -> Inquiry:
    """Validate and write a new inquiry (and its coverage, when insurance is given); the caller commits.

    Raises ValidationFailed naming every problem, the inquiry's and the insurance details' together.
    """
    problems: list[tuple[str | None, str]] = []
    clean = insurance = None
    try:
        clean = clean_inquiry(data, today=today, require_contact=require_contact)
    except ValidationFailed as failure:
        problems.extend(failure.reasons)
    if isinstance(data, Mapping):
        try:
            insurance = clean_insurance(data.get(INSURANCE), today=today)
        except ValidationFailed as failure:
            problems.extend(failure.reasons)
    if problems or clean is None:
        raise ValidationFailed(problems)
    if not isinstance(actor, User):
        clean["is_restricted"] = False  # only staff may restrict a record
    assignee = check_assignee(assigned_to_id)
    _check_restriction(clean, assignee)
    now = utcnow()
    inquiry = Inquiry(
        public_id=secrets.token_urlsafe(12),
        channel=channel,
        arrived_at=now,
        status_changed_at=now,
        api_client_id=api_client.id if api_client else None,
        created_by_id=actor.id if isinstance(actor, User) else None,
        assigned_to_id=assignee.id if assignee else None,
        is_restricted=clean["is_restricted"],
    )
    _apply(inquiry, clean)
    db.session.add(inquiry)
    db.session.flush()
    replace_regimen(inquiry, clean["regimen"], clean["mme"])
    label = actor.label if isinstance(actor, SystemActor) else None
    db.session.add(
        InquiryActivity(
            inquiry_id=inquiry.id,
            kind=ActivityKind.ARRIVED,
            occurred_at=now,
            actor_id=actor.id if isinstance(actor, User) else None,
            actor_label=f"{label}: {api_client.name}"[:120] if api_client else label,
            summary=f"Arrived by {channel.phrase}",
        )
    )
    flag_possible_duplicates(inquiry)
    reminders.inquiry_arrived(inquiry)
    audit.record(actor, AuditAction.INQUIRY_CREATED, "inquiry", inquiry.id, detail=f"channel {channel.value}")
    if insurance is not None:
        _add_coverage(actor, inquiry, insurance, channel)
    return inquiry


def _add_coverage(actor, inquiry: Inquiry, insurance: dict, channel: Channel) -> Coverage:
    """The primary coverage from the insurance details given with a new inquiry, and the
    benefits check the visitor asked for (requested, no method yet: staff choose how)."""
    creator_id = actor.id if isinstance(actor, User) else None
    coverage = Coverage(
        inquiry_id=inquiry.id,
        rank=CoverageRank.PRIMARY,
        payer_name=insurance["insurer_name"],
        plan_type=insurance["plan_type"],
        member_id=insurance["member_id"],
        group_number=insurance["group_number"],
        relationship_to_subscriber=insurance["relationship_to_subscriber"],
        subscriber_name=insurance["subscriber_name"],
        subscriber_dob=insurance["subscriber_birth_date"],
        source=channel,
        created_by_id=creator_id,
    )
    db.session.add(coverage)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.COVERAGE_CREATED,
        "coverage",
        coverage.id,
        detail=f"inquiry {inquiry.id}, primary, from {channel.value}",
    )
    if insurance["verification_requested"]:
        verification = BenefitVerification(
            coverage_id=coverage.id, status=VerificationStatus.REQUESTED, method=None, created_by_id=creator_id
        )
        db.session.add(verification)
        db.session.flush()
        audit.record(
            actor,
            AuditAction.BENEFIT_VERIFICATION_REQUESTED,
            "benefit_verification",
            verification.id,
            detail=f"inquiry {inquiry.id}, coverage {coverage.id}, from {channel.value}",
        )
    return coverage


def update_inquiry(actor: User, inquiry: Inquiry, data: Mapping, *, today: date) -> Inquiry:
    """Change an inquiry's details (not its status); the caller commits."""
    clean = clean_inquiry(data, today=today, require_contact=False)
    assignee = check_assignee(data.get("assigned_to_id"))
    _check_restriction(clean, assignee)
    _apply(inquiry, clean)
    inquiry.assigned_to_id = assignee.id if assignee else None
    inquiry.is_restricted = clean["is_restricted"]
    replace_regimen(inquiry, clean["regimen"], clean["mme"])
    db.session.flush()
    audit.record(actor, AuditAction.INQUIRY_UPDATED, "inquiry", inquiry.id)
    return inquiry


def duplicate_conditions(inquiry: Inquiry) -> list[tuple[str, sa.ColumnElement]]:
    """(what matched, SQL condition) pairs for inquiries that may be the same person."""
    conditions = []
    phones = {p for p in (inquiry.caller_phone_digits, inquiry.patient_phone_digits) if p}
    if phones:
        conditions.append(
            ("same phone", sa.or_(Inquiry.caller_phone_digits.in_(phones), Inquiry.patient_phone_digits.in_(phones)))
        )
    emails = {e for e in (inquiry.caller_email_key, inquiry.patient_email_key) if e}
    if emails:
        conditions.append(
            ("same email", sa.or_(Inquiry.caller_email_key.in_(emails), Inquiry.patient_email_key.in_(emails)))
        )
    if inquiry.patient_dob is not None:
        conditions.append(
            (
                "same name and date of birth",
                sa.and_(
                    Inquiry.patient_name_key == inquiry.patient_name_key, Inquiry.patient_dob == inquiry.patient_dob
                ),
            )
        )
    return conditions


def flag_possible_duplicates(inquiry: Inquiry) -> list[PossibleDuplicate]:
    """Record every earlier, unmerged inquiry that may be the same person (one query per rule)."""
    matches: dict[int, list[str]] = {}
    for label, condition in duplicate_conditions(inquiry):
        ids = db.session.scalars(
            sa.select(Inquiry.id).where(condition, Inquiry.id != inquiry.id, Inquiry.merged_into_id.is_(None)).limit(20)
        )
        for other_id in ids:
            matches.setdefault(other_id, []).append(label)
    flags = [
        PossibleDuplicate(inquiry_id=inquiry.id, other_inquiry_id=other_id, matched_on=", ".join(labels))
        for other_id, labels in sorted(matches.items())
    ]
    db.session.add_all(flags)
    return flags


def mme_total(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


REGIMEN_ROW_FIELDS = ("drug", "dose", "unit", "doses_per_day", "purpose")
_ROW_KEY = re.compile(r"^regimen-(\d{1,2})-(drug|dose|unit|doses_per_day|purpose)$")


def regimen_rows_from_form(form: Mapping) -> tuple[list[dict], list[int]]:
    """Regimen lines from `regimen-N-field` form keys, and the form row number of each line.

    Wholly blank rows are dropped (a purpose alone counts as blank: it has a default), so use
    `renumber_regimen_errors` to point error messages back at the rows the person sees.
    """
    rows: dict[int, dict] = {}
    for key in form:
        match = _ROW_KEY.match(key) if isinstance(key, str) else None
        if match:
            value = form.get(key)
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = (
                value.strip() if isinstance(value, str) else value
            )
    lines, numbers = [], []
    for number, row in sorted(rows.items()):
        if any(row.get(name) not in (None, "") for name in ("drug", "dose", "unit", "doses_per_day")):
            lines.append({name: (row.get(name) or None) for name in REGIMEN_ROW_FIELDS})
            numbers.append(number)
    return lines, numbers


def renumber_regimen_errors(failure: ValidationFailed, numbers: list[int]) -> ValidationFailed:
    """The same failure with `regimen-i-field` names pointing at form row `numbers[i]`."""
    reasons = []
    for field, message in failure.reasons:
        parts = field.split("-") if field else []
        if len(parts) == 3 and parts[0] == "regimen" and parts[1].isdigit() and int(parts[1]) < len(numbers):
            field = f"regimen-{numbers[int(parts[1])]}-{parts[2]}"
        reasons.append((field, message))
    return ValidationFailed(reasons)
