"""Issue 14, item 6 and the census/waitlist pages of item 8: census from the segments for any
day, beds, the waitlist, over-capacity; the walk-through of the issue; restricted patients on
the board; statements that do not grow with the data; hostile input."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordinator.domain.care import LevelOfCare
from coordinator.extensions import db
from coordinator.models import AuditEvent, Bed, BedAssignment, CareSegment, Reminder, User, WaitlistEntry
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.support.care_records import admit_directly

TODAY = date.today()
DAY0 = TODAY - timedelta(days=70)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


@pytest.fixture
def ladder(app):
    return {
        "detox": make_program(
            app,
            name="St Mary partner detox",
            level_of_care=LevelOfCare.PARTNER_HOSPITAL_DETOX,
            asam_level="4-WM",
            capacity=4,
        ).id,
        "residential": make_program(app, name="Residential North", capacity=1).id,
        "php": make_program(app, name="Day program", level_of_care=LevelOfCare.PHP, asam_level="2.5").id,
        "iop": make_program(app, name="Evening IOP", level_of_care=LevelOfCare.IOP, asam_level="2.1").id,
        "virtual_iop": make_program(
            app, name="Virtual IOP", level_of_care=LevelOfCare.VIRTUAL_IOP, asam_level="2.1"
        ).id,
    }


@pytest.fixture
def beds(app, ladder):
    with app.app_context():
        made = [Bed(program_id=ladder["residential"], name=name) for name in ("North 1", "North 2")]
        db.session.add_all(made)
        db.session.commit()
        return {bed.name: bed.id for bed in made}


@pytest.fixture
def case_manager(app, client, create_user):
    user = create_user(Role.CASE_MANAGER)
    login_as(client, user)
    return user


def move(client, episode_id, **data):
    return client.post_form(f"/care/episodes/{episode_id}/move", data)


def step(client, episode_id, n, level, program, **extra):
    response = move(
        client,
        episode_id,
        kind="step_down",
        on=day(n).isoformat(),
        level_of_care=level,
        program_id=str(program),
        reason=f"step down on day {n}",
        **extra,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]


def board(client, program_id, on: date | None = None) -> str:
    query = f"?on={on.isoformat()}" if on else ""
    response = client.get(f"/care/census/{program_id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def total(page: str) -> str:
    return re.search(r'data-testid="census-total">([^<]*)<', page).group(1)


def test_the_walk_through_census_on_each_date_and_the_freed_bed_offered(app, client, case_manager, ladder, beds):
    first = make_inquiry(app, case_manager, assigned_to_id=case_manager.id, patient_name="Dana Walker")
    a = admit_directly(app, case_manager, first.id, ladder["detox"], admit_date=day(0))["episode"]
    step(client, a, 5, "residential", ladder["residential"])
    taken = client.post_form(
        f"/care/census/{ladder['residential']}/beds",
        {"bed_id": str(beds["North 1"]), "episode_id": str(a), "on": day(5).isoformat()},
    )
    assert taken.status_code == 302, taken.get_data(as_text=True)[-2000:]
    # A second person waits for residential (an inquiry, not admitted yet).
    second = make_inquiry(app, case_manager, assigned_to_id=case_manager.id, patient_name="Robin Waits")
    added = client.post_form(f"/care/census/{ladder['residential']}/waitlist", {"inquiry_id": str(second.id)})
    assert added.status_code == 302
    step(client, a, 30, "php", ladder["php"])
    step(client, a, 45, "iop", ladder["iop"])
    step(client, a, 60, "virtual_iop", ladder["virtual_iop"])
    out = move(client, a, kind="discharge", on=day(68).isoformat(), discharge_kind="planned", reason="Completed")
    assert out.status_code == 302

    where = {
        0: "detox",
        4: "detox",
        5: "residential",
        29: "residential",
        30: "php",
        44: "php",
        45: "iop",
        60: "virtual_iop",
        68: "virtual_iop",
    }
    for n, program in where.items():
        for name, program_id in ladder.items():
            page = board(client, program_id, day(n))
            expected = 1 if name == program else 0
            assert total(page).startswith(f"{expected} of"), (n, name)
            assert ("Dana Walker" in page) is bool(expected), (n, name)
        if program == "residential":
            page = board(client, ladder["residential"], day(n))
            assert re.search(r"North 1</span>\s*<span><a[^>]*>Dana Walker", page), n
    for program_id in ladder.values():
        assert total(board(client, program_id, day(69))).startswith("0 of")

    # Leaving residential on day 30 freed North 1; Robin, first in line, is offered it.
    with app.app_context():
        held = db.session.scalars(sa.select(BedAssignment).where(BedAssignment.admission_id == a)).one()
        assert held.ends_on == day(29)
        entry = db.session.scalars(sa.select(WaitlistEntry)).one()
    # The case managers were told at once that a bed is free for the first in line; nobody named.
    with app.app_context():
        from coordinator.outbox.compose import compose
        from coordinator.outbox.recipients import recipients

        reminder = db.session.scalars(sa.select(Reminder).where(Reminder.kind == "waitlist_bed_free")).one()
        assert reminder.waitlist_entry_id == entry.id and reminder.status.value == "pending"
        assert [u.id for u in recipients(reminder)] == [case_manager.id]
        message = compose(reminder, db.session.get(User, case_manager.id))
        assert message.path == f"/care/census/{ladder['residential']}/waitlist"
        assert "Robin" not in repr(message) and "Residential North" not in repr(message)
    waitlist = client.get(f"/care/census/{ladder['residential']}/waitlist").get_data(as_text=True)
    assert "Robin Waits" in waitlist and "2 beds free" in waitlist
    offered = client.post_form(f"/care/census/{ladder['residential']}/waitlist/{entry.id}/offer", {"bed_id": ""})
    assert offered.status_code == 302
    with app.app_context():
        entry = db.session.get(WaitlistEntry, entry.id)
        assert entry.offered_on == TODAY and entry.offered_bed_id == beds["North 1"]
        assert db.session.get(Reminder, reminder.id).status.value == "cancelled"  # offered: no longer wanted
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    for action in ("bed_assigned", "bed_freed", "waitlist_added", "waitlist_offered", "census_board_viewed"):
        assert action in actions, action
    accepted = client.post_form(
        f"/care/census/{ladder['residential']}/waitlist/{entry.id}/outcome", {"outcome": "accepted"}
    )
    assert accepted.status_code == 302
    assert "Robin Waits" not in client.get(f"/care/census/{ladder['residential']}/waitlist").get_data(as_text=True)


def test_a_bed_already_taken_is_refused_and_nothing_is_saved(app, client, case_manager, ladder, beds):
    made = [
        admit_directly(app, case_manager, make_inquiry(app, case_manager).id, ladder["php"], admit_date=day(0))
        for _ in range(2)
    ]
    # Both in residential (capacity raised so that the moves are allowed).
    with app.app_context():
        from coordinator.models import Program

        db.session.get(Program, ladder["residential"]).capacity = 5
        db.session.commit()
    for m in made:
        move(
            client,
            m["episode"],
            kind="step_up",
            on=day(3).isoformat(),
            level_of_care="residential",
            program_id=str(ladder["residential"]),
            reason="Needs more structure",
        )
    url = f"/care/census/{ladder['residential']}/beds"
    assert (
        client.post_form(url, {"bed_id": str(beds["North 1"]), "episode_id": str(made[0]["episode"])}).status_code
        == 302
    )
    refused = client.post_form(url, {"bed_id": str(beds["North 1"]), "episode_id": str(made[1]["episode"])})
    assert refused.status_code == 400
    assert "North 1 is already taken by another patient" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BedAssignment)) == 1
        # The database holds it too: a second open assignment of the bed is refused.
        db.session.add(BedAssignment(bed_id=beds["North 1"], admission_id=made[1]["episode"], starts_on=TODAY))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_moving_into_a_full_program_is_refused_unless_the_clinical_lead_gives_a_reason(
    app, client, case_manager, create_user, ladder
):
    occupant = admit_directly(app, case_manager, make_inquiry(app, case_manager).id, ladder["residential"], day(0))
    other = admit_directly(app, case_manager, make_inquiry(app, case_manager).id, ladder["detox"], day(0))
    data = {
        "kind": "step_down",
        "on": day(6).isoformat(),
        "level_of_care": "residential",
        "program_id": str(ladder["residential"]),
        "reason": "Detox done",
    }
    refused = move(client, other["episode"], **data)
    assert refused.status_code == 400
    assert "Residential North is full on" in refused.get_data(as_text=True)
    # The clinical lead is, by default, everyone in the clinician role.
    lead = create_user(Role.CLINICIAN)
    client.logout()
    login_as(client, lead)
    without_reason = move(client, other["episode"], **data)
    assert without_reason.status_code == 400 and "give the reason for going over capacity" in without_reason.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(CareSegment.admission_id == other["episode"])) == 1
    allowed = move(client, other["episode"], **data, over_capacity_reason="Bed in the family room tonight")
    assert allowed.status_code == 302
    with app.app_context():
        segment = db.session.scalars(
            sa.select(CareSegment).where(CareSegment.admission_id == other["episode"], CareSegment.ends_on.is_(None))
        ).one()
        assert segment.over_capacity_reason == "Bed in the family room tonight"
        assert "over_capacity_allowed" in db.session.scalars(sa.select(AuditEvent.action)).all()
    assert total(board(client, ladder["residential"], day(6))).startswith("2 of 1")
    assert occupant


def test_a_restricted_patient_is_counted_but_not_named(app, client, case_manager, create_user, ladder):
    owner = create_user(Role.CASE_MANAGER)
    hidden = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True, patient_name="Quiet Exec")
    admit_directly(app, owner, hidden.id, ladder["php"], admit_date=day(0))
    page = board(client, ladder["php"])
    assert total(page).startswith("1 of") and "Quiet Exec" not in page
    assert "A patient you cannot see" in page
    client.logout()
    login_as(client, owner)
    assert "Quiet Exec" in board(client, ladder["php"])


def test_the_board_reads_the_same_statements_however_many_patients(
    app, client, case_manager, ladder, beds, count_queries
):
    def read() -> int:
        with count_queries() as counter:
            board(client, ladder["residential"])
        return counter.count

    with app.app_context():
        from coordinator.models import Program

        db.session.get(Program, ladder["residential"]).capacity = 50
        db.session.commit()
    admit_directly(app, case_manager, make_inquiry(app, case_manager).id, ladder["residential"], day(0))
    few = read()
    for n in range(6):
        made = admit_directly(app, case_manager, make_inquiry(app, case_manager).id, ladder["residential"], day(n))
        if n < 2:
            with app.app_context():
                db.session.add(
                    BedAssignment(bed_id=list(beds.values())[n], admission_id=made["episode"], starts_on=day(n))
                )
                db.session.commit()
        with app.app_context():
            db.session.add(WaitlistEntry(program_id=ladder["residential"], inquiry_id=make_inquiry(app).id))
            db.session.commit()
    assert read() == few


@pytest.mark.parametrize(
    "query", ["?on=9999-12-31", "?on=%00", "?on=2026-02-30", "?on=" + "9" * 5000, "?on=1800-01-01"]
)
def test_a_bad_census_date_is_a_400_with_the_reason(client, case_manager, ladder, query):
    response = client.get(f"/care/census/{ladder['residential']}{query}")
    assert response.status_code == 400
    assert "Showing today" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path, data",
    [
        ("/beds", {"bed_id": "2147483648", "episode_id": "1"}),
        ("/beds", {"bed_id": "\x00", "episode_id": "x" * 100_000}),
        ("/waitlist", {"mrn": "\x00", "inquiry_id": "1"}),
        ("/waitlist", {"inquiry_id": "99999999999999"}),
        ("/waitlist/2147483648/offer", {"bed_id": ""}),
        ("/waitlist/1/outcome", {"outcome": "x" * 100_000}),
    ],
)
def test_hostile_posts_are_refused_with_a_4xx(app, client, case_manager, ladder, path, data):
    before = None
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry))
    response = client.post_form(f"/care/census/{ladder['residential']}{path}", data)
    assert 400 <= response.status_code < 500
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry)) == before


def test_unknown_programs_are_not_found(client, case_manager):
    assert client.get("/care/census/2147483648").status_code == 404
    assert client.get("/care/census/99999").status_code == 404


def test_billing_and_admissions_do_not_see_the_census(app, client, create_user, ladder):
    for role in (Role.BILLING, Role.ADMISSIONS):
        client.logout()
        login_as(client, create_user(role))
        assert client.get(f"/care/census/{ladder['residential']}").status_code == 403


def test_admitting_into_a_full_program_is_refused_unless_the_clinical_lead_gives_a_reason(
    app, client, case_manager, create_user, ladder
):
    from coordinator.models import Admission
    from coordinator.services.settings import CLINICAL_LEAD_USER, set_value
    from tests.care.helpers import admission_of, admit, ready_to_admit

    admit_directly(app, case_manager, make_inquiry(app, case_manager).id, ladder["residential"], day(0))
    inquiry = make_inquiry(app, case_manager, assigned_to_id=case_manager.id)
    ready_to_admit(app, inquiry.id)
    refused = admit(client, inquiry.id, ladder["residential"], TODAY, patient_choice="new")
    assert refused.status_code == 400 and "Residential North is full on" in refused.get_data(as_text=True)
    assert admission_of(app, inquiry.id) is None
    with app.app_context():
        set_value(db.session.get(User, case_manager.id), CLINICAL_LEAD_USER, str(case_manager.id))
        db.session.commit()
    still = admit(client, inquiry.id, ladder["residential"], TODAY, patient_choice="new")
    assert still.status_code == 400 and "give the reason for going over capacity" in still.get_data(as_text=True)
    allowed = admit(
        client, inquiry.id, ladder["residential"], TODAY, patient_choice="new", over_capacity_reason="Crisis bed"
    )
    assert allowed.status_code == 302
    with app.app_context():
        admission = db.session.scalars(sa.select(Admission).where(Admission.inquiry_id == inquiry.id)).one()
        first = db.session.scalars(sa.select(CareSegment).where(CareSegment.admission_id == admission.id)).one()
        assert first.over_capacity_reason == "Crisis bed"


def test_a_discharge_frees_the_bed_and_tells_the_waitlist(app, client, case_manager, ladder, beds):
    made = admit_directly(app, case_manager, make_inquiry(app, case_manager).id, ladder["residential"], day(0))
    url = f"/care/census/{ladder['residential']}"
    assert client.post_form(f"{url}/beds", {"bed_id": str(beds["North 2"]), "episode_id": str(made["episode"])})
    waiting = make_inquiry(app, case_manager, assigned_to_id=case_manager.id)
    assert client.post_form(f"{url}/waitlist", {"inquiry_id": str(waiting.id)}).status_code == 302
    page = board(client, ladder["residential"])
    assert re.search(r"North 2</span>\s*<span><a", page)
    out = move(client, made["episode"], kind="discharge", on=TODAY.isoformat(), discharge_kind="planned", reason="Done")
    assert out.status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(BedAssignment.ends_on)).one() == TODAY
        assert db.session.scalars(sa.select(Reminder.kind).where(Reminder.waitlist_entry_id.is_not(None))).all() == [
            "waitlist_bed_free"
        ]
    # Today still counts the discharge day; tomorrow the bed is free.
    assert total(board(client, ladder["residential"], TODAY + timedelta(days=1))).startswith("0 of")


def test_administrators_name_beds_once_per_program(app, client, create_user, ladder):
    client.logout()
    login_as(client, create_user(Role.ADMIN))
    url = f"/admin/programs/{ladder['residential']}/beds"
    assert client.post_form(url, {"name": "East 1"}).status_code == 302
    again = client.post_form(url, {"name": "east 1"})
    assert again.status_code == 400 and "already has a bed of that name" in again.get_data(as_text=True)
    assert client.post_form(url, {"name": "x" * 100_000}).status_code == 400
    with app.app_context():
        assert db.session.scalars(sa.select(Bed.name).where(Bed.program_id == ladder["residential"])).all() == [
            "East 1"
        ]


def test_the_week_ahead_lists_planned_discharges_as_well_as_expected_transfers(app, client, case_manager, ladder):
    made = admit_directly(
        app,
        case_manager,
        make_inquiry(app, case_manager, patient_name="Lena Leaving").id,
        ladder["residential"],
        day(0),
    )
    later = admit_directly(
        app, case_manager, make_inquiry(app, case_manager, patient_name="Stan Staying").id, ladder["php"], day(0)
    )
    with app.app_context():
        from coordinator.models import Admission

        db.session.get(Admission, made["episode"]).planned_discharge_on = TODAY + timedelta(days=3)
        db.session.get(Admission, later["episode"]).planned_discharge_on = TODAY + timedelta(days=30)
        db.session.commit()
    page = board(client, ladder["residential"])
    leaving = page[page.index("Leaving (expected transfers and planned discharges)") :]
    leaving = leaving[: leaving.index("</ul>")]
    assert "Lena Leaving" in leaving and (TODAY + timedelta(days=3)).strftime("%d %b") in leaving
    php = board(client, ladder["php"])
    assert "No expected transfer or planned discharge this week." in php
