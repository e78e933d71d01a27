"""Taking an inquiry in: one writer for the phone form, the web form and the API.

The input is already a contract (`contracts/intake.py`: `NewInquiry`, `StaffInquiry`,
`InquiryEdit`), so every way in has been checked the same way. `create_inquiry` writes the
inquiry, its regimen and MME, its referrer, the "arrived" timeline entry, duplicate flags, the
first-contact reminder, the coverage and requested benefits check (when insurance was given)
and the audit rows, in one transaction that the caller commits.
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from coordinator.contracts.base import problem
from coordinator.contracts.intake import InquiryDetails, InquiryEdit, InsuranceDetails, NewInquiry, StaffInquiry
from coordinator.contracts.messages import define
from coordinator.contracts.values import phone_digits
from coordinator.domain.audit import AuditAction
from coordinator.domain.insurance import CoverageRank, VerificationStatus
from coordinator.domain.intake import ActivityKind, Channel, ReferralSource
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
from coordinator.rules.inquiry_lifecycle import InquiryAction
from coordinator.rules.search_text import normalise_key
from coordinator.rules.verification_lifecycle import VerificationStage
from coordinator.services import audit, pipeline, reminders, speed_to_lead, tasks
from coordinator.services.audit import SystemActor

ASSIGNABLE_ROLES = (Role.ADMISSIONS, Role.ADMIN, Role.CASE_MANAGER)
DETAIL_FIELDS = (
    "caller_name",
    "caller_relationship",
    "caller_phone",
    "caller_email",
    "preferred_contact",
    "may_leave_message",
    "contact_instructions",
    "patient_name",
    "patient_dob",
    "patient_sex",
    "patient_location",
    "patient_phone",
    "patient_email",
    "presenting_concerns",
    "pain_conditions",
    "prior_treatment",
    "urgency",
    "referral_source",
)

define(
    {
        "assignee_not_assignable": "Choose an active admissions, case management or admin user.",
        "restricted_needs_assignee": "A restricted record needs an assignee: only they and administrators "
        "will be able to open it.",
    }
)


def find_or_create_referrer(
    kind: ReferralSource, name: str, organization: str | None, phone: str | None, email: str | None
) -> Referrer:
    """The referrer with this kind, name and organization, created the first time it is seen."""
    key = normalise_key(f"{name} | {organization or ''}", limit=330)
    referrer = db.session.scalar(sa.select(Referrer).where(Referrer.kind == kind, Referrer.name_key == key))
    if referrer is None:
        referrer = Referrer(kind=kind, name=name, organization=organization, phone=phone, email=email, name_key=key)
        db.session.add(referrer)
        db.session.flush()
    else:
        referrer.phone = phone or referrer.phone
        referrer.email = email or referrer.email
    return referrer


def check_assignee(user_id: int | None, *, restricted: bool) -> User | None:
    """The active user an inquiry may be assigned to (None for nobody), or ValidationFailed;
    a restricted record must have one."""
    user = db.session.get(User, user_id) if user_id else None
    if user_id and (user is None or not user.is_active or user.role not in ASSIGNABLE_ROLES):
        raise ValidationFailed([problem("assigned_to_id", "assignee_not_assignable")])
    if restricted and user is None:
        raise ValidationFailed([problem("assigned_to_id", "restricted_needs_assignee")])
    return user


def _apply(inquiry: Inquiry, data: InquiryDetails) -> None:
    for field in DETAIL_FIELDS:
        setattr(inquiry, field, getattr(data, field))
    inquiry.substances = [substance.value for substance in data.substances]
    inquiry.patient_name_key = normalise_key(data.patient_name)
    inquiry.caller_name_key = normalise_key(data.caller_name)
    inquiry.caller_phone_digits = phone_digits(data.caller_phone)
    inquiry.patient_phone_digits = phone_digits(data.patient_phone)
    inquiry.caller_email_key = data.caller_email.lower() if data.caller_email else None
    inquiry.patient_email_key = data.patient_email.lower() if data.patient_email else None
    if data.referrer_name:
        inquiry.referrer = find_or_create_referrer(
            data.referral_source,
            data.referrer_name,
            data.referrer_organization,
            data.referrer_phone,
            data.referrer_email,
        )
    else:
        inquiry.referrer = None


def replace_regimen(inquiry: Inquiry, regimen: list[mme.RegimenLine], result: mme.MmeResult | None) -> None:
    """Make `regimen` the inquiry's current opioid regimen and store its MME/day."""
    db.session.execute(sa.delete(OpioidRegimenLine).where(OpioidRegimenLine.inquiry_id == inquiry.id))
    _add_regimen(inquiry, regimen)
    inquiry.mme_per_day = result.total_mme_per_day if result is not None else None


def _add_regimen(inquiry: Inquiry, regimen: list[mme.RegimenLine]) -> None:
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


def create_inquiry(actor, data: NewInquiry, *, channel: Channel, api_client: ApiClient | None = None) -> Inquiry:
    """Write a new inquiry (and its coverage, when insurance was given); the caller commits.

    Only staff taking a call (`StaffInquiry`) may assign or restrict a record."""
    staff = isinstance(data, StaffInquiry) and isinstance(actor, User)
    restricted = staff and data.is_restricted
    assignee = check_assignee(data.assigned_to_id, restricted=restricted) if staff else None
    now = utcnow()
    inquiry = Inquiry(
        public_id=secrets.token_urlsafe(12),
        channel=channel,
        arrived_at=now,
        status_changed_at=now,
        api_client_id=api_client.id if api_client else None,
        created_by_id=actor.id if isinstance(actor, User) else None,
        assigned_to_id=assignee.id if assignee else None,
        is_restricted=restricted,
    )
    _apply(inquiry, data)
    # A new inquiry has no regimen to replace: its MME/day goes in with its INSERT, its lines after.
    result = data.regimen.result
    inquiry.mme_per_day = result.total_mme_per_day if result is not None else None
    db.session.add(inquiry)
    db.session.flush()
    _add_regimen(inquiry, list(data.regimen.lines))
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
    matches = flag_possible_duplicates(inquiry)
    live = staff and channel is Channel.PHONE and data.caller_on_line
    if not live:  # a caller on the line has been reached: no first contact to wait for
        reminders.inquiry_arrived(inquiry)
    if channel in (Channel.WEB_FORM, Channel.API):  # nobody is on the line: tell the desk now
        speed_to_lead.assign_in_turn(actor, inquiry)
        reminders.inquiry_announced(inquiry)
    audit.record(actor, AuditAction.INQUIRY_CREATED, "inquiry", inquiry.id, detail=f"channel {channel.value}")
    for other_id, matched_on in matches:  # written with the row above, in the same statement
        detail = f"new inquiry {inquiry.id}, {matched_on}"
        audit.record(actor, AuditAction.POSSIBLE_DUPLICATE_FLAGGED, "inquiry", other_id, detail=detail)
    if data.insurance_given is not None:
        _add_coverage(actor, inquiry, data.insurance_given, channel)
    if live:
        pipeline.move(actor, inquiry, InquiryAction.RECORD_CONTACT, "Intake taken with the caller on the line")
        inquiry.first_contact_at = inquiry.arrived_at  # the call that brought the inquiry in
    return inquiry


def _add_coverage(actor, inquiry: Inquiry, insurance: InsuranceDetails, channel: Channel) -> Coverage:
    """The primary coverage from the insurance details given with a new inquiry, and the
    benefits check the visitor asked for (requested, no method yet: staff choose how)."""
    creator_id = actor.id if isinstance(actor, User) else None
    coverage = Coverage(
        inquiry_id=inquiry.id,
        rank=CoverageRank.PRIMARY,
        payer_name=insurance.insurer_name,
        plan_type=insurance.plan_type,
        member_id=insurance.member_id,
        group_number=insurance.group_number,
        relationship_to_subscriber=insurance.relationship,
        subscriber_name=insurance.subscriber_name,
        subscriber_dob=insurance.subscriber_birth_date,
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
    if insurance.verification_requested:
        verification = BenefitVerification(
            coverage_id=coverage.id,
            stage=VerificationStage.REQUESTED,
            status=VerificationStatus.REQUESTED,
            method=None,
            created_by_id=creator_id,
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


def update_inquiry(actor: User, inquiry: Inquiry, data: InquiryEdit) -> Inquiry:
    """Change an inquiry's details (not its status); the caller commits."""
    assignee = check_assignee(data.assigned_to_id, restricted=data.is_restricted)
    _apply(inquiry, data)
    inquiry.assigned_to_id = assignee.id if assignee else None
    inquiry.is_restricted = data.is_restricted
    replace_regimen(inquiry, list(data.regimen.lines), data.regimen.result)
    db.session.flush()
    audit.record(actor, AuditAction.INQUIRY_UPDATED, "inquiry", inquiry.id)
    tasks.hand_over_for_restriction(actor, inquiry)
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


def flag_possible_duplicates(inquiry: Inquiry) -> list[tuple[int, str]]:
    """Flag every earlier, unmerged inquiry that may be the same person; (its id, what matched)
    for each, for the caller to audit.

    One INSERT ... SELECT that runs whether or not anything matches, so the statements and the
    time an inquiry takes do not depend on it: nothing of a match reaches whoever sent the
    inquiry (the web form and the API answer the same either way)."""
    conditions = duplicate_conditions(inquiry)
    if not conditions:  # (depends only on what the sender gave: no phone, email or birth date)
        return []
    labels = [sa.case((condition, f", {label}"), else_="") for label, condition in conditions]
    matched_on = labels[0]
    for label in labels[1:]:
        matched_on = matched_on.concat(label)
    matches = (
        sa.select(
            sa.literal(inquiry.id, sa.Integer),
            Inquiry.id,
            sa.func.substr(matched_on, 3),
            sa.literal(utcnow(), PossibleDuplicate.created_at.type),
        )
        .where(
            sa.or_(*(condition for _, condition in conditions)),
            Inquiry.id != inquiry.id,
            Inquiry.merged_into_id.is_(None),
        )
        .order_by(Inquiry.id)
        .limit(20)
    )
    flagged = db.session.execute(
        sa.insert(PossibleDuplicate)
        .from_select(["inquiry_id", "other_inquiry_id", "matched_on", "created_at"], matches)
        .returning(PossibleDuplicate.other_inquiry_id, PossibleDuplicate.matched_on)
    )
    return sorted((other_id, label) for other_id, label in flagged)
