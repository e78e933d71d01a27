"""services.screenings on a real database: storing, latest and history, the regimen, and input limits."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from coordinator.blueprints.screening.forms import RECORD_FORMS
from coordinator.contracts.screening import DRAFTS, RECORDED, Dsm5OudInput, RegimenInput
from coordinator.errors import NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import Inquiry, InquiryActivity, Screening, User, utcnow
from coordinator.roles import Role
from coordinator.rules import mme, phq9, scoring
from coordinator.services import screening_preview, screenings

GAD7_ONES = {key: "1" for key in screenings.SCORED_ITEMS["gad7"]}


@pytest.fixture
def staff(app, create_user, create_inquiry):
    """(record, clinician, admissions, inquiry id): `record(user, kind, data, when)` stores one screening."""
    clinician, admissions = create_user(Role.CLINICIAN), create_user(Role.ADMISSIONS)
    inquiry = create_inquiry()

    def record(user, kind, data, administered_at=None):
        with app.app_context():
            screening = screenings.record(
                db.session.get(User, user.id),
                db.session.get(Inquiry, inquiry.id),
                RECORDED[kind].parse(data | {"administered_at": administered_at}),
            )
            db.session.commit()
            return screening.id

    return record, clinician, admissions, inquiry.id


def test_latest_for_takes_one_query_however_many_screenings(app, staff, count_queries):
    record, clinician, admissions, inquiry_id = staff
    cows = {key: "0" for key in screenings.SCORED_ITEMS["cows"]}

    def measure() -> tuple[int, dict]:
        with app.app_context(), count_queries() as counter:
            latest = screenings.latest_for(inquiry_id)
            names = {kind: s.recorded_by.full_name for kind, s in latest.items()}  # no lazy loads
        return counter.count, names

    record(admissions, "gad7", GAD7_ONES)
    few, _ = measure()
    for hours in range(12):
        record(clinician, "cows", cows, utcnow() - timedelta(hours=hours))
        record(admissions, "gad7", GAD7_ONES | {"afraid": "3"})
    record(admissions, "dsm5_oud", {"taken_as_prescribed_under_supervision": "no"})
    many, names = measure()
    assert few == many == 1
    assert set(names) == {"gad7", "cows", "dsm5_oud"}


def test_latest_is_by_administration_time_and_history_is_newest_first(app, staff):
    record, clinician, _, inquiry_id = staff
    base = {key: "0" for key in screenings.SCORED_ITEMS["cows"]}
    now = utcnow()
    newest = record(clinician, "cows", base | {"yawning": "4"}, now - timedelta(minutes=10))
    oldest = record(clinician, "cows", base | {"yawning": "1"}, now - timedelta(hours=5))  # entered late
    middle = record(clinician, "cows", base | {"yawning": "2"}, now - timedelta(hours=1))
    with app.app_context():
        assert screenings.latest_for(inquiry_id)["cows"].id == newest
        assert [s.id for s in screenings.history(inquiry_id, "cows")] == [newest, middle, oldest]
        assert screenings.history(inquiry_id, "phq9") == []


def test_stored_answers_are_normalised_and_unknown_fields_ignored(app, admissions_and_inquiry):
    user, inquiry = admissions_and_inquiry
    posted = GAD7_ONES | {"csrf_token": "x", "nervous": " 3 ", "extra": "y"}
    with app.test_request_context(method="POST", data=posted):
        form = RECORD_FORMS["gad7"](meta={"csrf": False})  # what the page posts, through its form
        actor, row = db.session.get(User, user.id), db.session.get(Inquiry, inquiry.id)
        screening_id = screenings.record(actor, row, form.parse()).id
        db.session.commit()
    with app.app_context():
        screening = db.session.get(Screening, screening_id)
        assert screening.answers == {key: (3 if key == "nervous" else 1) for key in GAD7_ONES}
        assert (screening.total, screening.band) == (Decimal(9), "mild")


@pytest.fixture
def admissions_and_inquiry(create_user, create_inquiry):
    return create_user(Role.ADMISSIONS), create_inquiry()


def test_cows_is_refused_to_other_roles_and_merged_inquiries_to_everyone(app, staff, create_inquiry):
    record, clinician, admissions, inquiry_id = staff
    with pytest.raises(NotPermitted):
        record(admissions, "cows", {})
    with app.app_context():
        db.session.get(Inquiry, inquiry_id).merged_into_id = create_inquiry().id
        db.session.commit()
    with pytest.raises(NotPermitted):
        record(clinician, "phq9", {})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Screening)) == 0


def test_a_screening_before_the_inquiry_arrived_is_refused(staff):
    record, _, admissions, _ = staff
    with pytest.raises(ValidationFailed) as failure:
        record(admissions, "gad7", GAD7_ONES, utcnow() - timedelta(days=3))
    assert failure.value.reasons == [("administered_at", "The time given is before the inquiry arrived.")]


def test_dsm5_reports_the_criteria_and_the_supervision_problem_together(app):
    with app.app_context(), pytest.raises(ValidationFailed) as failure:
        Dsm5OudInput.parse({"criteria": ["mind_reading"]})
    assert [field for field, _ in failure.value.reasons] == ["taken_as_prescribed_under_supervision", "criteria"]


@pytest.mark.parametrize(
    "data",
    [
        {"criteria": "tolerance"},
        {"criteria": 5},
        {"criteria": [None, 3.5]},
        {"criteria": ["x"] * 500},
        {"behaviours": {"a": 1}},
        {"taken_as_prescribed_under_supervision": ["yes"]},
    ],
)
def test_odd_shapes_become_field_errors(app, data):
    with app.app_context(), pytest.raises(ValidationFailed) as failure:
        Dsm5OudInput.parse(data)
    assert all(len(message) < 400 for _, message in failure.value.reasons)


def test_set_regimen_replaces_and_clears(app, create_user, create_inquiry):
    user, inquiry = create_user(Role.ADMISSIONS), create_inquiry()
    with app.app_context():
        actor, row = db.session.get(User, user.id), db.session.get(Inquiry, inquiry.id)
        patch = {"drug": "fentanyl_transdermal", "dose": "25", "unit": "mcg/hr"}
        result = screenings.set_regimen(actor, row, RegimenInput.parse({"regimen": [{}, {}, {}, {}, patch]}))
        db.session.commit()
        assert result.total_mme_per_day == Decimal("60.0") and row.mme_per_day == Decimal("60.0")
        assert [line.drug for line in screenings.regimen_of(row.id)] == ["fentanyl_transdermal"]
        assert screenings.set_regimen(actor, row, RegimenInput.parse({"regimen": [{"purpose": "pain"}]})) is None
        db.session.commit()
        assert row.mme_per_day is None and screenings.regimen_of(row.id) == []
        summaries = db.session.scalars(
            sa.select(InquiryActivity.summary)
            .where(InquiryActivity.inquiry_id == row.id, InquiryActivity.kind == "screening")
            .order_by(InquiryActivity.id)
        ).all()
        assert summaries == ["Opioid regimen updated: 60 MME/day", "Opioid regimen cleared"]
        with pytest.raises(NotPermitted):
            screenings.set_regimen(db.session.get(User, create_user(Role.CLINICIAN).id), row, RegimenInput.parse({}))


# --- rule fixes found while building the screening pages --------------------------------------


def test_a_thousands_of_digits_answer_is_a_wrong_answer_not_a_crash():
    # int() refuses strings over 4300 digits with ValueError; the rule must report, not crash.
    assert scoring.as_int("9" * 5000) is None
    answers = {key: "0" for key, _ in phq9.ITEMS} | {"mood": "9" * 5000}
    with pytest.raises(scoring.RuleError) as failure:
        phq9.score_phq9(answers)
    assert failure.value.field == "mood" and len(failure.value.message) < 200


def test_doses_per_day_of_thousands_of_digits_is_an_error_not_a_crash():
    with pytest.raises(mme.RuleError) as failure:
        mme.calculate_mme([{"drug": "oxycodone", "dose": "10", "unit": "mg", "doses_per_day": "9" * 5000}])
    assert failure.value.errors[0][0] == "lines-0-doses_per_day" and len(failure.value.message) < 200


@pytest.mark.parametrize(
    "dose, accepted",
    [("0.075", True), ("10.500", True), ("10.0000", True), ("0.0001", False), ("1e-5", False), ("12.3456", False)],
)
def test_doses_are_kept_to_the_thousandth_that_is_stored(dose, accepted):
    # Buprenorphine buccal film 75 mcg = 0.075 mg is the finest real dose; a finer one is a typo
    # and would round to a stored 0.000, which the database refuses.
    line = {"drug": "buprenorphine", "dose": dose, "unit": "mg"}
    if accepted:
        assert mme.calculate_mme([line]).excluded
    else:
        with pytest.raises(mme.RuleError, match="at most 3 decimal places"):
            mme.calculate_mme([line])


def test_threshold_flags_match_calculate_mme():
    assert [f.code for f in mme.threshold_flags(Decimal("49.9"))] == []
    assert [f.code for f in mme.threshold_flags(Decimal("50.0"))] == ["cdc2022_50"]
    assert [f.code for f in mme.threshold_flags(Decimal("90.0"))] == ["cdc2022_50", "cdc2016_90"]


# --- the live preview's policy for unfinished input (services/screening_preview) ------------------


def draft(kind, data):
    return DRAFTS[kind].parse(data)


def test_a_half_answered_questionnaire_scores_a_floor(app):
    with app.app_context():
        partial = screening_preview.preview(draft("phq9", {"interest": "3", "mood": "3", "sleep": "3", "energy": "1"}))
        wrong = screening_preview.preview(draft("phq9", {"interest": "3", "mood": "4"}))
        empty = screening_preview.preview(draft("gad7", {}))
        whole = screening_preview.preview(draft("gad7", GAD7_ONES))
    assert (partial.assessment.total, partial.assessment.band, partial.provisional) == (10, "moderate", True)
    assert partial.progress == "4 of 9 answered so far"
    assert wrong.assessment is None and len(wrong.errors) == 1 and "'4' is not allowed" in wrong.errors[0]
    assert empty.empty and empty.assessment is None
    assert (whole.assessment.total, whole.provisional) == (7, False)


def test_dsm5_counts_as_unsupervised_until_the_question_is_answered(app):
    criteria = ["tolerance", "withdrawal", "craving"]
    with app.app_context():
        open_question = screening_preview.preview(draft("dsm5_oud", {"criteria": criteria}))
        answered = screening_preview.preview(
            draft("dsm5_oud", {"criteria": criteria, "taken_as_prescribed_under_supervision": "yes"})
        )
    assert (open_question.assessment.total, open_question.provisional) == (3, True)
    assert "tolerance and withdrawal will not count" in open_question.progress
    assert (answered.assessment.total, answered.provisional) == (1, False)


def test_unfinished_regimen_rows_are_left_out_and_named(app):
    rows = [{"drug": "oxycodone", "dose": "20", "unit": "mg", "doses_per_day": "3"}, {}, {"drug": "morphine"}]
    with app.app_context():
        live = screening_preview.preview(draft("mme", {"regimen": rows}))
    assert live.regimen.result.total_mme_per_day == Decimal("90.0") and live.regimen.rows == (0,)
    assert live.errors == ("Medicine 3: Choose the unit of the dose.", "Medicine 3: Enter the dose.")
    assert live.progress == "Total from 1 of 2 medicines; finish the others to include them." and live.provisional


def test_medical_flags_preview_prefers_the_inquiry_mme(app):
    with app.app_context():
        posted = screening_preview.preview(draft("medical_flags", {"mme_per_day": "250"}))
        inquiry = screening_preview.preview(draft("medical_flags", {"mme_per_day": "250"}), mme_per_day=Decimal(10))
    assert [f["code"] for f in posted.assessment.flags] == ["high_mme"] and inquiry.assessment.flags == []
