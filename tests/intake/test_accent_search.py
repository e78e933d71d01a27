"""Search ignores accents (issue 13, bug 9): "Zoe" finds "Zoë" and "Nguyen" finds "Nguyễn", in
the list a person uses, and on PostgreSQL the search is still served by the trigram indexes."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coordinator.contracts.pipeline import InquiryFilter
from coordinator.extensions import db
from coordinator.models import Inquiry, User
from coordinator.roles import Role
from coordinator.services import inquiries
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as


@pytest.fixture
def reader(create_user):
    return create_user(Role.ADMISSIONS, full_name="Accent Reader")


@pytest.fixture
def named(app, reader):
    return {
        name: make_inquiry(app, reader, patient_name=name, caller_name=caller).id
        for name, caller in (
            ("Zoë Ålander", None),
            ("Nguyễn Thị Lan", "Đặng Văn Minh"),
            ("Zoe Plain", None),
            ("Someone Else", None),
        )
    }


def _found(client, q: str) -> set[int]:
    body = client.get("/inquiries/", query_string={"q": q}).get_data(as_text=True)
    table = body[body.index('data-testid="inquiry-table"') : body.index("</table>")]
    return {int(n) for n in re.findall(r'href="/inquiries/(\d+)"', table)}


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("Zoe", {"Zoë Ålander", "Zoe Plain"}),
        ("zoë", {"Zoë Ålander", "Zoe Plain"}),
        ("alander", {"Zoë Ålander"}),
        ("Nguyen", {"Nguyễn Thị Lan"}),
        ("NGUYỄN thi", {"Nguyễn Thị Lan"}),
        ("dang van", {"Nguyễn Thị Lan"}),  # the caller's name, with a stroked D
    ],
)
def test_search_ignores_accents_and_case(client, reader, named, q, names):
    login_as(client, reader)
    assert _found(client, q) == {named[name] for name in names}


def test_the_stored_key_is_folded_and_the_name_kept_as_typed(app, named):
    with app.app_context():
        row = db.session.get(Inquiry, named["Nguyễn Thị Lan"])
        assert (row.patient_name, row.patient_name_key, row.caller_name_key) == (
            "Nguyễn Thị Lan",
            "nguyen thi lan",
            "dang van minh",
        )


def test_a_name_of_only_marks_still_has_a_key(app, reader):
    inquiry_id = make_inquiry(app, reader, patient_name="A\u0301", caller_name="\u0301\u0301").id
    with app.app_context():
        row = db.session.get(Inquiry, inquiry_id)
        assert (row.patient_name_key, row.caller_name_key) == ("a", "\u0301\u0301")


def test_postgresql_serves_the_accent_blind_search_from_the_trigram_indexes(app, reader, named):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("trigram indexes are PostgreSQL's")
        # Twenty thousand other people, so the planner weighs a real table rather than four rows.
        db.session.execute(
            sa.text(
                "INSERT INTO inquiry (public_id, channel, arrived_at, status, status_changed_at, patient_name,"
                " patient_name_key, caller_name_key, patient_email_key, referral_source, urgency,"
                " may_leave_message, is_restricted, substances, created_at, updated_at)"
                " SELECT 'bulk' || g, 'phone', now() - g * interval '1 minute', 'new', now(), 'Person ' || g,"
                " 'person ' || md5(g::text), 'caller ' || md5((g + 1)::text), md5(g::text) || '@example.org',"
                " 'web', 'routine', false, false, '[]', now(), now() FROM generate_series(1, 20000) AS g"
            )
        )
        db.session.commit()
        # As autovacuum would: statistics, and the GIN pending lists merged into the indexes.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as maintenance:
            maintenance.exec_driver_sql("VACUUM ANALYZE inquiry")
        seen: list[tuple[str, object]] = []

        def remember(_conn, _cursor, statement, parameters, _context, _many):
            if "patient_name_key LIKE" in statement:
                seen.append((statement, parameters))

        sa.event.listen(db.engine, "before_cursor_execute", remember)
        try:
            _page, rows = inquiries.search(db.session.get(User, reader.id), InquiryFilter.parse({"q": "Nguyen"}), 25)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", remember)
        assert [row.inquiry.id for row in rows] == [named["Nguyễn Thị Lan"]]
        assert len(seen) == 2, "the capped count and the page each search the name keys"
        connection = db.session.connection()
        plans = [
            "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
            for statement, parameters in seen
        ]
        db.session.rollback()
    for plan in plans:
        assert "%nguyen%" in plan
        assert "ix_inquiry_patient_name_key_trgm" in plan, plan
        assert "ix_inquiry_caller_name_key_trgm" in plan, plan
