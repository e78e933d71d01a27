"""The electronic eligibility exchange for a coverage: building a 270 to send, importing the
271 that comes back as a draft verification.

The X12 work itself is pure and lives in `coordinator/x12/`; this module gathers its inputs,
stores the result and audits. The caller checks access first and commits.

- **271 import** keeps the file's text, turns notes and AAA rejections into findings and never
  refuses a file for another person: it keeps who and which payer the file names
  (`identity_271`), and `verifications.identity_mismatches` compares that with the record
  (member id, names, dates of birth, payer) whenever the draft is shown or confirmed, so a
  mismatch blocks confirmation until staff explain it. Group numbers compare through
  `values.compact_identifier`, without case, as every way in stores them. An open request on the
  coverage becomes the draft (the visitor's request is answered by the file). A file the parser
  refuses changes nothing: the error names the problem on the "file" field.
- **270** names are split on the last space ("Mary Ann Smith" -> last "Smith", first "Mary
  Ann"), or on a comma when there is one ("Smith, Mary Ann"); a one-word name is refused
  because payers match on both. Sender and receiver ids come from X12_SENDER_ID and
  X12_RECEIVER_ID when set; otherwise the provider's NPI and the payer's id stand in. What
  keeps a 270 from being built is returned as plain reasons (`Built270.refusals`), not raised:
  the page lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from flask import current_app

from coordinator.clock import clinic_today
from coordinator.contracts.values import compact_identifier
from coordinator.contracts.verification import LINE_AMOUNTS, NOTES_LIMIT
from coordinator.domain.audit import AuditAction
from coordinator.domain.insurance import (
    CopayPer,
    LimitUnit,
    NetworkStatus,
    ServiceLine,
    SubscriberRelationship,
    VerificationMethod,
    VerificationStatus,
)
from coordinator.domain.intake import Sex
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import BenefitVerification, Coverage, Inquiry, Payer, User, VerificationLine, utcnow
from coordinator.rules import verification_identity as identity
from coordinator.rules.errors import RuleError
from coordinator.rules.verification_lifecycle import LIFECYCLE, VerificationAction, VerificationStage
from coordinator.services import audit, verifications
from coordinator.x12.build270 import EligibilityRequest, Person, X12BuildError, build_270
from coordinator.x12.codes import INSURANCE_TYPES
from coordinator.x12.mapping import draft_from_271
from coordinator.x12.parse271 import X12ParseError, parse_271

_LINE_ORDER = {line: index for index, line in enumerate(ServiceLine)}
# What a 271's line may say, besides its notes.
_DRAFT_FIELDS = (
    "covered",
    "prior_auth_required",
    *LINE_AMOUNTS,
    "copay_per",
    "coinsurance_percent",
    "limit_quantity",
    "limit_unit",
    "limit_period",
    "carve_out",
)

# --- 271 import ----------------------------------------------------------------------------------


def same_identifier(one: str | None, other: str | None) -> bool:
    """Whether two member ids (or group numbers) are the same as printed: spaces and case aside."""
    return (compact_identifier(one) or "").upper() == (compact_identifier(other) or "").upper()


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
    if all(getattr(draft_line, name, None) is None for name in _DRAFT_FIELDS):
        return None
    if service_line not in ServiceLine._value2member_map_:
        findings.append(f"The 271 described benefits for {service_line}, which has no place here.")
        return None
    line = VerificationLine(service_line=ServiceLine(service_line))
    label = ServiceLine(service_line).label
    line.covered = getattr(draft_line, "covered", None)
    line.prior_auth_required = getattr(draft_line, "prior_auth_required", None)
    for name, what in LINE_AMOUNTS.items():
        value = getattr(draft_line, name, None)
        if value is not None and (
            not isinstance(value, Decimal) or not value.is_finite() or value < 0 or value >= Decimal("1e10")
        ):
            findings.append(f"{label}: the {what} on the 271 ({value}) could not be kept.")
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


def _read(uploaded: bytes | BinaryIO) -> bytes:
    """The upload's bytes, reading at most one byte past the limit (so a huge file is not read whole)."""
    limit = current_app.config["X12_MAX_BYTES"]
    content = uploaded.read(limit + 1) if hasattr(uploaded, "read") else uploaded
    if not content:
        raise ValidationFailed.single("file", "The file is empty. Choose the 271 file the payer sent.")
    if len(content) > limit:
        raise ValidationFailed.single(
            "file",
            f"The file is {len(content):,} bytes; a 271 may be at most "
            f"{limit:,} bytes. Check that this is the right file.",
        )
    return content


def _member_finding(draft, coverage: Coverage) -> str | None:
    """A member id the 271 gives where this coverage has none (a different one is an identity
    mismatch, which blocks confirmation: `verifications.identity_mismatches`)."""
    member_id = getattr(draft, "member_id", None)
    if member_id and not coverage.member_id:
        return f"The 271 is for member id {member_id}; this coverage has no member id yet."
    return None


def _identity(response) -> dict:
    """Who and which payer the parsed 271 names, as stored with the draft."""

    def person(member):
        if member is None:
            return None
        return identity.Person(member.last_name, member.first_name, None, member.birth_date)

    payer = response.payer
    subscriber = response.subscriber
    return identity.to_json(
        identity.Identity(
            person(subscriber),
            person(response.dependent),
            subscriber.member_id if subscriber else None,
            payer.name if payer else None,
            payer.id if payer else None,
        )
    )


def _group_finding(draft, coverage: Coverage) -> str | None:
    group_number = getattr(draft, "group_number", None)
    if group_number and coverage.group_number and not same_identifier(group_number, coverage.group_number):
        return f"The 271 names group number {group_number}; this coverage has {coverage.group_number}."
    return None


def import_271(actor: User, coverage: Coverage, uploaded: bytes | BinaryIO) -> BenefitVerification:
    """Turn a 271 file (bytes or an upload) into a draft verification to review; the caller commits."""
    content = _read(uploaded)
    try:
        response = parse_271(content)
        draft = draft_from_271(response)
    except (X12ParseError, RuleError) as error:
        raise ValidationFailed.single("file", error.message) from None

    notes = (*(getattr(draft, "rejections", None) or ()), *(getattr(draft, "notes", None) or ()))
    # Whose file it is comes first (it decides whether the rest matters).
    findings = [_member_finding(draft, coverage), *(_finding(item) for item in notes), _group_finding(draft, coverage)]
    findings = [finding for finding in findings if finding]
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
    request = verifications.open_request(coverage.id)
    header = dict(
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
        source_271=content.decode("utf-8", errors="replace").replace("\x00", ""),
        identity_271=_identity(response),
    )
    if request is None:
        verification = BenefitVerification(
            coverage_id=coverage.id, created_by_id=actor.id, stage=VerificationStage.DRAFT, **header
        )
        verification.lines = []
        db.session.add(verification)
    else:  # the visitor's request is answered by this file: it becomes the draft
        verification = request
        verification.stage = LIFECYCLE.next(request.stage, VerificationAction.IMPORT_271)
        for name, value in header.items():
            setattr(verification, name, value)
    if verification.plan_begin and verification.plan_end and verification.plan_end < verification.plan_begin:
        verification.findings.append("The 271's plan dates are out of order; they were left out.")
        verification.plan_begin = verification.plan_end = None
    verification.lines = sorted(lines, key=lambda line: _LINE_ORDER[line.service_line])
    db.session.flush()
    answered = ", answers the request" if request is not None else ""
    audit.record(
        actor,
        AuditAction.VERIFICATION_IMPORTED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {coverage.id}, 271 draft, {len(lines)} service lines, {len(findings)} findings{answered}",
    )
    return verification


# --- 270 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built270:
    """A 270 ready to download, or the reasons it cannot be built yet."""

    text: str | None = None
    filename: str | None = None
    refusals: tuple[str, ...] = ()


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


def _missing(coverage: Coverage, inquiry: Inquiry, payer: Payer | None, npi: str) -> list[str]:
    """What the 270 needs that is not on record yet, in words staff act on."""
    reasons = []
    if payer is None:
        reasons.append(
            "Choose this coverage's payer from the payer list (Admin → Payers) so the 270 can name its X12 id."
        )
    elif not payer.payer_code:
        reasons.append("Add the payer's X12 id on Admin → Payers.")
    if not coverage.member_id:
        reasons.append("Add the member id from the insurance card to this coverage.")
    if split_name(inquiry.patient_name) is None:
        reasons.append("Enter the patient's first and last name on the inquiry (payers match on both).")
    if inquiry.patient_dob is None:
        reasons.append("Enter the patient's date of birth on the inquiry (payers match on it).")
    dependent = coverage.relationship_to_subscriber is not SubscriberRelationship.SELF
    if dependent and split_name(coverage.subscriber_name) is None:
        reasons.append("Enter the insured person's first and last name on this coverage.")
    if not npi:
        reasons.append(
            "The clinic's NPI is not set up (PROVIDER_NPI in the server settings); ask an "
            "administrator before building a 270."
        )
    return reasons


def _people(coverage: Coverage, inquiry: Inquiry) -> tuple[Person, Person | None]:
    """The subscriber, and the patient as a dependent when the patient is not the insured."""
    last, first = split_name(inquiry.patient_name)
    patient = dict(last_name=last, first_name=first, birth_date=inquiry.patient_dob)
    patient["gender"] = _GENDER.get(inquiry.patient_sex)
    if coverage.relationship_to_subscriber is SubscriberRelationship.SELF:
        return Person(**patient), None
    last, first = split_name(coverage.subscriber_name)
    subscriber = Person(
        last_name=last,
        first_name=first,
        birth_date=coverage.subscriber_dob,
        gender=_GENDER.get(coverage.subscriber_sex),
    )
    return subscriber, Person(**patient, relationship_code=coverage.relationship_to_subscriber.x12_code)


def build_270_for(actor: User, coverage: Coverage, today: date | None = None) -> Built270:
    """A 270 asking the payer about behavioural benefits, or why not yet; the caller commits the audit row."""
    today = today or clinic_today()
    config = current_app.config
    inquiry = db.session.get(Inquiry, coverage.inquiry_id)
    payer = db.session.get(Payer, coverage.payer_id) if coverage.payer_id else None
    npi = (config.get("PROVIDER_NPI") or "").strip()
    reasons = _missing(coverage, inquiry, payer, npi)
    if reasons:
        return Built270(refusals=tuple(reasons))
    subscriber, dependent = _people(coverage, inquiry)
    now = utcnow()
    request = EligibilityRequest(
        sender_id=(config.get("X12_SENDER_ID") or npi).strip(),
        receiver_id=(config.get("X12_RECEIVER_ID") or payer.payer_code).strip(),
        interchange_control=int(now.timestamp()) % 999_999_999 or 1,
        group_control=coverage.id % 999_999_999 or 1,
        transaction_control=f"{coverage.id % 1_000_000_000:04d}",
        created_at=now,
        payer_name=payer.name,
        payer_id=payer.payer_code,
        provider_name=config.get("PROVIDER_NAME", "Coordinator Clinic"),
        provider_npi=npi,
        subscriber=subscriber,
        dependent=dependent,
        member_id=coverage.member_id,
        group_number=coverage.group_number,
        trace_number=f"{coverage.inquiry_id}-{coverage.id}-{now:%Y%m%d%H%M%S}",
        service_date=today,
    )
    try:
        text = build_270(request)
    except X12BuildError as error:
        return Built270(refusals=(error.message,))
    audit.record(
        actor, AuditAction.ELIGIBILITY_REQUEST_BUILT, "coverage", coverage.id, detail=f"inquiry {coverage.inquiry_id}"
    )
    return Built270(text=text, filename=f"270-{coverage.inquiry_id}-{today.isoformat()}.x12")
