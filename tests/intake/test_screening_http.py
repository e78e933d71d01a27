"""Screening through HTTP: worked cases for every kind, bad input that saves nothing, who may do what."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, InquiryActivity, OpioidRegimenLine, Screening
from coordinator.roles import Role
from coordinator.services import screenings
from tests.fixtures.users import login_as

PHQ9_KEYS = screenings.SCORED_ITEMS["phq9"]
GAD7_KEYS = screenings.SCORED_ITEMS["gad7"]
COWS_KEYS = screenings.SCORED_ITEMS["cows"]
# COWS items in order: pulse, sweating, restlessness, pupils, aches, nose, GI, tremor, yawning,
# anxiety, gooseflesh. 4+4+5+5+4+4+5+4+1+0+0 = 36.
COWS_36 = dict(zip(COWS_KEYS, ["4", "4", "5", "5", "4", "4", "5", "4", "1", "0", "0"], strict=True))


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Screening, InquiryActivity, OpioidRegimenLine, AuditEvent)
        }


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def record_url(inquiry_id: int, kind: str) -> str:
    return f"/screening/inquiry/{inquiry_id}/record/{kind}"


def stored(app, inquiry_id: int, kind: str) -> list[Screening]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(Screening).where(Screening.inquiry_id == inquiry_id, Screening.kind == kind))
        )


@pytest.fixture
def admissions(client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    return user


@pytest.fixture
def inquiry(create_inquiry):
    return create_inquiry()


# --- worked cases -------------------------------------------------------------------------------


def test_phq9_item_nine_raises_the_safety_flag_at_a_low_total(app, client, admissions, inquiry):
    answers = {key: "0" for key in PHQ9_KEYS} | {"self_harm": "1"}
    response = client.post_form(record_url(inquiry.id, "phq9"), answers)
    assert response.status_code == 302
    [screening] = stored(app, inquiry.id, "phq9")
    assert (screening.total, screening.band) == (1, "minimal")
    assert [f["code"] for f in screening.flags] == ["self_harm_thoughts"]
    page = text_of(client.get(response.headers["Location"]))
    assert "Same-day clinical review" in page and "1 of 27" in page
    summary = text_of(client.get(f"/screening/inquiry/{inquiry.id}"))
    assert 'data-testid="safety-flag"' in summary and "Same-day clinical review" in summary


def test_phq9_of_14_is_moderate_and_goes_on_the_timeline(app, client, admissions, inquiry):
    answers = dict(zip(PHQ9_KEYS, ["2", "2", "2", "2", "2", "2", "1", "1", "0"], strict=True))
    assert client.post_form(record_url(inquiry.id, "phq9"), answers).status_code == 302
    [screening] = stored(app, inquiry.id, "phq9")
    assert (screening.total, screening.band, screening.flags) == (14, "moderate", [])
    with app.app_context():
        summaries = db.session.scalars(
            sa.select(InquiryActivity.summary).where(
                InquiryActivity.inquiry_id == inquiry.id, InquiryActivity.kind == "screening"
            )
        ).all()
    assert summaries == ["PHQ-9: 14, moderate"]


def test_gad7_of_8_is_mild(app, client, admissions, inquiry):
    answers = dict(zip(GAD7_KEYS, ["1", "1", "1", "1", "1", "1", "2"], strict=True))
    assert client.post_form(record_url(inquiry.id, "gad7"), answers).status_code == 302
    [screening] = stored(app, inquiry.id, "gad7")
    assert (screening.total, screening.band) == (8, "mild")


def test_cows_of_36_is_moderately_severe_and_repeats_newest_first(app, client, create_user, inquiry):
    login_as(client, create_user(Role.CLINICIAN))
    zone = ZoneInfo(app.config["DISPLAY_TIMEZONE"])
    earlier = (datetime.now(zone) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post_form(record_url(inquiry.id, "cows"), COWS_36 | {"administered_at": earlier})
    assert response.status_code == 302
    assert "Moderately severe (25-36)" in text_of(client.get(response.headers["Location"]))
    severe = COWS_36 | {"anxiety_irritability": "1"}  # 37: severe is strictly above 36
    assert client.post_form(record_url(inquiry.id, "cows"), severe).status_code == 302
    history = text_of(client.get(f"/screening/inquiry/{inquiry.id}/history/cows"))
    assert history.index("Severe (more than 36)") < history.index("Moderately severe (25-36)")
    first = min(stored(app, inquiry.id, "cows"), key=lambda s: s.id)
    assert first.administered_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M") == earlier


def test_dsm5_tolerance_and_withdrawal_under_supervision_count_zero(app, client, admissions, inquiry):
    response = client.post_form(
        record_url(inquiry.id, "dsm5_oud"),
        {
            "criteria": ["tolerance", "withdrawal"],
            "taken_as_prescribed_under_supervision": "yes",
            "behaviours": ["early_refills"],
        },
    )
    assert response.status_code == 302
    [screening] = stored(app, inquiry.id, "dsm5_oud")
    assert (screening.total, screening.band) == (0, "none")
    assert sorted(f["item"] for f in screening.flags if f["code"] == "excluded_criterion") == [
        "tolerance",
        "withdrawal",
    ]
    page = text_of(client.get(response.headers["Location"]))
    assert "0 of 11 criteria counted" in page and "Reported but not counted" in page
    assert "as prescribed under medical supervision" in page and "Runs out early" in page
    assert "F11." not in page


def test_dsm5_four_criteria_unsupervised_is_moderate_with_f11_2x(app, client, admissions, inquiry):
    response = client.post_form(
        record_url(inquiry.id, "dsm5_oud"),
        {
            "criteria": ["tolerance", "withdrawal", "craving", "larger_amounts"],
            "taken_as_prescribed_under_supervision": "no",
        },
    )
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "4 of 11 criteria counted" in page and "Moderate (4-5 criteria)" in page
    assert "F11.2x" in page and "the diagnosis and code are the clinician's decision" in page


def test_medical_flags_use_the_inquiry_mme_and_a_recent_overdose(app, client, admissions, create_inquiry):
    heavy = create_inquiry(regimen=[{"drug": "morphine", "dose": "100", "unit": "mg", "doses_per_day": 2}])
    recent = (datetime.now(ZoneInfo(app.config["DISPLAY_TIMEZONE"])).date() - timedelta(days=60)).isoformat()
    response = client.post_form(
        record_url(heavy.id, "medical_flags"),
        {"flags": ["cardiac_disease", "pregnancy"], "last_overdose_on": recent, "mme_per_day": "1"},
    )
    assert response.status_code == 302
    [screening] = stored(app, heavy.id, "medical_flags")
    assert [f["code"] for f in screening.flags] == ["pregnancy", "cardiac_disease", "recent_overdose", "high_mme"]
    assert screening.answers["mme_per_day"] == "200"  # the stored regimen's, not the posted value
    page = text_of(client.get(response.headers["Location"]))
    assert "Obstetric coordination" in page and "partner hospital" in page


def test_regimen_oxycodone_20mg_three_times_a_day_is_90_with_both_flags(app, client, admissions, inquiry):
    response = client.post_form(
        f"/screening/inquiry/{inquiry.id}/regimen",
        {
            "regimen-0-drug": "oxycodone",
            "regimen-0-dose": "20",
            "regimen-0-unit": "mg",
            "regimen-0-doses_per_day": "3",
            "regimen-0-purpose": "pain",
            "regimen-1-drug": "",
            "regimen-1-dose": "",
            "regimen-1-purpose": "pain",  # a blank row
            "regimen-2-drug": "buprenorphine_naloxone",
            "regimen-2-dose": "8",
            "regimen-2-unit": "mg",
            "regimen-2-doses_per_day": "2",
            "regimen-2-purpose": "oud",
            "caller_name": "ignored",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.get(Inquiry, inquiry.id)
        lines = db.session.scalars(
            sa.select(OpioidRegimenLine.drug)
            .where(OpioidRegimenLine.inquiry_id == inquiry.id)
            .order_by(OpioidRegimenLine.position)
        ).all()
        last = db.session.scalars(
            sa.select(InquiryActivity.summary)
            .where(InquiryActivity.inquiry_id == inquiry.id)
            .order_by(InquiryActivity.id.desc())
        ).first()
    assert row.mme_per_day == 90 and lines == ["oxycodone", "buprenorphine_naloxone"]
    assert last == "Opioid regimen updated: 90 MME/day"
    page = text_of(client.get(response.headers["Location"]))
    assert "90 MME/day" in page and "CDC 2022" in page and "payer threshold" in page


def test_regimen_editor_shows_the_current_rows_and_clinicians_cannot_change_it(app, client, create_user, inquiry):
    login_as(client, create_user(Role.CASE_MANAGER))
    page = client.get(f"/screening/inquiry/{inquiry.id}/regimen").get_data(as_text=True)
    assert 'name="regimen-0-dose" value="20"' in page and 'name="regimen-5-drug"' in page
    assert "90" in page  # the first preview is rendered with the page
    client.logout()
    login_as(client, create_user(Role.CLINICIAN))
    assert client.get(f"/screening/inquiry/{inquiry.id}/regimen").status_code == 403


# --- the live preview ---------------------------------------------------------------------------


def preview_token(client) -> str:
    """The CSRF token previews post, fetched once: fetching it opens the home page, whose task
    list read is audited, and these tests count the rows a preview itself writes."""
    if not hasattr(client, "preview_token"):
        client.preview_token = client.csrf_token()
    return client.preview_token


def preview(client, kind: str, data: dict):
    response = client.post(
        f"/screening/preview/{kind}",
        data={**data, "csrf_token": preview_token(client)},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    assert response.headers["X-Preview-Fragment"] == "1"
    body = response.get_data(as_text=True)
    assert "<html" not in body  # a fragment, not a page
    return html.unescape(re.sub(r"\s+", " ", body))


def test_mme_preview_shows_each_line_exclusions_flags_and_cautions(app, client, admissions):
    preview_token(client)
    before = counts(app)
    body = preview(
        client,
        "mme",
        {
            "regimen-0-drug": "oxycodone",
            "regimen-0-dose": "20",
            "regimen-0-unit": "mg",
            "regimen-0-doses_per_day": "3",
            "regimen-1-drug": "buprenorphine",
            "regimen-1-dose": "8",
            "regimen-1-unit": "mg",
            "regimen-1-doses_per_day": "1",
            "regimen-3-purpose": "pain",
            "patient_name": "Daniel",
            "urgency": "soon",
        },
    )
    assert re.search(r'data-testid="mme-total">90</span> MME/day', body)
    assert '20 mg × 3 a day = 60 mg/day × 1.5 = <span class="fw-semibold">90 MME/day' in body
    assert "Medicine 2, Buprenorphine (any form): buprenorphine is left out of the CDC 2022 MME table" in body
    assert "≥ 50 MME/day." in body and "CDC 2022 Clinical Practice Guideline" in body
    assert "≥ 90 MME/day." in body and "2016 CDC" in body and "payer threshold" in body
    assert "never use it to convert one opioid to another" in body
    assert counts(app) == before


def test_mme_preview_fentanyl_patch_and_an_unfinished_row(client, admissions):
    body = preview(
        client,
        "mme",
        {
            "regimen-0-drug": "fentanyl_transdermal",
            "regimen-0-dose": "25",
            "regimen-0-unit": "mcg/hr",
            "regimen-1-drug": "oxycodone",
            "regimen-1-dose": "10",
        },
    )
    assert 'data-testid="mme-total">60</span>' in body
    assert "25 mcg/hr patch × 2.4" in body
    assert "Medicine 2: Choose the unit of the dose." in body
    assert "Total from 1 of 2 medicines" in body


def test_mme_preview_of_methadone_for_oud_is_excluded_as_moud(client, admissions):
    body = preview(
        client,
        "mme",
        {
            "regimen-0-drug": "methadone",
            "regimen-0-dose": "80",
            "regimen-0-unit": "mg",
            "regimen-0-doses_per_day": "1",
            "regimen-0-purpose": "oud",
        },
    )
    assert 'data-testid="mme-total">0</span>' in body
    assert "MME thresholds do not apply to medication for opioid use disorder" in body


def test_partial_phq9_preview_shows_progress_and_a_floor(app, client, admissions):
    answered = dict(zip(PHQ9_KEYS[:7], ["2", "2", "2", "2", "2", "1", "1"], strict=True))
    preview_token(client)
    before = counts(app)
    body = preview(client, "phq9", answered)
    assert "7 of 9 answered so far" in body and "12 of 27" in body and "At least Moderate (10-14)" in body
    body = preview(client, "phq9", {"self_harm": "2"})
    assert "1 of 9 answered so far" in body and "Same-day clinical review" in body
    assert "No answers yet" in preview(client, "phq9", {})
    assert counts(app) == before


def test_preview_shows_errors_in_plain_language(client, admissions):
    body = preview(client, "cows", COWS_36 | {"resting_pulse": "3"})
    assert "Item 1 (Resting pulse rate" in body and "'3' is not allowed; choose 0, 1, 2 or 4." in body
    body = preview(client, "gad7", {"nervous": "4"})
    assert "'4' is not allowed" in body
    body = preview(client, "mme", {"regimen-0-drug": "heroin", "regimen-0-dose": "-5", "regimen-0-unit": "mg"})
    assert "Unknown medicine 'heroin'" in body and "more than 0" in body


def test_dsm5_preview_before_the_supervision_answer(client, admissions):
    body = preview(client, "dsm5_oud", {"criteria": ["tolerance", "withdrawal", "craving"]})
    assert "3 of 11 criteria counted" in body and "if it is, tolerance and withdrawal will not count" in body
    body = preview(
        client,
        "dsm5_oud",
        {"criteria": ["tolerance", "withdrawal", "craving"], "taken_as_prescribed_under_supervision": "yes"},
    )
    assert "1 of 11 criteria counted" in body and "Below the diagnostic threshold" in body


def test_medical_flags_preview_uses_the_posted_mme(client, admissions):
    body = preview(client, "medical_flags", {"flags": ["alcohol_use"], "mme_per_day": "250"})
    assert "Alcohol co-use" in body and "Very high opioid load: 250 MME/day" in body


def test_preview_needs_the_csrf_token_and_a_recording_role(client, create_user):
    login_as(client, create_user(Role.BILLING))
    assert client.post_form("/screening/preview/phq9", {}).status_code == 403
    client.logout()
    login_as(client, create_user(Role.ADMISSIONS))
    assert client.post("/screening/preview/phq9", data={}).status_code == 400
    assert client.post_form("/screening/preview/unknown", {}).status_code == 404


# --- bad input saves nothing --------------------------------------------------------------------

BAD_INPUT = [
    ("cows", COWS_36 | {"resting_pulse": "3"}, "'3' is not allowed; choose 0, 1, 2 or 4."),
    ("phq9", {key: "0" for key in PHQ9_KEYS} | {"mood": "4"}, "'4' is not allowed; choose 0, 1, 2 or 3."),
    ("phq9", {key: "1" for key in PHQ9_KEYS[:8]}, "choose an answer."),
    ("gad7", {key: "1" * 10_000 for key in GAD7_KEYS}, "Use at most 40 characters (this has 10000)."),
    ("dsm5_oud", {"criteria": ["tolerance", "telepathy"]}, "Choose DSM-5 criteria from the list; unknown: 'telepathy'"),
    (
        "dsm5_oud",
        {"criteria": ["tolerance"]},
        "Say whether the opioid is taken as prescribed under medical supervision (yes or no).",
    ),
    (
        "dsm5_oud",
        {"criteria": ["tolerance"], "taken_as_prescribed_under_supervision": "maybe"},
        "Choose one of the listed options (yes, no).",
    ),
    ("medical_flags", {"flags": ["vampirism"]}, "Choose medical flags from the list; unknown: 'vampirism'"),
    ("medical_flags", {"last_overdose_on": "2024-02-30"}, "Enter the date of the last overdose as a real date"),
    ("medical_flags", {"last_overdose_on": "2099-01-01"}, "cannot be in the future"),
    ("medical_flags", {"last_overdose_on": "2999-01-01"}, "between 1900 and 2100"),
    ("phq9", {key: "0" for key in PHQ9_KEYS} | {"administered_at": "2099-01-01T10:00"}, "cannot be in the future"),
    (
        "phq9",
        {key: "0" for key in PHQ9_KEYS} | {"administered_at": "yesterday"},
        "Enter the time the screening was given as a date and time.",
    ),
    (
        "phq9",
        {key: "0" for key in PHQ9_KEYS} | {"administered_at": "0001-01-01T00:00"},
        "Enter the time the screening was given as a date and time.",
    ),
]


@pytest.mark.parametrize("kind, data, message", BAD_INPUT, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(BAD_INPUT)])
def test_bad_screening_input_shows_the_error_and_saves_nothing(app, client, create_user, inquiry, kind, data, message):
    login_as(client, create_user(Role.CLINICIAN))
    before = counts(app)
    response = client.post_form(record_url(inquiry.id, kind), data)
    assert response.status_code == 200
    page = text_of(response)
    assert "Nothing was saved" in page and message in page
    assert len(page) < 200_000  # an oversized answer is not echoed back
    after = counts(app)
    assert after["screening"] == before["screening"] and after["inquiry_activity"] == before["inquiry_activity"]
    # Only the read of the record is audited.
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action)
            .order_by(AuditEvent.id.desc())
            .limit(after["audit_event"] - before["audit_event"])
        ).all()
    assert set(actions) == {"inquiry_viewed_for_screening"}


def test_errors_are_shown_next_to_each_item(client, admissions, inquiry):
    page = client.post_form(record_url(inquiry.id, "phq9"), {"interest": "7", "mood": "1"}).get_data(as_text=True)
    assert re.search(
        r'id="interest-error" class="text-danger small mt-1">Question 1 .*&#39;7&#39; is not allowed', page
    )
    assert re.search(r'id="sleep-error" class="text-danger small mt-1">Question 3 .*choose an answer', page)
    assert 'id="mood-error"' not in page
    assert re.search(r'name="mood" id="mood-1" value="1"[^>]*checked', page)  # the answer is kept


BAD_REGIMENS = [
    (
        {"regimen-0-drug": "heroin", "regimen-0-dose": "10", "regimen-0-unit": "mg", "regimen-0-doses_per_day": "1"},
        "regimen-0-drug",
        "Unknown medicine",
    ),
    (
        {
            "regimen-0-drug": "oxycodone",
            "regimen-0-dose": "-10",
            "regimen-0-unit": "mg",
            "regimen-0-doses_per_day": "1",
        },
        "regimen-0-dose",
        "more than 0",
    ),
    (
        {
            "regimen-2-drug": "oxycodone",
            "regimen-2-dose": "5000",
            "regimen-2-unit": "mg",
            "regimen-2-doses_per_day": "1",
        },
        "regimen-2-dose",
        "not a plausible single dose",
    ),
    (
        {
            "regimen-0-drug": "oxycodone",
            "regimen-0-dose": "0.0001",
            "regimen-0-unit": "mg",
            "regimen-0-doses_per_day": "2",
        },
        "regimen-0-dose",
        "at most 3 decimal places",
    ),
    (
        {
            "regimen-0-drug": "oxycodone",
            "regimen-0-dose": "10",
            "regimen-0-unit": "mg",
            "regimen-0-doses_per_day": "9" * 5000,
        },
        "regimen-0-doses_per_day",
        "Enter the doses per day as a whole number from 1 to 24.",
    ),
    (
        {
            "regimen-0-drug": "oxycodone",
            "regimen-0-dose": "10",
            "regimen-0-unit": "x" * 5000,
            "regimen-0-doses_per_day": "1",
        },
        "regimen-0-unit",
        "Use at most 40 characters",
    ),
    (
        {
            "regimen-0-drug": "oxycodone",
            "regimen-0-dose": "10",
            "regimen-0-unit": "mg",
            "regimen-0-doses_per_day": "30",
        },
        "regimen-0-doses_per_day",
        "from 1 to 24",
    ),
    (
        {"regimen-0-drug": "fentanyl_transdermal", "regimen-0-dose": "25", "regimen-0-unit": "mg"},
        "regimen-0-unit",
        "mcg/hr",
    ),
    ({f"regimen-{i}-drug": "morphine" for i in range(11)}, None, "at most 10 medicines"),
]


@pytest.mark.parametrize("data, field, message", BAD_REGIMENS, ids=[str(i) for i in range(len(BAD_REGIMENS))])
def test_bad_regimen_shows_the_error_and_changes_nothing(app, client, admissions, inquiry, data, field, message):
    before = counts(app)
    response = client.post_form(f"/screening/inquiry/{inquiry.id}/regimen", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page and message in page
    if field:
        assert f'id="{field}"' in page and re.search(rf'class="[^"]*is-invalid[^"]*" [^>]*id="{field}"', page)
    assert counts(app)["opioid_regimen_line"] == before["opioid_regimen_line"] == 1
    with app.app_context():
        assert db.session.get(Inquiry, inquiry.id).mme_per_day == 90


# --- who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMISSIONS, Role.CASE_MANAGER, Role.ADMIN])
def test_only_clinicians_record_cows(app, client, create_user, inquiry, role):
    login_as(client, create_user(role))
    assert client.get(record_url(inquiry.id, "cows")).status_code == 403
    assert client.post_form(record_url(inquiry.id, "cows"), COWS_36).status_code == 403
    assert stored(app, inquiry.id, "cows") == []
    overview = client.get(f"/screening/inquiry/{inquiry.id}").get_data(as_text=True)
    assert record_url(inquiry.id, "cows") not in overview
    assert record_url(inquiry.id, "phq9") in overview


def test_admins_may_view_cows_that_clinicians_recorded(app, client, new_client, create_user, inquiry):
    login_as(client, create_user(Role.CLINICIAN))
    response = client.post_form(record_url(inquiry.id, "cows"), COWS_36)
    admin = login_as(new_client(), create_user(Role.ADMIN))
    assert admin.get(response.headers["Location"]).status_code == 200
    assert "36 of 48" in text_of(admin.get(f"/screening/inquiry/{inquiry.id}/history/cows"))


def test_restricted_inquiry_screening_is_refused_without_break_glass(app, client, create_user, create_inquiry):
    owner = create_user(Role.ADMISSIONS)
    restricted = create_inquiry(owner, is_restricted=True, assigned_to_id=owner.id)
    outsider = create_user(Role.CLINICIAN)
    login_as(client, outsider)
    answers = {key: "1" for key in PHQ9_KEYS}
    for response in (
        client.get(f"/screening/inquiry/{restricted.id}"),
        client.get(record_url(restricted.id, "phq9")),
        client.post_form(record_url(restricted.id, "phq9"), answers),
        client.post_form("/screening/preview/phq9", answers),
    ):
        if response.request.path.startswith("/screening/preview"):
            assert response.status_code == 200  # the preview reads no record
            continue
        assert response.status_code == 403
        assert "restricted" in response.get_data(as_text=True)
    assert stored(app, restricted.id, "phq9") == []
    with app.app_context():
        refusals = db.session.scalar(
            sa.select(sa.func.count()).where(
                AuditEvent.action == "restricted_inquiry_refused", AuditEvent.actor_user_id == outsider.id
            )
        )
    assert refusals == 3

    client.post_form(
        f"/inquiries/{restricted.id}/break-glass", {"scope": "clinical", "reason": "On call for this patient tonight"}
    )
    assert client.post_form(record_url(restricted.id, "phq9"), answers).status_code == 302
    assert len(stored(app, restricted.id, "phq9")) == 1


def test_unknown_inquiry_and_screening_of_another_inquiry_are_404(app, client, admissions, create_inquiry):
    first, second = create_inquiry(), create_inquiry()
    client.post_form(record_url(first.id, "gad7"), {key: "0" for key in GAD7_KEYS})
    [screening] = stored(app, first.id, "gad7")
    assert client.get(f"/screening/inquiry/{second.id}/{screening.id}").status_code == 404
    assert client.get("/screening/inquiry/999999").status_code == 404
    assert client.get(f"/screening/inquiry/{first.id}/record/unknown").status_code == 404


def test_audit_rows_carry_no_clinical_values(app, client, admissions, inquiry):
    client.post_form(record_url(inquiry.id, "phq9"), {key: "3" for key in PHQ9_KEYS})
    client.post_form(
        f"/screening/inquiry/{inquiry.id}/regimen",
        {
            "regimen-0-drug": "hydromorphone",
            "regimen-0-dose": "8",
            "regimen-0-unit": "mg",
            "regimen-0-doses_per_day": "4",
        },
    )
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.action.in_(["screening_recorded", "regimen_updated"]))
            .order_by(AuditEvent.id)
        ).all()
    assert rows == [
        ("screening_recorded", f"kind phq9, inquiry {inquiry.id}"),
        ("regimen_updated", "opioid regimen replaced"),
    ]
    for _, detail in rows:
        for clinical in ("severe", "self", "hydromorphone", "MME"):
            assert clinical not in detail


def test_inquiry_page_shows_the_screening_summary(app, client, admissions, inquiry):
    client.post_form(record_url(inquiry.id, "phq9"), {key: "0" for key in PHQ9_KEYS} | {"self_harm": "1"})
    page = text_of(client.get(f"/inquiries/{inquiry.id}"))
    assert 'data-testid="screening-summary"' in page
    assert "Same-day clinical review" in page and 'data-testid="summary-mme">90 MME/day' in page
    assert "CDC 2022" in page and f"/screening/inquiry/{inquiry.id}/record/dsm5_oud" in page
