"""Capacity, census, beds and the waitlist (issue 14, items 6 and 8): who may call which endpoint.

Readers are case managers, clinicians (the clinical lead by default) and administrators; the
same people keep beds and the waitlist (clinicians as the default clinical lead); only
administrators name beds."""

from __future__ import annotations

from coordinator.roles import Role
from tests.access_matrix import ADMIN, Access, staff

BOARD = staff(Role.ADMIN, Role.CASE_MANAGER, Role.CLINICIAN)

CENSUS_MATRIX = {
    ("care.census_index", "GET"): Access(BOARD, "/care/census", expect=200),
    ("care.census_board", "GET"): Access(BOARD, "/care/census/{program}", expect=200),
    ("care.assign_bed", "POST"): Access(BOARD, "/care/census/{program}/beds", expect=400, data={"bed_id": "x"}),
    ("care.waitlist_page", "GET"): Access(BOARD, "/care/census/{program}/waitlist", expect=200),
    ("care.waitlist_page", "POST"): Access(BOARD, "/care/census/{program}/waitlist", expect=400, data={"mrn": ""}),
    ("care.offer_place", "POST"): Access(
        BOARD, "/care/census/{program}/waitlist/{waitlist_entry}/offer", expect=400, data={"bed_id": "x"}
    ),
    ("care.close_waitlist_entry", "POST"): Access(
        BOARD, "/care/census/{program}/waitlist/{waitlist_entry}/outcome", expect=400, data={"outcome": "maybe"}
    ),
    ("admin.program_beds", "GET"): Access(ADMIN, "/admin/programs/{program}/beds", expect=200),
    ("admin.program_beds", "POST"): Access(ADMIN, "/admin/programs/{program}/beds", expect=400, data={"name": ""}),
    ("admin.toggle_bed", "POST"): Access(ADMIN, "/admin/beds/{bed}/active", expect=302),
}


def census_records(app, staff_member, inquiry_id: int) -> dict:
    """A bed of the matrix's program and a waitlist entry for its inquiry."""
    import sqlalchemy as sa

    from coordinator.extensions import db
    from coordinator.models import Bed, Program, WaitlistEntry

    with app.app_context():
        program_id = db.session.scalar(sa.select(Program.id).order_by(Program.id).limit(1))
        bed = Bed(program_id=program_id, name="Matrix 1")
        entry = WaitlistEntry(program_id=program_id, inquiry_id=inquiry_id)
        db.session.add_all([bed, entry])
        db.session.commit()
        return {"bed": bed.id, "waitlist_entry": entry.id}
