"""The public web inquiry form: no sign-in, CSRF, a honeypot, a rate limit and a thank-you page that says nothing."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordinator.domain.intake import ActivityKind, Channel, ReferralSource
from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, InquiryActivity
from coordinator.roles import Role

URL = "/inquire"
THANKS = "/inquire/thanks"


def visitor_answers(**overrides) -> dict:
    """A spouse writing in from the website at 2 a.m."""
    data = {
        "caller_name": "Maria Visitor",
        "caller_relationship": "spouse_partner",
        "caller_phone": "+1 555 010 7788",
        "caller_email": "maria.visitor@example.org",
        "preferred_contact": "text",
        "may_leave_message": "y",
        "patient_name": "Daniel Visitor",
        "patient_dob": "1975-04-12",
        "patient_location": "Portland, OR",
        "presenting_concerns": "He has been on oxycodone since his back surgery and runs out early.",
        "substances": ["prescribed_opioids", "alcohol"],
        "urgency": "soon",
        "referral_source": "web",
    }
    data.update(overrides)
    return data


def inquiries(app) -> list[Inquiry]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Inquiry)))


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def page_text(response) -> str:
    return response.get_data(as_text=True)


def main_content(response) -> str:
    body = page_text(response)
    return body[body.index('<main id="main"') : body.index("</main>")]


def test_the_form_is_public_and_shows_no_staff_navigation(client):
    response = client.get(URL)
    assert response.status_code == 200
    body = page_text(response)
    assert "Get in touch" in body and 'name="csrf_token"' in body
    assert "Sign out" not in body and 'id="main-nav"' not in body
    assert 'name="website"' in body  # the honeypot is there, hidden
    assert re.search(r'<div class="visually-hidden" aria-hidden="true">\s*<label for="website"', body)
    assert 'name="is_restricted"' not in body and 'name="assigned_to_id"' not in body


def test_a_visitor_inquiry_is_saved_from_the_web_form_with_its_arrival(client, app):
    response = client.post_form(URL, visitor_answers())
    assert response.status_code == 302 and response.headers["Location"] == THANKS
    [inquiry] = inquiries(app)
    assert inquiry.channel == Channel.WEB_FORM
    assert inquiry.referral_source == ReferralSource.WEB
    assert (inquiry.patient_name, inquiry.patient_dob) == ("Daniel Visitor", date(1975, 4, 12))
    assert inquiry.substances == ["prescribed_opioids", "alcohol"]
    assert inquiry.may_leave_message is True and inquiry.api_client_id is None and inquiry.created_by_id is None
    with app.app_context():
        activity = db.session.scalars(sa.select(InquiryActivity).where(InquiryActivity.inquiry_id == inquiry.id)).one()
    assert activity.kind == ActivityKind.ARRIVED
    [created] = audit_rows(app, "inquiry_created")
    assert created.actor_label == "anonymous" and created.entity_id == str(inquiry.id)


def test_visitors_cannot_mark_an_inquiry_restricted_or_assign_it(client, app, create_user):
    admissions = create_user(Role.ADMISSIONS)
    response = client.post_form(
        URL, visitor_answers(is_restricted="y", assigned_to_id=str(admissions.id), channel="phone", status="admitted")
    )
    assert response.status_code == 302
    [inquiry] = inquiries(app)
    assert inquiry.is_restricted is False and inquiry.assigned_to_id is None
    assert inquiry.channel == Channel.WEB_FORM and inquiry.status.value == "new"


def test_the_thank_you_page_reveals_nothing(client, app):
    answers = visitor_answers()
    after_post = client.post_form(URL, answers, follow_redirects=True)
    assert after_post.status_code == 200
    content = main_content(after_post)
    [inquiry] = inquiries(app)
    for secret in ("Maria", "Daniel", "Visitor", "oxycodone", "555", "example.org", "Portland", inquiry.public_id):
        assert secret not in page_text(after_post), secret
    visible_text = re.sub(r"<[^>]+>", " ", content)
    assert set(re.findall(r"\d+", visible_text)) == {"911", "988"}  # no id, date or count of any kind
    assert main_content(client.get(THANKS)) == content  # visited directly: the very same page


def test_the_honeypot_saves_nothing_and_looks_exactly_like_success(client, new_client, app, caplog):
    real = new_client().post_form(URL, visitor_answers(), follow_redirects=True)
    inquiries_before = len(inquiries(app))
    bot = client.post_form(URL, visitor_answers(website="http://cheap-pills.example"), follow_redirects=True)
    assert [r.status_code for r in bot.history] == [302] and bot.history[0].headers["Location"] == THANKS
    assert bot.status_code == real.status_code == 200
    assert main_content(bot) == main_content(real)
    assert len(inquiries(app)) == inquiries_before == 1
    [discarded] = audit_rows(app, "web_inquiry_discarded")
    assert discarded.actor_label == "anonymous" and discarded.entity_id is None
    assert "cheap-pills" not in (discarded.detail or "") and "Maria" not in (discarded.detail or "")
    assert "honeypot" in caplog.text and "cheap-pills" not in caplog.text


def test_a_post_without_a_csrf_token_is_refused_and_saves_nothing(client, app):
    response = client.post(URL, data=visitor_answers())
    assert response.status_code == 400
    assert "This form has expired" in page_text(response)
    assert 'href="/inquire"' in page_text(response)
    assert inquiries(app) == []


def test_a_post_with_a_forged_csrf_token_is_refused(client, app):
    response = client.post(URL, data={**visitor_answers(), "csrf_token": "forged"})
    assert response.status_code == 400 and inquiries(app) == []


def test_too_many_submissions_from_one_address_get_a_friendly_429(client, new_client, app):
    app.config["WEB_INQUIRY_LIMIT"] = "2 per hour"
    assert client.post_form(URL, visitor_answers()).status_code == 302
    assert client.post_form(URL, visitor_answers(website="bot")).status_code == 302  # honeypot hits count too
    # Corrections do not count: an invalid post while under the limit re-renders the form.
    limited = new_client().post_form(URL, visitor_answers(presenting_concerns="A long message I typed at 2 a.m."))
    assert limited.status_code == 429
    body = page_text(limited)
    assert "cannot take another just now" in body and "no need to send it again" in body
    assert "A long message I typed at 2 a.m." in body  # the visitor's words are not lost
    assert "Error 429" not in body and "Sign out" not in body
    assert len(inquiries(app)) == 1
    assert client.get(URL).status_code == 200  # reading the form is never limited


def test_corrections_do_not_use_up_the_limit(client, app):
    app.config["WEB_INQUIRY_LIMIT"] = "1 per hour"
    for _ in range(3):
        assert client.post_form(URL, visitor_answers(patient_name="")).status_code == 400
    assert client.post_form(URL, visitor_answers()).status_code == 302
    assert client.post_form(URL, visitor_answers()).status_code == 429


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"patient_dob": "2026-02-30"}, "patient_dob", "Enter the date of birth as a real date"),
        ({"patient_dob": (date.today() + timedelta(days=2)).isoformat()}, "patient_dob", "cannot be in the future"),
        ({"patient_dob": "1850-01-01"}, "patient_dob", "cannot be before 1900"),
        ({"substances": ["prescribed_opioids", "unicorn_dust"]}, "substances", "unknown: &#39;unicorn_dust&#39;"),
        ({"presenting_concerns": "x" * 5000}, "presenting_concerns", "Use at most 4000 characters (this has 5000)"),
        ({"caller_name": "y" * 5000}, "caller_name", "Use at most 160 characters"),
        (
            {"caller_phone": "", "caller_email": "", "preferred_contact": ""},
            "caller_phone",
            "Please give us a phone number or an email address, so we can get back to you.",
        ),
        ({"caller_email": "maria@", "caller_phone": ""}, "caller_email", "Enter an email address"),
        ({"caller_phone": "call me"}, "caller_phone", "Enter a phone number"),
        ({"patient_name": "   "}, "patient_name", "Please tell us their name"),
        ({"caller_relationship": "nemesis"}, "caller_relationship", "Choose one of the listed options"),
        ({"caller_name": "Maria\x00"}, "caller_name", "not allowed"),
    ],
)
def test_bad_answers_are_shown_next_to_their_field_and_save_nothing(client, app, overrides, field, message):
    response = client.post_form(URL, visitor_answers(**overrides))
    assert response.status_code == 400
    body = page_text(response)
    assert "Nothing has been sent yet" in body
    assert message in feedback_after(body, field)
    assert inquiries(app) == []


def test_how_they_heard_of_us_is_optional(client, app):
    # Issue 13, bug 9: the form says to leave out what you are not sure of, then required this.
    page = page_text(client.get(URL))
    assert "Choose one (optional)" in page
    response = client.post_form(URL, visitor_answers(referral_source=""))
    assert response.status_code == 302, page_text(response)
    (inquiry,) = inquiries(app)
    assert inquiry.referral_source is ReferralSource.WEB  # they reached us through the website


def test_a_story_past_its_limit_is_refused_with_the_limit_named_never_cut_by_the_browser(client, app):
    # Issue 13, bug 9: the text boxes carried maxlength, so a browser cut a pasted story short
    # without a word; now the page names the limit and the server refuses what is past it.
    page = page_text(client.get(URL))
    for name in ("presenting_concerns", "contact_instructions"):
        textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', page).group(0)
        assert "maxlength" not in textarea
    assert "Up to 4,000 characters." in page and "Up to 500 characters." in page
    response = client.post_form(URL, visitor_answers(presenting_concerns="a" * 4001))
    assert response.status_code == 400
    assert "Use at most 4000 characters (this has 4001)" in feedback_after(page_text(response), "presenting_concerns")
    assert "a" * 4001 in page_text(response)  # given back whole, to shorten
    assert inquiries(app) == []


def test_the_form_and_its_try_again_pages_show_the_admissions_phone(client, new_client, app):
    # Issue 13, bug 9: a visitor told to try again later had no other way to reach anyone.
    app.config["ADMISSIONS_PHONE"] = "+1 (555) 010-0199"
    link = 'href="tel:+15550100199">+1 (555) 010-0199</a>'
    assert link in page_text(client.get(URL))
    assert link in page_text(client.post(URL, data=visitor_answers()))  # the form has expired
    app.config["WEB_INQUIRY_LIMIT"] = "1 per hour"
    assert client.post_form(URL, visitor_answers()).status_code == 302
    limited = new_client().post_form(URL, visitor_answers())
    assert limited.status_code == 429
    assert "try again later" in page_text(limited) and link in page_text(limited)
    app.config["ADMISSIONS_PHONE"] = None
    assert 'data-testid="admissions-phone"' not in page_text(client.get(URL))


@pytest.mark.parametrize("raw", ["call us", "+1 555 010 0100; rm", "12", "5" * 41])
def test_a_bad_admissions_phone_setting_stops_the_start(tmp_path, raw):
    from coordinator.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="ADMISSIONS_PHONE"):
        load_settings(str(tmp_path), {"ADMISSIONS_PHONE": raw})


def feedback_after(body: str, field: str) -> str:
    """The error text shown right after a field's inputs, before any other field begins."""
    start = body.index(f'name="{field}"')
    feedback = body.index('class="invalid-feedback', start)
    between = set(re.findall(r'name="([^"]+)"', body[start:feedback]))
    assert between == {field}, f"another field comes between {field} and its error: {between}"
    return body[feedback : body.index("</div>", feedback)]


def test_answers_are_kept_when_the_form_comes_back_with_errors(client):
    response = client.post_form(URL, visitor_answers(patient_dob="2026-02-30"))
    body = page_text(response)
    assert 'value="Maria Visitor"' in body and "runs out early" in body
    assert re.search(r'value="alcohol"[^>]*checked|checked[^>]*value="alcohol"', body)


def test_the_form_works_for_a_signed_in_staff_member_too(client, app, create_user):
    from tests.fixtures.users import login_as

    login_as(client, create_user(Role.BILLING))
    assert client.get(URL).status_code == 200
    assert client.post_form(URL, visitor_answers()).status_code == 302
    [inquiry] = inquiries(app)
    assert inquiry.created_by_id is None  # still an anonymous web inquiry


def test_every_visitor_wording_rewords_a_code_the_contract_really_gives():
    from zoneinfo import ZoneInfo

    from coordinator.blueprints.public.wording import VISITOR_WORDING
    from coordinator.contracts.intake import NewInquiry
    from coordinator.contracts.messages import MESSAGES
    from coordinator.errors import ValidationFailed

    assert set(VISITOR_WORDING) <= set(MESSAGES)  # keyed by code, never by the staff's text
    with pytest.raises(ValidationFailed) as failure:
        NewInquiry.parse({"patient_name": "", "referral_source": ""}, today=date.today(), zone=ZoneInfo("UTC"))
    codes = {problem.code for problem in failure.value.problems}
    assert {"patient_name_required"} <= codes


@pytest.mark.parametrize(
    "environ", [{"WEB_INQUIRY_LIMIT": "lots"}, {"API_RATE_LIMIT": "60 a minute"}, {"API_MAX_BODY_BYTES": "100"}]
)
def test_limits_are_checked_when_the_settings_load(tmp_path, environ):
    from coordinator.config import ConfigError, load_settings

    with pytest.raises(ConfigError):
        load_settings(str(tmp_path), environ)


def test_limit_defaults_suit_a_laptop(tmp_path):
    from coordinator.config import load_settings

    settings = load_settings(str(tmp_path), {})
    assert settings["WEB_INQUIRY_LIMIT"] == "5 per hour" and settings["API_RATE_LIMIT"] == "60 per minute"
    assert settings["API_MAX_BODY_BYTES"] == 64 * 1024


@pytest.mark.parametrize("path", ["/inquire", "/inquire/thanks"])
def test_visitors_see_no_staff_branding_or_sign_in_link(client, path):
    page = client.get(path).get_data(as_text=True)
    assert 'href="/auth/login"' not in page
    assert "Confidential inquiry" in page
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "Coordinator" not in title
