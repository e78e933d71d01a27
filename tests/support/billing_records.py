"""Records the billing matrix rows' placeholders refer to (see tests/platform/test_access_control.py):
a fee schedule on a program, a THB account on the inquiry with an issued quote, a charge and a plan."""

from __future__ import annotations


def billing_records(app, staff_member, inquiry_id: int) -> dict:
    from coordinator.clock import clinic_today
    from coordinator.extensions import db
    from coordinator.models import Inquiry
    from coordinator.services import fee_schedules
    from tests.billing import use_cases as cases
    from tests.fixtures.intake import make_program

    program = make_program(app, name="Matrix residential (private pay)")
    with app.app_context():
        actor = db.session.merge(staff_member)
        schedule = cases.create_schedule(
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
        account = cases.open_account(actor, db.session.get(Inquiry, inquiry_id), "THB")
        today = clinic_today()
        quote = cases.issue_quote(actor, account, program.id, 1, None, None, today)
        entry = cases.add_charge(actor, account, "transport", "3,500", today, "Hospital transport", None, today=today)
        plan = cases.create_plan(actor, account, "3,500", 1, "monthly", today, None, today)
        db.session.commit()
        return {
            "fee_schedule": schedule.id,
            "billing_quote": quote.id,
            "billing_entry": entry.id,
            "billing_plan": plan.id,
        }
