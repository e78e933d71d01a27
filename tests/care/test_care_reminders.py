"""Issue 14, item 7: level-of-care reminders through the outbox — the review due, the expected
transfer from the partner hospital not recorded, discharge planning before an authorization or
the planned stay ends. Each is scheduled with its cause, re-planned when the episode changes,
resolved when no longer wanted (also when checked just before sending), sent to the case
managers (and the clinical lead for reviews), to nobody who may not open a restricted patient,
and names no patient."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordinator.clock import clinic_today
from coordinator.contracts.authorization import AuthorizationInput
from coordinator.contracts.care import AsamAssessmentInput
from coordinator.domain.care import LevelOfCare
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import Admission, AuditEvent, CareSegment, Inquiry, Notification, Reminder, User, utcnow
from coordinator.outbox.delivery import deliver
from coordinator.outbox.relay import relay_once
from coordinator.roles import Role
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services import authorizations, care_reminders, placement
from tests.care.helpers import admit, ready_to_admit
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.support.care_records import admit_directly

CARE = (ReminderKind.LEVEL_REVIEW_DUE, ReminderKind.TRANSFER_NOT_RECORDED, ReminderKind.DISCHARGE_PLANNING_DUE)


def today(app) -> date:
    with app.app_context():
        return clinic_today()


def open_reminders(app, episode_id: int) -> dict[str, ReminderKind]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Reminder).where(
                Reminder.admission_id == episode_id,
                Reminder.status.in_([ReminderStatus.PENDING, ReminderStatus.QUEUED]),
            )
        )
        return {r.dedupe_key: r.kind for r in rows}


def replan(app, episode_id: int) -> None:
    with app.app_context():
        care_reminders.episode_changed(db.session.get(Admission, episode_id))
        db.session.commit()


def send_due(app) -> list[str]:
    """One relay round two days ahead (every reminder due by then), then deliver what it handed out."""
    with app.app_context():
        ids = relay_once(None, now=utcnow() + timedelta(days=2))
        care = set(db.session.scalars(sa.select(Reminder.id).where(Reminder.id.in_(ids), Reminder.kind.in_(CARE))))
        outcomes = [outcome for i in ids if (outcome := deliver(i)) and i in care]
        db.session.remove()
        return outcomes


def notified(app) -> dict[int, Notification]:
    with app.app_context():
        return {n.user_id: n for n in db.session.scalars(sa.select(Notification))}


@pytest.fixture
def team(create_user):
    return {
        "cm": create_user(Role.CASE_MANAGER, full_name="Cara Case", email="cara@example.org"),
        "cm2": create_user(Role.CASE_MANAGER, full_name="Cole Case", email="cole@example.org"),
        "clinician": create_user(Role.CLINICIAN, full_name="Dr Lee", email="lee@example.org"),
        "admin": create_user(Role.ADMIN, full_name="Ada Admin", email="ada@example.org"),
        "billing": create_user(Role.BILLING, email="bill@example.org"),
        "desk": create_user(Role.ADMISSIONS, email="desk@example.org"),
        "gone": create_user(Role.CASE_MANAGER, email="gone@example.org", active=False),
    }


def episode_at(app, team, level=LevelOfCare.RESIDENTIAL, days_ago=10, **inquiry):
    program = make_program(app, level_of_care=level, asam_level="3.7" if level is LevelOfCare.RESIDENTIAL else "4-WM")
    made = make_inquiry(app, team["cm"], **inquiry)
    return admit_directly(app, team["cm"], made.id, program.id, admit_date=today(app) - timedelta(days=days_ago))


def test_admitting_schedules_the_first_review_at_the_levels_interval(app, client, create_user):
    desk = create_user(Role.ADMISSIONS)
    login_as(client, desk)
    inquiry = make_inquiry(app, desk)
    program = make_program(app)
    ready_to_admit(app, inquiry.id)
    assert admit(client, inquiry.id, program.id).status_code == 302
    with app.app_context():
        admission = db.session.scalar(sa.select(Admission).where(Admission.inquiry_id == inquiry.id))
        reminder = db.session.scalars(sa.select(Reminder).where(Reminder.admission_id == admission.id)).one()
        due = admission.admit_date + timedelta(days=7)
        assert reminder.kind is ReminderKind.LEVEL_REVIEW_DUE
        assert reminder.dedupe_key == f"level-review-{admission.id}-{due.isoformat()}"
        assert reminder.due_at == care_reminders.care_morning(due)


def test_a_review_and_a_step_down_move_the_review_and_the_discharge_resolves_everything(app, client, team):
    episode = episode_at(app, team, days_ago=20)
    start = today(app) - timedelta(days=20)
    replan(app, episode["episode"])
    assert open_reminders(app, episode["episode"]) == {
        f"level-review-{episode['episode']}-{start + timedelta(days=7)}": ReminderKind.LEVEL_REVIEW_DUE
    }
    with app.app_context():  # a review today: the next one is a week from today
        clinician = db.session.get(User, team["clinician"].id)
        admission = db.session.get(Admission, episode["episode"])
        inquiry = db.session.get(Inquiry, admission.inquiry_id)
        ratings = {f"rating_{n}": "2" for n in range(1, 7)}
        placement.record_assessment(
            clinician,
            admission,
            inquiry,
            AsamAssessmentInput.parse({"edition": "third_2013", "occasion": "review", **ratings}),
        )
        db.session.commit()
    now = today(app)
    assert open_reminders(app, episode["episode"]) == {
        f"level-review-{episode['episode']}-{now + timedelta(days=7)}": ReminderKind.LEVEL_REVIEW_DUE
    }
    php = make_program(app, name="Day program", level_of_care=LevelOfCare.PHP, asam_level="2.5")
    login_as(client, team["cm"])
    moved = client.post_form(
        f"/care/episodes/{episode['episode']}/move",
        {
            "kind": "step_down",
            "on": now.isoformat(),
            "level_of_care": "php",
            "program_id": str(php.id),
            "reason": "Stable",
        },
    )
    assert moved.status_code == 302
    # The review counts from the later of the new level's first day (today) and the last review (today).
    assert open_reminders(app, episode["episode"]) == {
        f"level-review-{episode['episode']}-{now + timedelta(days=14)}": ReminderKind.LEVEL_REVIEW_DUE
    }
    discharged = client.post_form(
        f"/care/episodes/{episode['episode']}/move",
        {"kind": "discharge", "on": now.isoformat(), "discharge_kind": "planned", "reason": "Completed"},
    )
    assert discharged.status_code == 302
    assert open_reminders(app, episode["episode"]) == {}
    with app.app_context():
        reasons = set(
            db.session.scalars(sa.select(Reminder.cancel_reason).where(Reminder.admission_id == episode["episode"]))
        )
    assert "episode discharged" in reasons


def test_a_due_review_reaches_case_managers_and_the_clinical_lead_without_patient_details(app, team, smtp_server):
    episode = episode_at(app, team, days_ago=10, patient_name="Rosalind Quill")
    replan(app, episode["episode"])
    assert send_due(app) == ["sent"]
    got = notified(app)
    assert set(got) == {team["cm"].id, team["cm2"].id, team["clinician"].id}
    assert got[team["cm"].id].link == f"/care/patients/{episode['patient']}"
    assert len(smtp_server.messages) == 3
    for message in smtp_server.messages:
        text = f"{message['Subject']} {message.get_payload()}"
        assert f"Episode #{episode['episode']}" in text
        for private in ("Rosalind", "Quill", "Residential", "MRN"):
            assert private not in text


def test_a_restricted_patients_reminder_goes_only_to_those_of_the_team_who_may_open_them(app, team, smtp_server):
    # The restricted-inquiry rule: of the case managers and the clinical lead, only the assignee
    # (an administrator would be kept too); never the rest of the team.
    episode = episode_at(app, team, days_ago=10, is_restricted=True, assigned_to_id=team["cm"].id)
    replan(app, episode["episode"])
    assert send_due(app) == ["sent"]
    assert set(notified(app)) == {team["cm"].id}


def test_a_restricted_patient_is_restricted_by_their_own_flag_too(app, team, smtp_server):
    episode = episode_at(app, team, days_ago=10, assigned_to_id=team["cm2"].id)
    with app.app_context():
        from coordinator.models import Patient

        db.session.get(Patient, episode["patient"]).is_restricted = True
        db.session.commit()
    replan(app, episode["episode"])
    assert send_due(app) == ["sent"]
    assert set(notified(app)) == {team["cm2"].id}


def test_a_restricted_patient_with_an_inactive_assignee_reaches_the_administrators(app, team, smtp_server):
    episode = episode_at(app, team, days_ago=10, is_restricted=True, assigned_to_id=team["cm"].id)
    replan(app, episode["episode"])
    with app.app_context():
        user = db.session.get(User, team["cm"].id)
        user.is_active, user.deactivated_at = False, utcnow()
        db.session.commit()
    assert send_due(app) == ["sent"]
    assert set(notified(app)) == {team["admin"].id}


def test_an_expected_transfer_not_recorded_reminds_case_managers_and_a_transfer_resolves_it(app, client, team):
    episode = episode_at(app, team, level=LevelOfCare.PARTNER_HOSPITAL_DETOX, days_ago=6)
    expected = today(app) - timedelta(days=2)
    with app.app_context():
        segment = db.session.scalars(sa.select(CareSegment).where(CareSegment.admission_id == episode["episode"])).one()
        segment.expected_transfer_on = expected
        db.session.commit()
    replan(app, episode["episode"])
    key = f"transfer-{episode['episode']}-{expected}"
    assert open_reminders(app, episode["episode"]) == {key: ReminderKind.TRANSFER_NOT_RECORDED}
    assert send_due(app) == ["sent"]
    assert set(notified(app)) == {team["cm"].id, team["cm2"].id}  # not the clinical lead
    # Later, for another expected date: the transfer is recorded and the reminder is resolved.
    later = today(app) + timedelta(days=1)
    with app.app_context():
        db.session.scalars(
            sa.select(CareSegment).where(CareSegment.admission_id == episode["episode"])
        ).one().expected_transfer_on = later
        db.session.commit()
    replan(app, episode["episode"])
    assert f"transfer-{episode['episode']}-{later}" in open_reminders(app, episode["episode"])
    residential = make_program(app, name="Residential North")
    login_as(client, team["cm"])
    moved = client.post_form(
        f"/care/episodes/{episode['episode']}/move",
        {
            "kind": "step_down",
            "on": today(app).isoformat(),
            "level_of_care": "residential",
            "program_id": str(residential.id),
            "reason": "Transferred",
        },
    )
    assert moved.status_code == 302
    assert set(open_reminders(app, episode["episode"]).values()) == {ReminderKind.LEVEL_REVIEW_DUE}


def test_a_reminder_no_longer_planned_when_it_falls_due_is_resolved_not_sent(app, team, smtp_server):
    episode = episode_at(app, team, level=LevelOfCare.PARTNER_HOSPITAL_DETOX, days_ago=6)
    with app.app_context():
        segment = db.session.scalars(sa.select(CareSegment).where(CareSegment.admission_id == episode["episode"])).one()
        segment.expected_transfer_on = today(app) - timedelta(days=2)
        db.session.commit()
    replan(app, episode["episode"])
    with app.app_context():  # the transfer date moved by a path that did not re-plan
        db.session.scalars(
            sa.select(CareSegment).where(CareSegment.admission_id == episode["episode"])
        ).one().expected_transfer_on = None
        db.session.commit()
    assert send_due(app) == ["cancelled"]
    assert smtp_server.messages == [] and notified(app) == {}


def test_a_discharged_episodes_reminder_is_resolved_when_it_falls_due(app, team, smtp_server):
    from tests.care.helpers import discharge_directly

    episode = episode_at(app, team, days_ago=10)
    replan(app, episode["episode"])
    discharge_directly(app, episode["episode"], today(app))
    assert send_due(app) == ["cancelled"]
    assert notified(app) == {}


def test_discharge_planning_follows_the_planned_date_set_on_the_patient_page(app, client, team):
    episode = episode_at(app, team, days_ago=3)
    login_as(client, team["cm"])
    planned = today(app) + timedelta(days=20)
    url = f"/care/episodes/{episode['episode']}/planned-discharge"
    assert client.post_form(url, {"planned_discharge_on": planned.isoformat()}).status_code == 302
    key = f"discharge-stay-{episode['episode']}-{planned}"
    assert open_reminders(app, episode["episode"]).get(key) is ReminderKind.DISCHARGE_PLANNING_DUE
    with app.app_context():
        reminder = db.session.scalars(sa.select(Reminder).where(Reminder.dedupe_key == key)).one()
        assert reminder.due_at == care_reminders.care_morning(planned - timedelta(days=7))
        assert db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "planned_discharge_set", AuditEvent.entity_id == str(episode["episode"])
            )
        ).all()
    page = client.get(f"/care/patients/{episode['patient']}").get_data(as_text=True)
    assert planned.strftime("%d %b %Y") in page
    # Cleared: the reminder is resolved.
    assert client.post_form(url, {"planned_discharge_on": ""}).status_code == 302
    assert key not in open_reminders(app, episode["episode"])


@pytest.mark.parametrize("value", ["9999-01-01", "2026-02-30", "soon", "2026-01-01\x00", "1" * 100_000, "2000-01-01"])
def test_a_bad_planned_discharge_date_is_refused_and_changes_nothing(app, client, team, value):
    episode = episode_at(app, team, days_ago=3)
    login_as(client, team["cm"])
    response = client.post_form(
        f"/care/episodes/{episode['episode']}/planned-discharge", {"planned_discharge_on": value}
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Admission, episode["episode"]).planned_discharge_on is None


def test_discharge_planning_before_an_authorization_of_the_current_level_ends(app, team):
    episode = episode_at(app, team, days_ago=3)
    end = today(app) + timedelta(days=10)
    with app.app_context():
        admission = db.session.get(Admission, episode["episode"])
        auth = authorizations.record_authorization(
            db.session.get(User, team["billing"].id),
            db.session.get(Inquiry, admission.inquiry_id),
            AuthorizationInput.parse(
                {
                    "level_of_care": "residential",
                    "status": "approved",
                    "auth_number": "A-1",
                    "start_date": (end - timedelta(days=13)).isoformat(),
                    "end_date": end.isoformat(),
                    "approved_units": "14",
                }
            ),
        )
        db.session.commit()
        auth_id = auth.id
    key = f"discharge-auth-{episode['episode']}-{auth_id}-{end}"
    assert open_reminders(app, episode["episode"]).get(key) is ReminderKind.DISCHARGE_PLANNING_DUE
    with app.app_context():  # the payer extends it: the old end's reminder is resolved, the new planned
        auth = authorizations.load_authorization(auth_id)
        later = end + timedelta(days=7)
        authorizations.update_authorization(
            db.session.get(User, team["billing"].id),
            auth,
            AuthorizationInput.parse(
                {
                    "level_of_care": "residential",
                    "status": "approved",
                    "auth_number": "A-1",
                    "start_date": (end - timedelta(days=13)).isoformat(),
                    "end_date": later.isoformat(),
                    "approved_units": "21",
                }
            ),
        )
        db.session.commit()
    keys = open_reminders(app, episode["episode"])
    assert key not in keys and f"discharge-auth-{episode['episode']}-{auth_id}-{later}" in keys


def test_changing_the_review_interval_replans_active_episodes(app, client, team):
    episode = episode_at(app, team, days_ago=1)
    replan(app, episode["episode"])
    login_as(client, team["admin"])
    data = {
        "very_high_mme": "200",
        "high_dose_long_acting_mme": "90",
        "detox_cows_score": "25",
        "recent_overdose_months": "12",
        "review_days_residential": "3",
        "review_days_php": "14",
        "review_days_iop": "14",
        "review_days_virtual_iop": "14",
    }
    assert client.post_form("/admin/settings/care", data).status_code == 302
    start = today(app) - timedelta(days=1)
    assert open_reminders(app, episode["episode"]) == {
        f"level-review-{episode['episode']}-{start + timedelta(days=3)}": ReminderKind.LEVEL_REVIEW_DUE
    }


def test_the_patient_page_shows_the_next_review(app, client, team):
    episode = episode_at(app, team, days_ago=2)
    login_as(client, team["cm"])
    page = client.get(f"/care/patients/{episode['patient']}").get_data(as_text=True)
    due = today(app) - timedelta(days=2) + timedelta(days=7)
    assert f"Next level-of-care review <strong>{due.strftime('%d %b %Y')}</strong>" in page


def test_the_reminder_kinds_are_worded_on_the_admins_list(app):
    from coordinator.services.reminder_admin import RECIPIENT_RULES, SUMMARIES

    for kind in CARE:
        assert kind in SUMMARIES and kind in RECIPIENT_RULES


def test_a_batch_of_episode_reminders_costs_the_same_statements_for_two_or_six(app, team, count_queries):
    from coordinator.outbox.channels import InAppChannel
    from coordinator.outbox.delivery import deliver_many

    def batch(count: int) -> int:
        ids = []
        for n in range(count):
            episode = episode_at(app, team, days_ago=10, is_restricted=n % 2 == 0, assigned_to_id=team["cm"].id)
            replan(app, episode["episode"])
            with app.app_context():
                ids += db.session.scalars(
                    sa.select(Reminder.id).where(Reminder.admission_id == episode["episode"])
                ).all()
        with app.app_context(), count_queries() as queries:
            assert set(deliver_many(ids, channels=[InAppChannel()]).values()) == {"sent"}
        return queries.count

    assert batch(2) == batch(6)
