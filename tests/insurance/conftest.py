"""Shared records and helpers for the insurance page and service tests."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordinator.contracts.coverage import CoverageInput
from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, Payer, User
from coordinator.roles import Role
from coordinator.services import coverages
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as

X12_FIXTURES = "tests/insurance/x12_fixtures"


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def audit_actions(app, entity_type: str | None = None) -> list[str]:
    with app.app_context():
        query = sa.select(AuditEvent.action).order_by(AuditEvent.id)
        if entity_type:
            query = query.where(AuditEvent.entity_type == entity_type)
        return list(db.session.scalars(query))


def make_payer(app, name: str = "Blue Harbor Health", payer_code: str | None = "BHH01", active: bool = True) -> int:
    with app.app_context():
        payer = Payer(name=name, payer_code=payer_code, is_active=active)
        db.session.add(payer)
        db.session.commit()
        return payer.id


def make_coverage(app, actor: User, inquiry_id: int, **overrides) -> int:
    """A coverage through the service; the default is a primary PPO with a member id."""
    data = {"rank": "primary", "payer_name": "Acme Health", "member_id": "XYZ123456789", "plan_type": "ppo"}
    data.update(overrides)
    with app.app_context():
        coverage = coverages.add_coverage(
            db.session.merge(actor), db.session.get(Inquiry, inquiry_id), CoverageInput.parse(data)
        )
        db.session.commit()
        return coverage.id


@pytest.fixture
def editor(create_user) -> User:
    return create_user(Role.ADMISSIONS, full_name="Ada Admissions")


@pytest.fixture
def editor_client(client, editor):
    return login_as(client, editor)


@pytest.fixture
def inquiry(app, editor) -> Inquiry:
    return make_inquiry(app, editor, patient_name="Daniel Example", patient_dob="1975-04-12")
