"""The clinical lead: who hears about PHQ-9 item-9 safety flags (an administrator's setting).

One active person, or everyone active in a role (clinicians until someone chooses). The sender
(`outbox/recipients.clinical_leads`) falls back to the role when the person was deactivated
since, and to administrators when nobody active has the role; the settings page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from coordinator.contracts.base import problem
from coordinator.contracts.reminders import ClinicalLeadInput
from coordinator.domain.reminders import ClinicalLeadChoice
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import User
from coordinator.roles import Role
from coordinator.services.settings import CLINICAL_LEAD_ROLE, CLINICAL_LEAD_USER, get_value, set_value

DEFAULT_LEAD_ROLE = Role.CLINICIAN


@dataclass(frozen=True)
class ClinicalLead:
    user: User | None  # a chosen person (perhaps deactivated since); None means "by role"
    role: Role  # everyone active in this role, when no person is chosen

    @property
    def choice(self) -> ClinicalLeadChoice:
        return ClinicalLeadChoice.USER if self.user is not None else ClinicalLeadChoice.ROLE

    @property
    def who(self) -> str:
        """Who receives safety flags, in words: "Dr Lena Lead", "everyone active in the role Clinician"."""
        return self.user.full_name if self.user else f"everyone active in the role {self.role.label}"


def current() -> ClinicalLead:
    """The current setting, with the default role when none was ever chosen."""
    raw_user, raw_role = get_value(CLINICAL_LEAD_USER), get_value(CLINICAL_LEAD_ROLE)
    user = db.session.get(User, int(raw_user)) if raw_user and raw_user.isdecimal() and len(raw_user) < 10 else None
    role = Role(raw_role) if raw_role in Role._value2member_map_ else DEFAULT_LEAD_ROLE
    return ClinicalLead(user=user, role=role)


def candidates() -> list[User]:
    """Active staff, by name: the people an administrator may choose as clinical lead."""
    return list(
        db.session.scalars(
            sa.select(User).where(User.is_active.is_(True)).order_by(sa.func.lower(User.full_name), User.id)
        )
    )


def active_counts_by_role() -> dict[Role, int]:
    """Active accounts per role (roles with none are absent): one GROUP BY."""
    return dict(
        db.session.execute(
            sa.select(User.role, sa.func.count()).where(User.is_active.is_(True)).group_by(User.role)
        ).all()
    )


def choose(actor: User, lead: ClinicalLeadInput) -> ClinicalLead:
    """Make one active person, or a role, the clinical lead; audited. The caller commits."""
    if lead.choice is ClinicalLeadChoice.USER:
        user = _active_user(lead.user_id)
        set_value(actor, CLINICAL_LEAD_USER, str(user.id))
        return ClinicalLead(user=user, role=current().role)
    if not active_counts_by_role().get(lead.role):
        # The sender would fall back to administrators; better to choose someone on purpose.
        raise ValidationFailed([problem("role", "clinical_lead_role_empty", role=lead.role.label)])
    set_value(actor, CLINICAL_LEAD_USER, None)
    set_value(actor, CLINICAL_LEAD_ROLE, lead.role.value)
    return ClinicalLead(user=None, role=lead.role)


def _active_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationFailed([problem("user_id", "clinical_lead_unknown_user")])
    if not user.is_active:
        raise ValidationFailed([problem("user_id", "clinical_lead_inactive_user", name=user.full_name)])
    return user
