"""Records the billing matrix rows' placeholders refer to (see tests/platform/test_access_control.py):
a fee schedule on a program, a THB account on the inquiry with an issued quote, a charge and a plan."""

from __future__ import annotations

from datetime import date


def billing_records(app, staff_member, inquiry_id: int) -> dict:
    from coordinator.extensions import db
    from coordinator.models import Inquiry
    from coordinator.services import billing, fee_schedules
    from tests.fixtures.intake import make_program

    program = make_program(app, name="Matrix residential (private pay)")
    with app.app_context():
        actor = db.session.merge(staff_member)
        schedule = fee_schedules.create_schedule(
            actor,
            {
                "program_id": program.id,
                "amount": "280,000",
                "currency": "THB",
                "period": "month",
                "includes": fee_schedules.DEFAULT_INCLUDES,
                "billed_separately": fee_schedules.DEFAULT_BILLED_SEPARATELY,
            },
        )
        account = billing.open_account(actor, db.session.get(Inquiry, inquiry_id), "THB")
        today = date.today()
        quote = billing.issue_quote(actor, account, program.id, 1, None, None, today)
        entry = billing.add_charge(actor, account, "transport", "3,500", today, "Hospital transport", None, today=today)
        plan = billing.create_plan(actor, account, "3,500", 1, "monthly", today, None, today)
        db.session.commit()
        return {
            "fee_schedule": schedule.id,
            "billing_quote": quote.id,
            "billing_entry": entry.id,
            "billing_plan": plan.id,
        }
