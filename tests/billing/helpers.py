"""Helpers for private-pay tests (the fixtures are in conftest.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import LedgerEntry, User
from coordinator.services import fee_schedules
from tests.billing import use_cases as cases


def clinic_today(app) -> date:
    return datetime.now(ZoneInfo(app.config["DISPLAY_TIMEZONE"])).date()


def add_schedule(
    app, actor_id: int, program_id: int, amount: str = "280,000", currency: str = "THB", period: str = "month"
) -> int:
    with app.app_context():
        actor = db.session.get(User, actor_id)
        schedule = cases.create_schedule(
            actor,
            {
                "program_id": program_id,
                "amount": amount,
                "currency": currency,
                "period": period,
                "includes": fee_schedules.DEFAULT_INCLUDES,
                "billed_separately": fee_schedules.DEFAULT_BILLED_SEPARATELY,
            },
        )
        db.session.commit()
        return schedule.id


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def ledger_rows(app) -> list[tuple]:
    """(kind, amount, currency, voided) for every ledger entry, oldest first."""
    with app.app_context():
        return [
            (e.kind.value, e.amount, e.currency, e.voided_at is not None)
            for e in db.session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.id))
        ]
