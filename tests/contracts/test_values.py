"""The normalisers every contract is made of: one table of worked cases per kind of value.

Each row: what a form or the API sends, and either the clean value or the problem code. Forms send
text; JSON must use its own types (a number is a JSON number, a yes/no is true or false).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.contracts import values
from coordinator.contracts.base import Contract, path_of
from coordinator.domain.intake import Urgency
from coordinator.errors import ValidationFailed

TODAY = date(2026, 12, 3)
BANGKOK = ZoneInfo("Asia/Bangkok")


class Sample(Contract):
    name: values.text(10, required="text_required", what="name")
    note: values.text(40, multiline=True)
    email: values.email()
    phone: values.phone()
    member_id: values.identifier(8, what="member ID")
    urgency: values.choice(Urgency, default=Urgency.ROUTINE)
    agreed: values.yes_no()
    known: values.yes_no_unknown()
    born: values.birth_date()
    on: values.day(what="entry date", not_future=True, earliest=date(2000, 1, 1))
    at: values.moment(what="time")
    count: values.whole_number(what="count", minimum=1, maximum=24)
    dose: values.number(what="dose")
    amount: values.amount(what="deposit")
    share: values.percent(what="share")
    record: values.record_id(what="program")


def parse(source: str = "form", **fields):
    return Sample.parse({"name": "Ana", **fields}, source=source, today=TODAY, zone=BANGKOK)


def code_of(source: str = "form", **fields) -> str:
    with pytest.raises(ValidationFailed) as refused:
        parse(source, **fields)
    (found,) = [p for p in refused.value.problems if p.field == next(iter(fields))]
    return found.code


@pytest.mark.parametrize(
    "field, sent, clean",
    [
        ("name", "  Ana  ", "Ana"),
        ("note", "line one\nline two\ttabbed", "line one\nline two\ttabbed"),
        ("note", "   ", None),
        ("email", " Maria@Example.ORG ", "Maria@example.org"),
        ("phone", "+1 (555) 010-0001", "+1 (555) 010-0001"),
        ("member_id", "ab 12-3", "ab12-3"),
        ("member_id", "AB\u00a012", "AB12"),
        ("urgency", "", Urgency.ROUTINE),
        ("urgency", "urgent", Urgency.URGENT),
        ("agreed", "y", True),
        ("agreed", "", False),
        ("known", "unknown", None),
        ("known", "no", False),
        ("born", "1975-04-12", date(1975, 4, 12)),
        ("born", "2026-12-03", TODAY),
        ("on", "2000-01-01", date(2000, 1, 1)),
        ("at", "2026-12-03T09:30", datetime(2026, 12, 3, 2, 30, tzinfo=UTC)),
        ("count", " 3 ", 3),
        ("dose", "7.5", Decimal("7.5")),
        ("amount", "280,000.50", Decimal("280000.50")),
        ("amount", "280 000", Decimal("280000")),
        ("share", "20%", Decimal("20")),
        ("record", "12", 12),
        ("record", "", None),
    ],
)
def test_form_values_are_normalised(field, sent, clean):
    assert getattr(parse(**{field: sent}), field) == clean


@pytest.mark.parametrize(
    "field, sent, code",
    [
        ("name", "", "text_required"),
        ("name", "A" * 11, "text_too_long"),
        ("name", "Ana\x00", "text_control_character"),
        ("name", "Ana\tMaria", "text_control_character"),
        ("name", "Ana\nMaria", "text_control_character"),
        ("note", "bell\x07", "text_control_character"),
        ("note", "lone \ud800 surrogate", "text_control_character"),
        ("email", "not-an-email", "email_invalid"),
        ("phone", "call me", "phone_invalid"),
        ("phone", "12 34", "phone_invalid"),
        ("member_id", "W123/456", "identifier_invalid"),
        ("member_id", "W12\u0663", "identifier_invalid"),
        ("member_id", "123456789", "text_too_long"),
        ("urgency", "whenever", "choice_unknown"),
        ("agreed", "maybe", "yes_no"),
        ("known", "perhaps", "yes_no_unknown"),
        ("born", "2026-02-30", "date_invalid"),
        ("born", "2026-12-04", "date_in_future"),
        ("born", "1899-12-31", "date_too_early"),
        ("born", "9999-12-31", "date_in_future"),
        ("on", "1999-12-31", "date_too_early"),
        ("on", "12/03/2026", "date_invalid"),
        ("at", "soon", "datetime_invalid"),
        ("at", "9999-12-31T10:00", "datetime_invalid"),
        ("count", "0", "whole_number_invalid"),
        ("count", "25", "whole_number_invalid"),
        ("count", "2.5", "whole_number_invalid"),
        ("count", "9" * 5000, "whole_number_invalid"),
        ("dose", "abc", "number_invalid"),
        ("dose", "1e999", "number_invalid"),
        ("amount", "-5", "amount_invalid"),
        ("amount", "1,50", "amount_invalid"),
        ("share", "101", "percent_invalid"),
        ("record", "2147483648", "choice_required"),
        ("record", "-1", "choice_required"),
        ("record", "x", "choice_required"),
    ],
)
def test_bad_form_values_get_a_coded_problem(field, sent, code):
    assert code_of(**{field: sent}) == code


@pytest.mark.parametrize(
    "field, sent, code",
    [
        ("name", 5, "json_string"),
        ("urgency", 1, "json_string"),
        ("born", 19750412, "json_string"),
        ("agreed", "yes", "json_boolean"),
        ("agreed", 1, "json_boolean"),
        ("count", "3", "json_integer"),
        ("count", 2.5, "json_integer"),
        ("count", True, "json_integer"),
        ("dose", "20", "json_number"),
        ("dose", True, "json_number"),
        ("dose", float("inf"), "json_number"),
    ],
)
def test_json_must_use_json_types(field, sent, code):
    assert code_of("json", **{field: sent}) == code


def test_json_values_of_the_right_type_are_accepted():
    clean = parse("json", agreed=True, count=3, dose=20, born="1975-04-12", member_id="ab 1")
    assert (clean.agreed, clean.count, clean.dose, clean.born, clean.member_id) == (
        True,
        3,
        Decimal(20),
        date(1975, 4, 12),
        "ab1",
    )


def test_unknown_fields_and_fields_left_out():
    with pytest.raises(ValidationFailed) as refused:
        Sample.parse({"colour": "blue"}, today=TODAY, zone=BANGKOK)
    codes = {p.field: p.code for p in refused.value.problems}
    assert codes == {"name": "text_required", "colour": "unknown_field"}


def test_problems_never_carry_what_was_typed():
    with pytest.raises(ValidationFailed) as refused:
        parse(email="secret-patient-name@", phone="Dana Example's phone")
    assert not any("secret" in p.message or "Dana" in p.message for p in refused.value.problems)


@pytest.mark.parametrize(
    "loc, path",
    [
        (("regimen", 0, "dose"), "regimen-0-dose"),
        (("insurance", "member_id"), "insurance.member_id"),
        (("lines", 2, "amounts", 1), "lines-2-amounts-1"),
        (("",), ""),
        ((), None),
    ],
)
def test_problem_paths(loc, path):
    assert path_of(loc) == path


@given(st.text(max_size=40))
def test_any_text_is_either_kept_stripped_or_refused_with_a_code(text):
    try:
        clean = Sample.parse({"name": "Ana", "note": text}, today=TODAY, zone=BANGKOK).note
    except ValidationFailed as refused:
        assert {p.code for p in refused.problems} <= {"text_control_character"}
    else:
        assert clean == (text.strip() or None)
