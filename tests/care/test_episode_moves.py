"""Issue 14, item 5: an episode over time — partner-hospital detox, step-downs, leave, discharge
with the aftercare end date; every move audited; bad moves refused with nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordinator.domain.care import LevelOfCare
from coordinator.extensions import db
from coordinator.models import Admission, AuditEvent, CareSegment
from coordinator.roles import Role
from coordinator.rules.level_moves import aftercare_end
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.support.care_records import admit_directly

TODAY = date.today()
DAY0 = TODAY - timedelta(days=70)


@pytest.fixture
def ladder(app):
    return {
        "detox": make_program(
            app, name="St Mary partner detox", level_of_care=LevelOfCare.PARTNER_HOSPITAL_DETOX, asam_level="4-WM"
        ).id,
        "residential": make_program(app, name="Residential North").id,
        "residential_2": make_program(app, name="Residential South").id,
        "php": make_program(app, name="Day program", level_of_care=LevelOfCare.PHP, asam_level="2.5").id,
        "iop": make_program(app, name="Evening IOP", level_of_care=LevelOfCare.IOP, asam_level="2.1").id,
        "virtual_iop": make_program(
            app, name="Virtual IOP", level_of_care=LevelOfCare.VIRTUAL_IOP, asam_level="2.1"
        ).id,
    }


@pytest.fixture
def case_manager(app, client, create_user):
    user = create_user(Role.CASE_MANAGER)
    login_as(client, user)
    return user


@pytest.fixture
def episode(app, case_manager, ladder):
    inquiry = make_inquiry(app, case_manager, assigned_to_id=case_manager.id)
    return admit_directly(app, case_manager, inquiry.id, ladder["detox"], admit_date=DAY0)


def move(client, episode, **data):
    return client.post_form(f"/care/episodes/{episode['episode']}/move", data)


def segments(app, episode_id: int) -> list[tuple]:
    with app.app_context():
        return [
            (s.level_of_care.value, s.starts_on, s.ends_on, s.on_leave)
            for s in db.session.scalars(
                sa.select(CareSegment).where(CareSegment.admission_id == episode_id).order_by(CareSegment.starts_on)
            )
        ]


def step(client, episode, kind, day, level, program, **extra):
    response = move(
        client,
        episode,
        kind=kind,
        on=(DAY0 + timedelta(days=day)).isoformat(),
        level_of_care=level,
        program_id=str(program),
        reason=f"{kind} on day {day}",
        **extra,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]


def test_detox_then_the_step_down_chain_then_discharge_with_aftercare(app, client, episode, ladder):
    step(client, episode, "step_down", 5, "residential", ladder["residential"])
    step(client, episode, "step_down", 30, "php", ladder["php"])
    step(client, episode, "step_down", 45, "iop", ladder["iop"])
    step(client, episode, "step_down", 60, "virtual_iop", ladder["virtual_iop"])
    discharged = move(
        client,
        episode,
        kind="discharge",
        on=(DAY0 + timedelta(days=68)).isoformat(),
        discharge_kind="planned",
        reason="Completed the program",
    )
    assert discharged.status_code == 302
    day = lambda n: DAY0 + timedelta(days=n)  # noqa: E731
    assert segments(app, episode["episode"]) == [
        ("partner_hospital_detox", day(0), day(4), False),
        ("residential", day(5), day(29), False),
        ("php", day(30), day(44), False),
        ("iop", day(45), day(59), False),
        ("virtual_iop", day(60), day(68), False),
    ]
    with app.app_context():
        admission = db.session.get(Admission, episode["episode"])
        assert admission.status.value == "discharged" and admission.discharged_on == day(68)
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.entity_type == "admission", AuditEvent.entity_id == str(admission.id)
            )
        ).all()
    assert actions.count("level_of_care_moved") == 4 and actions.count("episode_discharged") == 1
    page = client.get(f"/care/patients/{episode['patient']}").get_data(as_text=True)
    assert f"aftercare until {aftercare_end(day(68)).strftime('%d %b %Y')}" in page
    assert page.count('data-testid="segment"') == 5 and "Move or discharge" not in page
    end = aftercare_end(day(68)).strftime("%d %b %Y")
    for elsewhere in (
        f"/inquiries/{episode['admitted_inquiry']}",
        f"/care/placement/inquiry/{episode['admitted_inquiry']}",
    ):
        assert f"aftercare until {end}" in client.get(elsewhere).get_data(as_text=True), elsewhere


def test_the_patient_page_shows_the_current_level_and_days_in_it(app, client, episode, ladder):
    step(client, episode, "step_down", 5, "residential", ladder["residential"])
    page = client.get(f"/care/patients/{episode['patient']}").get_data(as_text=True)
    assert "Residential North" in page and "day 66</strong>" in page  # day 5 .. today (day 70), both counted
    assert "Move or discharge" in page and "step down (to Partial hospitalization (PHP))" in page


def test_a_move_into_hospital_detox_keeps_the_hospital_and_the_expected_transfer(app, client, case_manager, ladder):
    inquiry = make_inquiry(app, case_manager, assigned_to_id=case_manager.id)
    made = admit_directly(app, case_manager, inquiry.id, ladder["residential"], admit_date=DAY0)
    refused = move(
        client,
        made,
        kind="step_up",
        on=(DAY0 + timedelta(days=3)).isoformat(),
        level_of_care="partner_hospital_detox",
        program_id=str(ladder["detox"]),
        reason="Seizure risk",
    )
    assert refused.status_code == 400 and "Name the partner hospital" in refused.get_data(as_text=True)
    step(
        client,
        made,
        "step_up",
        3,
        "partner_hospital_detox",
        ladder["detox"],
        hospital_name="St Mary's Hospital ICU",
        hospital_contact="Dr Chan, +66 2 555 0100",
        expected_transfer_on=(DAY0 + timedelta(days=8)).isoformat(),
    )
    page = client.get(f"/care/patients/{made['patient']}").get_data(as_text=True)
    assert "St Mary&#39;s Hospital ICU" in page and "Dr Chan" in page
    assert (DAY0 + timedelta(days=8)).strftime("%d %b %Y") in page


def test_leave_and_return_keep_the_level_and_program(app, client, case_manager, ladder):
    inquiry = make_inquiry(app, case_manager, assigned_to_id=case_manager.id)
    made = admit_directly(app, case_manager, inquiry.id, ladder["residential"], admit_date=DAY0)
    for kind, day in (("leave_of_absence", 10), ("return_from_leave", 12)):
        response = move(client, made, kind=kind, on=(DAY0 + timedelta(days=day)).isoformat(), reason="Family funeral")
        assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert [s[0::3] for s in segments(app, made["episode"])] == [
        ("residential", False),
        ("residential", True),
        ("residential", False),
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        # A step the rule table forbids: detox straight to video.
        ({"kind": "step_down", "day": 5, "level_of_care": "virtual_iop", "program": "virtual_iop"}, "cannot go to"),
        # On or before the current segment's start (an overlap), and before admission.
        ({"kind": "step_down", "day": 0, "level_of_care": "residential", "program": "residential"}, "at least one day"),
        (
            {"kind": "step_down", "day": -3, "level_of_care": "residential", "program": "residential"},
            "at least one day",
        ),
        ({"kind": "discharge", "day": -1, "discharge_kind": "planned"}, "cannot be before"),
        ({"kind": "discharge", "day": 5}, "kind of discharge"),
        ({"kind": "return_from_leave", "day": 5}, "not possible"),
        ({"kind": "teleport", "day": 5}, ""),
        (
            {"kind": "step_down", "day": 5, "level_of_care": "residential", "program": "php"},
            "not a residential program",
        ),
        ({"kind": "step_down", "day": 5, "level_of_care": "residential"}, "Choose the program"),
        ({"kind": "step_down", "on": "9999-01-01", "level_of_care": "residential", "program": "residential"}, "2100"),
        ({"kind": "step_down", "on": "2026-02-30", "level_of_care": "residential", "program": "residential"}, ""),
        ({"kind": "step_down", "day": 5, "level_of_care": "residential", "program_id": "2147483648"}, ""),
        (
            {"kind": "step_down", "day": 5, "level_of_care": "residential", "program": "residential", "reason": ""},
            "reason",
        ),
        (
            {
                "kind": "step_down",
                "day": 5,
                "level_of_care": "residential",
                "program": "residential",
                "reason": "a\x00b",
            },
            "",
        ),
        (
            {
                "kind": "step_down",
                "day": 5,
                "level_of_care": "residential",
                "program": "residential",
                "reason": "x" * 100_000,
            },
            "",
        ),
        (
            {
                "kind": "step_down",
                "day": 5,
                "level_of_care": "residential",
                "program": "residential",
                "hospital_name": "Why here",
            },
            "only with a move into partner-hospital detox",
        ),
    ],
)
def test_bad_moves_are_refused_and_nothing_changes(app, client, episode, ladder, data, message):
    data = dict(data)
    form = {"reason": data.pop("reason", "Planned step")}
    if "day" in data:
        form["on"] = (DAY0 + timedelta(days=data.pop("day"))).isoformat()
    if "program" in data:
        form["program_id"] = str(ladder[data.pop("program")])
    form.update(data)
    before = segments(app, episode["episode"])
    response = move(client, episode, **form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert segments(app, episode["episode"]) == before
    with app.app_context():
        assert db.session.get(Admission, episode["episode"]).status.value == "active"


def test_a_discharged_episode_takes_no_more_moves(app, client, episode, ladder):
    on = (DAY0 + timedelta(days=2)).isoformat()
    assert (
        move(
            client, episode, kind="discharge", on=on, discharge_kind="against_medical_advice", reason="Left"
        ).status_code
        == 302
    )
    again = move(
        client,
        episode,
        kind="step_down",
        on=(DAY0 + timedelta(days=5)).isoformat(),
        level_of_care="residential",
        program_id=str(ladder["residential"]),
        reason="x",
    )
    assert again.status_code == 400


@pytest.mark.parametrize("role", [Role.ADMISSIONS, Role.BILLING, Role.ADMIN])
def test_only_case_managers_clinicians_and_the_lead_move(app, client, episode, ladder, create_user, role):
    assert client.post_form("/auth/logout", {}).status_code == 302
    login_as(client, create_user(role))
    response = move(
        client,
        episode,
        kind="step_down",
        on=(DAY0 + timedelta(days=5)).isoformat(),
        level_of_care="residential",
        program_id=str(ladder["residential"]),
        reason="x",
    )
    assert response.status_code == 403
    assert len(segments(app, episode["episode"])) == 1


def test_a_restricted_patient_cannot_be_moved_without_the_glass(app, client, create_user, ladder):
    owner = create_user(Role.CASE_MANAGER)
    inquiry = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    made = admit_directly(app, owner, inquiry.id, ladder["detox"], admit_date=DAY0)
    login_as(client, create_user(Role.CLINICIAN))
    response = move(
        client,
        made,
        kind="step_down",
        on=(DAY0 + timedelta(days=5)).isoformat(),
        level_of_care="residential",
        program_id=str(ladder["residential"]),
        reason="x",
    )
    assert response.status_code == 403 and len(segments(app, made["episode"])) == 1


def test_unknown_episodes_are_not_found(client, case_manager):
    for episode_id in ("999999", "2147483648"):
        assert client.post_form(f"/care/episodes/{episode_id}/move", {"kind": "discharge"}).status_code == 404
