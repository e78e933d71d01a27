"""Dates and times only in the one documented shape (issue 11, item 11a).

Python 3.11's `date.fromisoformat` and `datetime.fromisoformat` accept much more than the API
documents: basic format (`19800101`), ISO week dates (`1980-W01-1`), a bare date as a moment, a
UTC offset, a space instead of "T". A date is exactly YYYY-MM-DD and a moment exactly
YYYY-MM-DDTHH:MM[:SS[.fff]] (what an HTML date or datetime-local input sends), with nothing
around it: no white space, no line break. Staff forms, the public form and the API are the same.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from coordinator.errors import ValidationFailed
from coordinator.roles import Role
from tests.contracts.test_values import TODAY, code_of, parse
from tests.intake.test_api import api_payload, error_of, inquiry_count, make_api_client, post
from tests.intake.test_public_form import URL as WEB_FORM
from tests.intake.test_public_form import inquiries, visitor_answers

NOT_A_DATE = [
    "19800101",  # basic format
    "1980-W01-1",  # ISO week date (fromisoformat: 1979-12-31)
    "1980-W01",
    "1980-001",  # ordinal date
    "1980001",
    "1980-01-01\n",  # a trailing line break inside the JSON string
    "1980-01-01 ",
    " 1980-01-01",
    "1980-01-01\t",
    "1980-01-01T00:00",  # a time
    "1980-01-01 00:00",
    "1980-01-01Z",
    "+1980-01-01",
    "1980-1-01",
    "\u0661\u0669\u0668\u0660-01-01",  # Arabic-Indic digits (\d would match them)
    "\uff11\uff19\uff18\uff10-01-01",  # full-width digits
]


NOT_A_MOMENT = [
    "20261203T0930",  # basic format
    "2026-W49-4T09:30",  # week date and time
    "2026-12-03T0930",
    "2026-12-03",  # a date alone is not a moment (fromisoformat: midnight)
    "2026-12-03T09",
    "2026-12-03 09:30",  # a space is not what a datetime-local input sends
    "2026-12-03T09:30\n",
    " 2026-12-03T09:30",
    "2026-12-03T09:30Z",  # an offset: the moment is in clinic time, never another zone
    "2026-12-03T09:30+07:00",
    "2026-12-03T09:30:15.1234567",
    "2026-337T09:30",
]


@pytest.mark.parametrize("source", ["form", "json"])
@pytest.mark.parametrize("sent", NOT_A_DATE)
def test_a_date_is_only_yyyy_mm_dd(source, sent):
    assert code_of(source, born=sent) == "date_invalid"
    assert code_of(source, on=sent) == "date_invalid"


@pytest.mark.parametrize("source", ["form", "json"])
def test_a_plain_date_is_still_a_date(source):
    assert parse(source, born="1980-01-01").born == date(1980, 1, 1)
    assert parse(source, on=TODAY.isoformat()).on == TODAY


def test_a_blank_date_is_still_no_date():
    assert parse(born="   ").born is None
    assert parse(born="").born is None


@pytest.mark.parametrize("sent", NOT_A_MOMENT)
def test_a_moment_is_only_what_a_datetime_local_input_sends(sent):
    assert code_of(at=sent) == "datetime_invalid"


@pytest.mark.parametrize(
    "sent, clean",
    [
        ("2026-12-03T09:30", datetime(2026, 12, 3, 2, 30, tzinfo=UTC)),
        ("2026-12-03T09:30:15", datetime(2026, 12, 3, 2, 30, 15, tzinfo=UTC)),
        ("2026-12-03T09:30:15.250", datetime(2026, 12, 3, 2, 30, 15, 250000, tzinfo=UTC)),
    ],
)
def test_a_datetime_local_value_is_a_moment_in_clinic_time(sent, clean):
    assert parse(at=sent).at == clean


def test_python_callers_may_still_pass_dates_and_datetimes():
    assert parse(born=date(1980, 1, 1)).born == date(1980, 1, 1)
    assert parse(at=datetime(2026, 12, 3, 2, 30, tzinfo=UTC)).at == datetime(2026, 12, 3, 2, 30, tzinfo=UTC)


@pytest.fixture
def key(app, create_user) -> str:
    return make_api_client(app, create_user(Role.ADMIN).id)[1]


@pytest.mark.parametrize("sent", ["19800101", "1980-W01-1", "1980-01-01\n", "1980-01-01T00:00:00"])
def test_the_api_refuses_other_date_shapes_with_422(client, app, key, sent):
    response = post(client, key, api_payload(patient_dob=sent))
    assert response.status_code == 422, response.json
    assert "patient_dob" in error_of(response)["fields"]
    assert inquiry_count(app) == 0


@pytest.mark.parametrize("sent", ["19800101", "1980-W01-1", "1980-01-01\n"])
def test_the_web_form_refuses_other_date_shapes(client, app, sent):
    response = client.post_form(WEB_FORM, visitor_answers(patient_dob=sent))
    assert response.status_code == 400  # the form again, with the problem beside the field
    assert "date of birth" in response.get_data(as_text=True) and "YYYY-MM-DD" in response.get_data(as_text=True)
    assert inquiries(app) == []


def test_the_problem_never_echoes_the_value():
    with pytest.raises(ValidationFailed) as refused:
        parse(born="1980-W01-1")
    assert all("W01" not in p.message for p in refused.value.problems)
