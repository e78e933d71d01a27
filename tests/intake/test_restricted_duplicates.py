"""Possible duplicates never disclose a restricted record (issue 11, item 3): someone who may not
open the other record sees only "a record you cannot see"; every match and every showing of it is
audited; the web form and the API answer the same whether or not a match exists."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, PossibleDuplicate
from coordinator.roles import Role
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as
from tests.intake.test_api import api_payload, auth, make_api_client
from tests.intake.test_phone_intake import form_data
from tests.intake.test_public_form import visitor_answers

PHONE = "+1 503 555 0199"
ARRIVED = datetime(2019, 3, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def assignee(create_user):
    return create_user(Role.ADMISSIONS, full_name="Assigned Person")


@pytest.fixture
def restricted(app, assignee):
    """An admitted, restricted patient who arrived in March 2019, reachable on PHONE."""
    inquiry = make_inquiry(
        app,
        assignee,
        assigned_to_id=assignee.id,
        is_restricted=True,
        patient_name="Famous Person",
        caller_name="Discreet Caller",
        caller_phone=PHONE,
    )
    with app.app_context():
        row = db.session.get(Inquiry, inquiry.id)
        row.status, row.arrived_at, row.status_changed_at = InquiryStatus.ADMITTED, ARRIVED, ARRIVED
        db.session.commit()
    return inquiry


def banner(page: str) -> str:
    start = page.index('data-testid="duplicates"')
    return page[start : page.index("</ul>", start)]


def merge_suggestion(page: str) -> str | None:
    """The number the merge form suggests, or None when the page offers no merge form."""
    tag = re.search(r'<input[^>]*name="survivor_id"[^>]*>', page)
    return re.search(r'value="([^"]*)"', tag.group(0)).group(1) if tag else None


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def assert_discloses_nothing(page: str, restricted: Inquiry) -> None:
    box = banner(page)
    assert "A record you cannot see" in box
    assert "admitted" not in box.lower() and "2019" not in box and "same phone" not in box
    assert f"#{restricted.id}" not in page and f"/inquiries/{restricted.id}" not in page
    assert merge_suggestion(page) in (None, "")  # the merge form does not suggest it either
    assert "Famous Person" not in page and "Discreet Caller" not in page


def test_a_colleague_who_takes_the_call_sees_only_a_record_they_cannot_see(app, client, restricted, create_user):
    colleague = create_user(Role.ADMISSIONS, full_name="Other Colleague")
    login_as(client, colleague)
    response = client.post_form(
        "/inquiries/new", form_data(caller_phone="+1 (503) 555-0199", assigned_to_id=str(colleague.id))
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert_discloses_nothing(page, restricted)
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    [withheld] = audit_rows(app, "possible_duplicate_withheld")
    assert (withheld.actor_user_id, withheld.entity_id) == (colleague.id, str(restricted.id))
    assert withheld.detail == f"on inquiry {new_id}"
    [flagged] = audit_rows(app, "possible_duplicate_flagged")
    assert (flagged.actor_user_id, flagged.entity_id) == (colleague.id, str(restricted.id))
    assert flagged.detail == f"new inquiry {new_id}, same phone"
    assert audit_rows(app, "possible_duplicate_shown") == []


@pytest.mark.parametrize("reader", ["assignee", "admin", "break_glass"])
def test_those_who_may_open_it_see_the_whole_banner(app, client, restricted, assignee, create_user, reader):
    newcomer = make_inquiry(app, None, caller_phone=PHONE)
    user = assignee if reader == "assignee" else create_user(Role.ADMIN if reader == "admin" else Role.CASE_MANAGER)
    login_as(client, user)
    if reader == "break_glass":
        reason = {"scope": "clinical", "reason": "Caller says she was here before; checking"}
        assert client.post_form(f"/inquiries/{restricted.id}/break-glass", reason).status_code == 302
    page = client.get(f"/inquiries/{newcomer.id}").get_data(as_text=True)
    box = banner(page)
    assert f'href="/inquiries/{restricted.id}">inquiry #{restricted.id}</a>' in box
    assert "same phone; admitted, arrived 04 Mar 2019" in box and "cannot see" not in box
    [shown] = audit_rows(app, "possible_duplicate_shown")
    assert (shown.actor_user_id, shown.entity_id, shown.detail) == (
        user.id,
        str(restricted.id),
        f"on inquiry {newcomer.id}",
    )
    assert audit_rows(app, "possible_duplicate_withheld") == []


def test_a_visible_match_is_still_suggested_for_merging_and_the_hidden_one_is_not(app, client, restricted, create_user):
    colleague = create_user(Role.ADMISSIONS)
    visible = make_inquiry(app, colleague, caller_phone=PHONE, patient_name="Plain Person")
    newcomer = make_inquiry(app, colleague, caller_phone=PHONE)
    login_as(client, colleague)
    page = client.get(f"/inquiries/{newcomer.id}").get_data(as_text=True)
    box = banner(page)
    assert f"inquiry #{visible.id}" in box and box.count("A record you cannot see") == 1
    assert box.index(f"inquiry #{visible.id}") < box.index("A record you cannot see")  # after, whatever its number
    assert merge_suggestion(page) == str(visible.id)
    assert {r.entity_id for r in audit_rows(app, "possible_duplicate_shown")} == {str(visible.id)}
    assert {r.entity_id for r in audit_rows(app, "possible_duplicate_withheld")} == {str(restricted.id)}


def test_a_hidden_match_cannot_be_dismissed_by_someone_who_cannot_compare(app, client, restricted, create_user):
    colleague = create_user(Role.ADMISSIONS)
    newcomer = make_inquiry(app, colleague, caller_phone=PHONE)
    with app.app_context():
        flag = db.session.scalars(sa.select(PossibleDuplicate)).one()
    login_as(client, colleague)
    page = client.get(f"/inquiries/{newcomer.id}").get_data(as_text=True)
    assert f"/duplicates/{flag.id}/dismiss" not in page
    refused = client.post_form(f"/inquiries/{newcomer.id}/duplicates/{flag.id}/dismiss")
    assert refused.status_code == 403 and "Famous Person" not in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(PossibleDuplicate, flag.id).dismissed_at is None
    assert [r.entity_id for r in audit_rows(app, "restricted_inquiry_refused")] == [str(restricted.id)]


_TOKEN = re.compile(r'(name="csrf_token" type="hidden" value="|name="csrf-token" content="|nonce=")[^"]*"')


def _same_modulo_tokens(text: str) -> str:
    return _TOKEN.sub(r"\1…", text)


def _submit_web_form(client, phone: str, name: str = "Maria Visitor", email: str = "maria@example.org"):
    form_page = client.get("/inquire")
    answers = visitor_answers(caller_phone=phone, caller_name=name, caller_email=email, patient_name=f"{name} Jr")
    posted = client.post_form("/inquire", answers)
    thanks = client.get(posted.headers["Location"])
    return form_page, posted, thanks


def test_the_web_form_answers_the_same_whether_or_not_the_phone_matches(app, new_client, restricted):
    matched = _submit_web_form(new_client(), PHONE)
    unmatched = _submit_web_form(new_client(), "+1 503 555 0123", "Ruth Stranger", "ruth@example.net")
    for a, b in zip(matched, unmatched, strict=True):
        assert a.status_code == b.status_code
        assert a.headers.get("Location") == b.headers.get("Location")
        assert sorted(a.headers.keys()) == sorted(b.headers.keys())
        assert _same_modulo_tokens(a.get_data(as_text=True)) == _same_modulo_tokens(b.get_data(as_text=True))
    assert matched[1].status_code == 302 and matched[2].status_code == 200
    with app.app_context():
        flags = db.session.scalars(sa.select(PossibleDuplicate)).all()
    assert [f.other_inquiry_id for f in flags] == [restricted.id]  # the match was made, and audited
    [flagged] = audit_rows(app, "possible_duplicate_flagged")
    assert flagged.actor_label == "anonymous" and flagged.entity_id == str(restricted.id)


def test_the_api_answers_the_same_whether_or_not_the_phone_matches(app, client, restricted, create_user):
    _, key = make_api_client(app, create_user(Role.ADMIN).id)
    answers = [
        client.post("/api/v1/inquiries", json=api_payload(caller_phone=phone), headers=auth(key))
        for phone in (PHONE, "+1 503 555 0123")
    ]
    matched, unmatched = (a.get_json() for a in answers)
    assert answers[0].status_code == answers[1].status_code == 201
    assert sorted(answers[0].headers.keys()) == sorted(answers[1].headers.keys())
    assert matched.keys() == unmatched.keys()
    assert (
        (matched["status"], matched["status_label"])
        == (unmatched["status"], unmatched["status_label"])
        == (
            "new",
            "New",
        )
    )
    assert "2019" not in str(matched) and str(restricted.id) not in str(matched.values())
    assert len(audit_rows(app, "possible_duplicate_flagged")) == 1


def test_the_record_page_runs_the_same_number_of_queries_however_many_matches(
    app, client, restricted, create_user, count_queries
):
    colleague = create_user(Role.ADMISSIONS)
    login_as(client, colleague)

    def measure(inquiry_id: int) -> int:
        with count_queries() as counter:
            assert client.get(f"/inquiries/{inquiry_id}").status_code == 200
        return counter.count

    first = make_inquiry(app, colleague, caller_phone="+1 503 555 0100")
    one = make_inquiry(app, colleague, caller_phone="+1 503 555 0100")
    for _ in range(3):
        make_inquiry(app, colleague, caller_phone=PHONE)
    many = make_inquiry(app, colleague, caller_phone=PHONE)  # four visible matches and the hidden one
    assert first.id != one.id
    assert measure(many.id) == measure(one.id)


def test_a_match_costs_the_sender_the_same_statements_as_no_match(app, new_client, restricted):
    """No branch a stopwatch could find: the same SQL statements run either way."""
    with app.app_context():
        engine = db.engine
    runs = []
    for n, phone in enumerate((PHONE, "+1 503 555 0123")):
        client = new_client()
        answers = visitor_answers(
            caller_phone=phone, caller_name=f"Visitor {n}", caller_email=f"v{n}@example.org", patient_name=f"P {n}"
        )
        answers["csrf_token"] = client.csrf_token()
        statements = []

        def on_execute(_conn, _cursor, statement, *_args, seen=statements):
            seen.append(" ".join(statement.split()[:3]))

        sa.event.listen(engine, "before_cursor_execute", on_execute)
        try:
            assert client.post("/inquire", data=answers).status_code == 302
        finally:
            sa.event.remove(engine, "before_cursor_execute", on_execute)
        runs.append(statements)
    assert runs[0] == runs[1]
    assert len(audit_rows(app, "possible_duplicate_flagged")) == 1
