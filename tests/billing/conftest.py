"""Shared set-up for private-pay tests: a residential program quoted at 280,000 THB a month,
an inquiry, and an admissions user."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from coordinator.models import User
from coordinator.roles import Role
from tests.billing.helpers import add_schedule
from tests.fixtures.intake import make_inquiry, make_program


@dataclass
class World:
    admissions: User
    program_id: int
    schedule_id: int
    inquiry_id: int


@pytest.fixture
def world(app, create_user) -> World:
    admissions = create_user(Role.ADMISSIONS)
    program = make_program(app, name="Residential pain and recovery")
    schedule_id = add_schedule(app, admissions.id, program.id)
    inquiry = make_inquiry(app, admissions, patient_name="Somchai Example")
    return World(admissions, program.id, schedule_id, inquiry.id)
