"""The patient list (/care/patients): search by name (accents ignored) or record number, the
level and in-care filters, the hidden block of restricted patients, keyset pages, audit, and
a statement count that does not grow with the data."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coordinator.domain.care import LevelOfCare
from coordinator.extensions import db
from coordinator.models import AuditEvent, Patient
from coordinator.roles import Role
from tests.care.helpers import discharge_directly
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.support.care_records import admit_directly

TODAY = date.today()


@pytest.fixture
def manager(app, client, create_user):
    user = create_user(Role.CASE_MANAGER)
    login_as(client, user)
    return user


def admitted(app, who, name: str, *, program=None, restricted: bool = False, assignee=None) -> dict:
    inquiry = make_inquiry(app, who, assigned_to_id=(assignee or who).id, patient_name=name, is_restricted=restricted)
    return admit_directly(app, who, inquiry.id, (program or make_program(app)).id)


def mrn_of(app, patient_id: int) -> str:
    with app.app_context():
        return db.session.get(Patient, patient_id).mrn


def rows(client, query: str = "") -> str:
    response = client.get(f"/care/patients{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_search_by_name_ignores_accents_and_case_and_finds_record_numbers(app, client, manager):
    zoe = admitted(app, manager, "Zoë Nguyễn")
    other = admitted(app, manager, "Adam Other")
    page = rows(client)
    assert "Zoë Nguyễn" in page and "Adam Other" in page
    assert page.index("Adam Other") < page.index("Zoë Nguyễn")  # by name
    found = rows(client, "?q=zoe+NGUYEN")
    assert "Zoë Nguyễn" in found and "Adam Other" not in found
    number = mrn_of(app, zoe["patient"])
    by_number = rows(client, f"?q={number}")
    assert "Zoë Nguyễn" in by_number and "Adam Other" not in by_number
    digits = str(int(mrn_of(app, other["patient"]).split("-")[1]))
    assert "Adam Other" in rows(client, f"?q={digits}")


def test_filters_by_level_now_and_in_care_or_discharged(app, client, manager):
    php = make_program(app, name="Day program", level_of_care=LevelOfCare.PHP, asam_level="2.5")
    staying = admitted(app, manager, "Rosa Residential")
    admitted(app, manager, "Pat Partial", program=php)
    gone = admitted(app, manager, "Dana Discharged")
    discharge_directly(app, gone["episode"], TODAY)
    residential = rows(client, "?level=residential")
    assert "Rosa Residential" in residential and "Pat Partial" not in residential
    assert "Dana Discharged" not in residential
    out = rows(client, "?status=discharged")
    assert "Dana Discharged" in out and "Rosa Residential" not in out and "aftercare until" in out
    in_care = rows(client, "?status=in_care")
    assert "Rosa Residential" in in_care and "Pat Partial" in in_care and "Dana Discharged" not in in_care
    assert staying["patient"]


def test_restricted_patients_show_as_a_hidden_block_and_never_match_a_search(
    app, client, new_client, create_user, manager
):
    owner = create_user(Role.CASE_MANAGER)
    hidden = admitted(app, owner, "Quiet Executive", restricted=True)
    admitted(app, manager, "Open Person")
    page = rows(client)
    assert "Quiet Executive" not in page and mrn_of(app, hidden["patient"]) not in page
    assert page.count('data-testid="hidden-row"') == 1
    assert page.index("Open Person") < page.index("Restricted patient")
    for query in ("?q=quiet", f"?q={mrn_of(app, hidden['patient'])}", "?level=residential", "?status=in_care"):
        searched = rows(client, query)
        assert 'data-testid="hidden-row"' not in searched and "Quiet Executive" not in searched, query
    assignee = login_as(new_client(), owner)  # the assignee opens it
    assert "Quiet Executive" in rows(assignee, "?q=quiet")


def test_lifting_the_inquiry_restriction_lists_the_patient_by_name(app, client, create_user, manager):
    owner = create_user(Role.CASE_MANAGER)
    hidden = admitted(app, owner, "Formerly Quiet", restricted=True)
    assert "Formerly Quiet" not in rows(client)
    from coordinator.models import Inquiry

    with app.app_context():
        db.session.get(Inquiry, hidden["admitted_inquiry"]).is_restricted = False
        db.session.commit()
    assert "Formerly Quiet" in rows(client)


def test_keyset_pages_walk_the_visible_rows_then_the_hidden_block(app, client, create_user, manager):
    app.config["INQUIRIES_PAGE_SIZE"] = 5
    owner = create_user(Role.CASE_MANAGER)
    program = make_program(app)
    names = [f"Person {chr(65 + n)}" for n in range(7)]
    for name in names:
        admitted(app, manager, name, program=program)
    admitted(app, owner, "Hidden One", program=program, restricted=True)
    first = client.get("/care/patients")
    text = first.get_data(as_text=True)
    assert all(n in text for n in names[:5]) and names[5] not in text
    import re

    cursor = re.search(r'href="/care/patients\?cursor=([^"&]+)"[^>]*>Next', text)
    assert cursor, text[-3000:]
    second = rows(client, f"?cursor={cursor.group(1)}")
    assert names[5] in second and names[6] in second and names[0] not in second
    assert 'data-testid="hidden-row"' in second


def test_the_list_is_audited_with_the_ids_shown(app, client, manager):
    made = admitted(app, manager, "Audited Person")
    rows(client)
    with app.app_context():
        details = db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action == "patients_listed")).all()
    assert details and str(made["patient"]) in details[-1]


@pytest.mark.parametrize(
    "query",
    [
        "?q=%00",
        "?q=" + "x" * 5000,
        "?level=moon",
        "?status=maybe",
        "?cursor=not-a-cursor",
        "?cursor=" + "A" * 3000,
        "?q=MRN-%00",
    ],
)
def test_hostile_filters_are_ignored_or_refused_never_a_500(app, client, manager, query):
    admitted(app, manager, "Steady Person")
    response = client.get(f"/care/patients{query}")
    assert response.status_code in (200, 400)


def test_admissions_and_billing_have_no_patient_list_and_no_link(app, client, new_client, create_user, manager):
    assert 'href="/care/patients"' in rows(client)
    for role in (Role.ADMISSIONS, Role.BILLING):
        other = login_as(new_client(), create_user(role))
        assert other.get("/care/patients").status_code == 403
        assert 'href="/care/patients"' not in other.get("/").get_data(as_text=True)


def test_the_list_reads_the_same_statements_however_many_patients(app, client, create_user, manager, count_queries):
    owner = create_user(Role.CASE_MANAGER)
    program = make_program(app)
    admitted(app, manager, "Seed Person", program=program)
    admitted(app, owner, "Seed Hidden", program=program, restricted=True)

    def read(query: str = "") -> int:
        with count_queries() as counter:
            rows(client, query)
        return counter.count

    few, few_searched = read(), read("?q=person")
    for n in range(6):
        made = admitted(app, manager, f"More Person {n}", program=program)
        if n % 2:
            discharge_directly(app, made["episode"], TODAY)
        admitted(app, owner, f"More Hidden {n}", program=program, restricted=True)
    assert read() == few
    assert read("?q=person") == few_searched
