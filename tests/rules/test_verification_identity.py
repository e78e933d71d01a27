"""Whether a 271 names the person and payer on record: worked cases for names (case, accents,
spacing, order, middle names), dates of birth, member ids and payers."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.verification_identity import (
    Identity,
    Person,
    from_json,
    mismatches,
    same_name,
    same_payer,
    to_json,
)


@pytest.mark.parametrize(
    "ours, last, first, expected",
    [
        ("Jordan Rivera", "RIVERA", "JORDAN", True),
        ("Rivera, Jordan", "RIVERA", "JORDAN", True),
        ("Zoë Nguyễn", "NGUYEN", "ZOE", True),
        ("zoe   NGUYEN", "Nguyễn", "Zoë", True),
        ("Mary Ann Smith", "SMITH", "MARY", True),  # the payer leaves the middle name out
        ("Mary Ann Smith", "SMITH", "MARY ANN", True),
        ("Mary Ann Smith", "SMITH", "MARYANN", True),  # spacing
        ("Smith, Mary Ann", "SMITH", "MARY", True),
        ("Anne-Marie O'Neil", "ONEIL", "ANNE MARIE", True),
        ("Daniel Example", "RIVERA", "JORDAN", False),
        ("Mary Smith", "SMITH", "JOHN", False),
        ("John Smithson", "SMITH", "JOHN", False),
        ("Jo Rivera", "RIVERA", "JORDAN", False),
        ("", "RIVERA", "JORDAN", None),
        ("Jordan Rivera", None, None, None),
        ("Jordan Rivera", "RIVERA", None, True),
    ],
)
def test_names(ours, last, first, expected):
    assert same_name(ours, last, first) is expected


@given(st.text(alphabet="abcdefghij", min_size=1, max_size=8), st.text(alphabet="klmnopqrst", min_size=1, max_size=8))
def test_a_name_always_matches_itself_in_any_case_and_order(first, last):
    assert same_name(f"{first} {last}", last.upper(), first.upper())
    assert same_name(f"{last}, {first}", last, first)


@pytest.mark.parametrize(
    "ours_name, ours_id, theirs_name, theirs_id, expected",
    [
        ("Acme Health", None, "ACME HEALTH PLAN", "60054", True),
        ("Acme Health", "60054", "Something else", "60054", True),  # ids decide when both have one
        ("Acme Health", "11111", "ACME HEALTH PLAN", "60054", False),
        ("Northwind Mutual", None, "ACME HEALTH PLAN", "60054", False),
        (None, None, "ACME HEALTH PLAN", "60054", None),
        ("Acme Health", None, None, None, None),
    ],
)
def test_payers(ours_name, ours_id, theirs_name, theirs_id, expected):
    assert same_payer(ours_name, ours_id, theirs_name, theirs_id) is expected


PATIENT = Person(full_name="Jordan Rivera", birth_date=date(1989, 4, 12))
ON_271 = Identity(
    Person("RIVERA", "JORDAN", None, date(1989, 4, 12)), None, "XJH123456789", "ACME HEALTH PLAN", "60054"
)


def test_the_same_person_and_payer_is_no_mismatch():
    assert mismatches(ON_271, PATIENT, PATIENT, "xjh 1234 56789", ("Acme Health", None)) == []


def test_each_difference_is_one_sentence():
    other = Person(full_name="Daniel Example", birth_date=date(1975, 4, 12))
    found = mismatches(ON_271, other, other, "OTHER-999", ("Northwind Mutual", None))
    assert found == [
        "The 271 is for member id XJH123456789; this coverage has OTHER-999.",
        "The 271's subscriber is RIVERA, JORDAN; the record has Daniel Example.",
        "The 271 gives the subscriber's date of birth as 12 Apr 1989; the record has 12 Apr 1975.",
        "The 271 comes from ACME HEALTH PLAN; this coverage's payer is Northwind Mutual.",
    ]


def test_what_either_side_leaves_out_is_no_mismatch():
    bare = Identity(Person("RIVERA", "JORDAN", None, None), None, None, None, None)
    assert mismatches(bare, Person(full_name="Jordan Rivera"), PATIENT, None, (None, None)) == []


def test_a_dependent_is_compared_with_the_patient():
    dependent = Identity(
        Person("RIVERA", "MARIA", None, date(1960, 1, 1)), Person("RIVERA", "SAM", None, None), None, None, None
    )
    subscriber = Person(full_name="Maria Rivera", birth_date=date(1960, 1, 1))
    assert mismatches(dependent, subscriber, PATIENT, None, (None, None)) == [
        "The 271's dependent (the patient) is RIVERA, SAM; the record has Jordan Rivera."
    ]


def test_the_stored_form_round_trips():
    assert from_json(to_json(ON_271)) == ON_271
    assert from_json(None) is None
