"""Restricted records and break-the-glass; the inquiry list's search, filters and query counts."""

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa

from coordinator.domain.intake import Channel
from coordinator.extensions import db
from coordinator.models import AuditEvent, BreakGlassAccess, Inquiry, PossibleDuplicate
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as


@pytest.fixture
def assignee(create_user):
    return create_user(Role.ADMISSIONS, full_name="Assigned Person")


@pytest.fixture
def restricted(app, assignee):
    return make_inquiry(
        app,
        assignee,
        assigned_to_id=assignee.id,
        is_restricted=True,
        patient_name="Famous Person",
        caller_name="Discreet Caller",
    )


def test_a_restricted_inquiry_is_open_to_its_assignee_and_admins(client, new_client, restricted, assignee, create_user):
    login_as(client, assignee)
    assert "Famous Person" in client.get(f"/inquiries/{restricted.id}").get_data(as_text=True)
    admin_client = login_as(new_client(), create_user(Role.ADMIN))
    assert admin_client.get(f"/inquiries/{restricted.id}").status_code == 200


def test_others_see_neither_the_record_nor_its_name_until_they_break_the_glass(app, client, restricted, create_user):
    colleague = create_user(Role.CASE_MANAGER)
    login_as(client, colleague)
    refused = client.get(f"/inquiries/{restricted.id}")
    assert refused.status_code == 403
    assert (
        "Famous Person" not in refused.get_data(as_text=True)
        and "break the glass" in refused.get_data(as_text=True).lower()
    )
    listing = client.get("/inquiries/").get_data(as_text=True)
    assert "Famous Person" not in listing and "Restricted record" in listing
    assert "Famous Person" not in client.get("/inquiries/?q=famous").get_data(as_text=True)
    assert "No inquiries match" in client.get("/inquiries/?q=famous").get_data(as_text=True)
    refused_note = client.post_form(f"/inquiries/{restricted.id}/notes", {"note": "x"})
    assert refused_note.status_code == 403 and "break the glass" in refused_note.get_data(as_text=True).lower()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(BreakGlassAccess)) == 0

    too_short = client.post_form(f"/inquiries/{restricted.id}/break-glass", {"scope": "clinical", "reason": "need"})
    assert too_short.status_code == 400 and "at least 10 characters" in too_short.get_data(as_text=True)
    granted = client.post_form(
        f"/inquiries/{restricted.id}/break-glass",
        {"scope": "clinical", "reason": "Assignee is on leave; caller is waiting on the line"},
    )
    assert granted.status_code == 302
    assert "Famous Person" in client.get(f"/inquiries/{restricted.id}").get_data(as_text=True)
    with app.app_context():
        grant = db.session.scalars(sa.select(BreakGlassAccess)).one()
        assert grant.user_id == colleague.id
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_user_id == colleague.id)).all()
        assert "restricted_inquiry_refused" in actions and "break_glass" in actions
        detail = db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action == "break_glass")).one()
        assert "leave" not in detail  # the typed reason is shown to admins, not copied into the log detail


def test_admins_review_break_glass_access(app, client, new_client, restricted, create_user):
    colleague = create_user(Role.CLINICIAN, full_name="Curious Clinician")
    c = login_as(new_client(), colleague)
    c.post_form(
        f"/inquiries/{restricted.id}/break-glass",
        {"scope": "clinical", "reason": "Clinical question about withdrawal risk"},
    )
    login_as(client, create_user(Role.ADMIN))
    page = client.get("/admin/break-glass").get_data(as_text=True)
    assert "Curious Clinician" in page and "Clinical question about withdrawal risk" in page
    with app.app_context():
        grant_id = db.session.scalars(sa.select(BreakGlassAccess.id)).one()
    assert client.post_form(f"/admin/break-glass/{grant_id}/reviewed").status_code == 302
    assert "Nothing to review" in client.get("/admin/break-glass").get_data(as_text=True)
    assert "Curious Clinician" in client.get("/admin/break-glass?show=all").get_data(as_text=True)


def test_search_by_name_phone_and_email_and_filters(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    a = make_inquiry(
        app,
        user,
        patient_name="Ruth Okafor",
        caller_phone="+1 (503) 555-0147",
        caller_email="ruth.o@example.net",
        assigned_to_id=user.id,
    )
    b = make_inquiry(app, None, patient_name="Tomás Ruiz", referral_source="physician", referrer_name="Dr. Chen")

    def ids(query):
        body = client.get("/inquiries/?" + query).get_data(as_text=True)
        return {i.id for i in (a, b) if f'/inquiries/{i.id}"' in body}

    assert ids("q=okafor") == {a.id}
    assert ids("q=RUTH") == {a.id}
    assert ids("q=555-0147") == {a.id}
    assert ids("q=5030") == set()  # digits are matched as typed, contiguous
    assert ids("q=ruth.o@example") == {a.id}
    assert ids("q=tomás") == {b.id}
    assert ids("source=physician") == {b.id}
    assert ids("assignee=me") == {a.id}
    assert ids("assignee=none") == {b.id}
    assert ids("status=new") == {a.id, b.id}
    assert ids("status=admitted") == set()
    assert ids(f"arrived_from={date.today().isoformat()}") == {a.id, b.id}
    assert ids("arrived_to=2020-01-01") == set()
    assert ids("q=%25") == set()  # LIKE wildcards are escaped
    assert client.get("/inquiries/?status=bogus&page=-4&sort=evil").status_code == 200


def test_the_list_runs_the_same_number_of_queries_however_many_rows(app, client, create_user, count_queries):
    user = create_user(Role.ADMISSIONS)
    other = create_user(Role.CASE_MANAGER)
    login_as(client, user)

    def measure():
        with count_queries() as counter:
            assert client.get("/inquiries/?sort=urgency").status_code == 200
        return counter.count

    make_inquiry(app, user, assigned_to_id=user.id)
    few = measure()
    for n in range(30):
        make_inquiry(app, user, assigned_to_id=(user.id if n % 2 else other.id), is_restricted=(n % 5 == 0))
    assert measure() == few


def test_pagination(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    app.config["INQUIRIES_PAGE_SIZE"] = 5
    for _ in range(12):
        make_inquiry(app, user)
    body = client.get("/inquiries/").get_data(as_text=True)
    assert "Showing 1–5 of 12" in body
    for _ in range(2):  # keyset pages: follow "Next" (tests/intake/test_list_paging.py has the rest)
        url = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', body).group(1)
        body = client.get(html.unescape(url)).get_data(as_text=True)
    assert "Showing 2 of 12" in body and ">Next</a>" not in body


def test_possible_duplicates_are_flagged_on_arrival(app, create_user):
    user = create_user(Role.ADMISSIONS)
    first = make_inquiry(
        app,
        user,
        patient_name="Ana Silva",
        patient_dob="1980-01-02",
        caller_phone="555 123 4567",
        caller_email="a@example.org",
    )
    by_phone = make_inquiry(
        app,
        None,
        patient_name="A. Silva",
        caller_phone="(555) 123-4567",
        caller_email="other@example.org",
        patient_dob="",
    )
    by_email = make_inquiry(
        app, None, patient_name="Someone", caller_phone="555 999 0000", caller_email="A@Example.org", patient_dob=""
    )
    by_name = make_inquiry(
        app,
        None,
        patient_name="  ana   SILVA ",
        patient_dob="1980-01-02",
        caller_phone="555 777 0000",
        caller_email="x@example.org",
    )
    unrelated = make_inquiry(
        app,
        None,
        patient_name="Ana Silva",
        patient_dob="1981-01-02",
        caller_phone="555 888 0000",
        caller_email="y@example.org",
    )
    with app.app_context():
        flags = {
            (f.inquiry_id, f.other_inquiry_id): f.matched_on for f in db.session.scalars(sa.select(PossibleDuplicate))
        }
    assert flags[(by_phone.id, first.id)] == "same phone"
    assert flags[(by_email.id, first.id)] == "same email"
    assert flags[(by_name.id, first.id)] == "same name and date of birth"
    assert not any(key[0] == unrelated.id for key in flags)


def test_staff_merge_a_duplicate_into_the_original(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    original = make_inquiry(app, user, caller_phone="555 123 4567")
    duplicate = make_inquiry(app, None, caller_phone="555-123-4567", channel=Channel.WEB_FORM)
    client.post_form(f"/inquiries/{duplicate.id}/notes", {"note": "Web form: asked for a callback"})
    page = client.get(f"/inquiries/{duplicate.id}").get_data(as_text=True)
    assert "Possibly the same person as" in page and f"inquiry #{original.id}" in page
    response = client.post_form(f"/inquiries/{duplicate.id}/merge", {"survivor_id": str(original.id)})
    assert response.status_code == 302 and response.headers["Location"] == f"/inquiries/{original.id}"
    survivor_page = client.get(f"/inquiries/{original.id}").get_data(as_text=True)
    assert "Web form: asked for a callback" in survivor_page
    with app.app_context():
        merged = db.session.get(Inquiry, duplicate.id)
        assert merged.merged_into_id == original.id
    assert f'/inquiries/{duplicate.id}"' not in client.get("/inquiries/").get_data(as_text=True)
    again = client.post_form(f"/inquiries/{duplicate.id}/merge", {"survivor_id": str(original.id)})
    assert again.status_code == 403  # a merged inquiry cannot be changed any more
    assert client.post_form(f"/inquiries/{original.id}/merge", {"survivor_id": str(original.id)}).status_code == 400


def test_a_possible_duplicate_can_be_dismissed(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    make_inquiry(app, user, caller_phone="555 123 4567")
    second = make_inquiry(app, None, caller_phone="555 123 4567")
    with app.app_context():
        flag = db.session.scalars(sa.select(PossibleDuplicate)).one()
    assert client.post_form(f"/inquiries/{second.id}/duplicates/{flag.id}/dismiss").status_code == 302
    assert "Possibly the same person" not in client.get(f"/inquiries/{second.id}").get_data(as_text=True)
