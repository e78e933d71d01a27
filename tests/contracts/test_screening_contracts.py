"""The screening contracts and the shared regimen contract: tables of good and bad inputs.

Each bad input names the field path and the problem code it must give; the rules' own wording is
tested with the rules (tests/rules) and through the pages (tests/intake/test_screening_http.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from wtforms.fields.core import UnboundField

from coordinator.blueprints.screening.forms import PREVIEW_FORMS, RECORD_FORMS, RegimenRowForm
from coordinator.contracts.regimen import MAX_LINES, Regimen, RegimenLineInput, RegimenRow
from coordinator.contracts.rule_problems import rule_problems
from coordinator.contracts.screening import (
    DRAFTS,
    RECORDED,
    CowsInput,
    Dsm5OudDraft,
    Dsm5OudInput,
    Gad7Input,
    MedicalFlagsDraft,
    MedicalFlagsInput,
    Phq9Input,
    RegimenDraft,
    RegimenInput,
    Supervision,
)
from coordinator.errors import ValidationFailed
from coordinator.rules import cows, dsm5_oud, gad7, medical_flags, mme, phq9
from coordinator.rules.errors import InvalidValue, MissingValue, RuleErrors, UnknownKey
from coordinator.services import screenings

TODAY = date(2025, 3, 14)
ZONE = ZoneInfo("America/New_York")
OXYCODONE = {"drug": "oxycodone", "dose": "20", "unit": "mg", "doses_per_day": "3"}


def parse(contract, data, source="form"):
    return contract.parse(data, source=source, today=TODAY, zone=ZONE)


def problems_of(contract, data, source="form") -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationFailed) as failure:
        parse(contract, data, source)
    return [(p.field, p.code) for p in failure.value.problems]


# --- every kind has its contracts, its form and the rule's items --------------------------------


def test_every_kind_is_recorded_and_previewed_through_a_contract_and_a_form():
    kinds = {kind for kind, _ in screenings.KINDS}
    assert set(RECORDED) == set(RECORD_FORMS) == kinds
    assert set(DRAFTS) == set(PREVIEW_FORMS) == kinds | {"mme"}
    assert all(contract.kind == kind for kind, contract in DRAFTS.items())


@pytest.mark.parametrize(
    "contract, items",
    [
        (Phq9Input, [key for key, _ in phq9.ITEMS]),
        (Gad7Input, [key for key, _ in gad7.ITEMS]),
        (CowsInput, [item.key for item in cows.ITEMS]),
    ],
)
def test_a_questionnaire_has_one_field_per_item_of_its_rule(contract, items):
    assert list(contract.items) == items
    assert list(contract.model_fields) == ["administered_at", *items]


@pytest.mark.parametrize("kind", sorted(PREVIEW_FORMS))
def test_each_form_has_a_field_for_every_field_of_its_contracts(kind):
    def names(form_class) -> set[str]:
        return {name for name in dir(form_class) if isinstance(getattr(form_class, name), UnboundField)}

    assert set(DRAFTS[kind].model_fields) == names(PREVIEW_FORMS[kind])
    if kind in RECORD_FORMS:
        assert set(RECORDED[kind].model_fields) == names(RECORD_FORMS[kind])
    assert list(RegimenRowForm().data) == list(RegimenLineInput.model_fields)


# --- questionnaires: the contract checks the shape, the rule the answers -------------------------

GOOD_QUESTIONNAIRES = [
    (Phq9Input, {"interest": " 3 ", "mood": ""}, {"interest": "3", "mood": None}),
    (Gad7Input, dict.fromkeys(Gad7Input.items, "1"), dict.fromkeys(Gad7Input.items, "1")),
    # Answers the rule refuses still parse: the rule words them, beside the item.
    (CowsInput, {"resting_pulse": "3", "yawning": "99"}, {"resting_pulse": "3", "yawning": "99"}),
    (Phq9Input, {}, dict.fromkeys(Phq9Input.items)),
]


@pytest.mark.parametrize("contract, data, answers", GOOD_QUESTIONNAIRES)
def test_good_questionnaires(contract, data, answers):
    parsed = parse(contract, data)
    assert {key: value for key, value in parsed.answers().items() if key in answers} == answers
    assert set(parsed.unanswered()) == {key for key in contract.items if parsed.answers()[key] is None}


BAD_QUESTIONNAIRES = [
    (Phq9Input, {"mood": "1" * 41}, "form", [("mood", "text_too_long")]),
    (Gad7Input, {"nervous": "1\x00"}, "form", [("nervous", "text_control_character")]),
    (Phq9Input, {"telepathy": "1"}, "json", [("telepathy", "unknown_field")]),
    (Phq9Input, {"mood": 2}, "json", [("mood", "json_string")]),
    (CowsInput, {"administered_at": "yesterday"}, "form", [("administered_at", "datetime_invalid")]),
    (CowsInput, {"administered_at": "0001-01-01T00:00"}, "form", [("administered_at", "datetime_invalid")]),
]


@pytest.mark.parametrize("contract, data, source, expected", BAD_QUESTIONNAIRES)
def test_bad_questionnaires(contract, data, source, expected):
    assert problems_of(contract, data, source) == expected


def test_the_time_given_is_read_in_the_clinic_zone_and_filled_answers_make_a_new_contract():
    parsed = parse(Phq9Input, {"administered_at": "2025-03-14T09:30", "mood": "2"})
    assert parsed.administered_at == datetime(2025, 3, 14, 13, 30, tzinfo=UTC)
    floor = parsed.with_answers(dict.fromkeys(parsed.unanswered(), "0"))
    assert floor.unanswered() == () and floor.mood == "2" and parsed.interest is None


# --- DSM-5 OUD ------------------------------------------------------------------------------------

GOOD_DSM5 = [
    (
        Dsm5OudInput,
        {"taken_as_prescribed_under_supervision": "yes", "criteria": ["withdrawal", "tolerance"]},
        True,
        (dsm5_oud.OudCriterion.TOLERANCE, dsm5_oud.OudCriterion.WITHDRAWAL),  # in DSM order
    ),
    (Dsm5OudInput, {"taken_as_prescribed_under_supervision": "no", "criteria": "craving"}, False, ("craving",)),
    (Dsm5OudDraft, {"criteria": ["craving"]}, None, ("craving",)),  # a draft may leave supervision open
]


@pytest.mark.parametrize("contract, data, supervised, criteria", GOOD_DSM5)
def test_good_dsm5(contract, data, supervised, criteria):
    parsed = parse(contract, data)
    assert parsed.supervised is supervised and parsed.criteria == criteria


BAD_DSM5 = [
    (
        {"criteria": ["mind_reading"]},
        [("taken_as_prescribed_under_supervision", "dsm5_supervision_required"), ("criteria", "choices_unknown")],
    ),
    ({"taken_as_prescribed_under_supervision": "maybe"}, [("taken_as_prescribed_under_supervision", "choice_unknown")]),
    ({"taken_as_prescribed_under_supervision": ["yes"]}, [("taken_as_prescribed_under_supervision", "choice_unknown")]),
    ({"taken_as_prescribed_under_supervision": "no", "behaviours": {"a": 1}}, [("behaviours", "choices_unknown")]),
    ({"taken_as_prescribed_under_supervision": "no", "criteria": ["x"] * 500}, [("criteria", "choices_unknown")]),
    ({"taken_as_prescribed_under_supervision": "no", "criteria": [None, 3.5]}, [("criteria", "choices_unknown")]),
]


@pytest.mark.parametrize("data, expected", BAD_DSM5)
def test_bad_dsm5(data, expected):
    assert problems_of(Dsm5OudInput, data) == expected


def test_supervision_options_are_yes_and_no():
    assert [member.value for member in Supervision] == ["yes", "no"]


# --- medical flags --------------------------------------------------------------------------------


def test_good_medical_flags():
    parsed = parse(MedicalFlagsInput, {"flags": ["pregnancy", "alcohol_use"], "last_overdose_on": "2024-12-01"})
    assert parsed.flags == (medical_flags.MedicalFlag.PREGNANCY, medical_flags.MedicalFlag.ALCOHOL_USE)
    assert parsed.last_overdose_on == date(2024, 12, 1)
    # A future date parses: the rule says it cannot be in the future, in its own words.
    assert parse(MedicalFlagsInput, {"last_overdose_on": "2099-01-01"}).last_overdose_on == date(2099, 1, 1)
    assert parse(MedicalFlagsDraft, {"mme_per_day": "250"}).mme_per_day == Decimal(250)


BAD_MEDICAL_FLAGS = [
    (MedicalFlagsInput, {"flags": ["vampirism"]}, "form", [("flags", "choices_unknown")]),
    (MedicalFlagsInput, {"last_overdose_on": "2024-02-30"}, "form", [("last_overdose_on", "date_invalid")]),
    (MedicalFlagsInput, {"last_overdose_on": "2999-01-01"}, "form", [("last_overdose_on", "date_out_of_range")]),
    # The inquiry's MME/day is the record's, never the form's.
    (MedicalFlagsInput, {"mme_per_day": "1"}, "json", [("mme_per_day", "unknown_field")]),
    (MedicalFlagsDraft, {"mme_per_day": "lots"}, "form", [("mme_per_day", "number_invalid")]),
]


@pytest.mark.parametrize("contract, data, source, expected", BAD_MEDICAL_FLAGS)
def test_bad_medical_flags(contract, data, source, expected):
    assert problems_of(contract, data, source) == expected


# --- one regimen row: its shape ---------------------------------------------------------------------

GOOD_LINES = [
    (OXYCODONE, "form", ("oxycodone", Decimal(20), "mg", 3, mme.Purpose.PAIN)),
    ({**OXYCODONE, "dose": 20, "doses_per_day": 3}, "json", ("oxycodone", Decimal(20), "mg", 3, mme.Purpose.PAIN)),
    ({"drug": "methadone", "purpose": "oud"}, "form", ("methadone", None, None, None, mme.Purpose.OUD)),
    # Unknown medicines parse: the MME rule names what it does not know.
    ({"drug": "heroin", "dose": "-5"}, "form", ("heroin", Decimal(-5), None, None, mme.Purpose.PAIN)),
]


@pytest.mark.parametrize("data, source, expected", GOOD_LINES)
def test_good_regimen_lines(data, source, expected):
    line = parse(RegimenLineInput, data, source)
    assert (line.drug, line.dose, line.unit, line.doses_per_day, line.purpose) == expected


BAD_LINES = [
    ({"dose": "ten"}, "form", [("dose", "number_invalid")]),
    ({"dose": "1e5"}, "form", [("dose", "number_invalid")]),
    ({"dose": "9" * 5000}, "form", [("dose", "number_invalid")]),
    ({"dose": "20"}, "json", [("dose", "json_number")]),
    ({"doses_per_day": "0"}, "form", [("doses_per_day", "whole_number_invalid")]),
    ({"doses_per_day": "30"}, "form", [("doses_per_day", "whole_number_invalid")]),
    ({"doses_per_day": "9" * 5000}, "form", [("doses_per_day", "whole_number_invalid")]),
    ({"purpose": "fun"}, "form", [("purpose", "choice_unknown")]),
    ({"unit": "m" * 41}, "form", [("unit", "text_too_long")]),
    ({"colour": "blue"}, "json", [("colour", "unknown_field")]),
]


@pytest.mark.parametrize("data, source, expected", BAD_LINES)
def test_bad_regimen_lines(data, source, expected):
    assert problems_of(RegimenLineInput, data, source) == expected


def test_a_row_goes_to_the_rule_as_written():
    with pytest.raises(InvalidValue) as failure:
        parse(RegimenLineInput, {"drug": "oxycodone", "dose": "-5", "unit": "mg", "doses_per_day": "1"}).to_line()
    assert failure.value.field == "dose" and "not '-5'" in failure.value.message


# --- the regimen: blank rows, numbering, the MME rule ---------------------------------------------


def test_blank_rows_are_dropped_and_rows_keep_the_number_the_person_saw():
    parsed = parse(RegimenInput, {"regimen": [{}, {"purpose": "pain", "dose": " "}, OXYCODONE]})
    assert parsed.regimen.rows == (2,) and [line.drug for line in parsed.regimen.lines] == ["oxycodone"]
    assert parsed.regimen.result.total_mme_per_day == Decimal("90.0")
    assert [flag.code for flag in parsed.regimen.result.flags] == ["cdc2022_50", "cdc2016_90"]


@pytest.mark.parametrize("data", [{}, {"regimen": None}, {"regimen": []}, {"regimen": [{"purpose": "pain"}] * 20}])
def test_an_empty_regimen(data):
    assert parse(RegimenInput, data).regimen == Regimen()
    assert parse(RegimenDraft, data).regimen == ()


PATCH = {"drug": "fentanyl_transdermal", "dose": "25", "unit": "mcg/hr"}
BAD_REGIMENS = [
    ({"regimen": [{}, {**OXYCODONE, "drug": "heroin"}]}, "form", [("regimen-1-drug", "rule_unknown_key")]),
    ({"regimen": [{**PATCH, "doses_per_day": "2"}]}, "form", [("regimen-0-doses_per_day", "rule_invalid_value")]),
    ({"regimen": [{"drug": "oxycodone", "dose": "10"}]}, "form", [("regimen-0-unit", "rule_missing_value")]),
    ({"regimen": [{**OXYCODONE, "dose": "5000"}]}, "form", [("regimen-0-dose", "rule_invalid_value")]),
    ({"regimen": [{**OXYCODONE, "dose": "0.0001"}]}, "form", [("regimen-0-dose", "rule_invalid_value")]),
    ({"regimen": [{**OXYCODONE, "purpose": "oud"}]}, "form", [("regimen-0-purpose", "rule_invalid_value")]),
    # Shape problems and the rule's are reported together, row by row.
    (
        {"regimen": [{"drug": "heroin", "dose": "1", "unit": "mg"}, {**OXYCODONE, "dose": "ten"}]},
        "form",
        [("regimen-0-drug", "rule_unknown_key"), ("regimen-1-dose", "number_invalid")],
    ),
    ({"regimen": [{"drug": "morphine"}] * (MAX_LINES + 1)}, "form", [("regimen", "regimen_too_many")]),
    ({"regimen": "oxycodone"}, "json", [("regimen", "not_a_list")]),
    (
        {"regimen": [{**OXYCODONE, "dose": 20, "doses_per_day": 3}, "oxycodone"]},
        "json",
        [("regimen-1", "not_an_object")],
    ),
    ({"regimen": [{**OXYCODONE, "colour": "blue"}]}, "form", [("regimen-0-colour", "unknown_field")]),
]


@pytest.mark.parametrize("data, source, expected", BAD_REGIMENS)
def test_bad_regimens(data, source, expected):
    assert problems_of(RegimenInput, data, source) == expected


def test_a_rule_problem_keeps_the_rule_wording():
    with pytest.raises(ValidationFailed) as failure:
        parse(RegimenInput, {"regimen": [{}, {**OXYCODONE, "drug": "heroin"}]})
    [(field, message)] = failure.value.reasons
    assert field == "regimen-1-drug" and message.startswith("Unknown medicine 'heroin': no CDC 2022 factor.")


def test_a_draft_regimen_keeps_unfinished_rows_for_the_preview():
    parsed = parse(RegimenDraft, {"regimen": [{}, {"drug": "oxycodone"}, {**OXYCODONE, "drug": "heroin"}]})
    assert [(row.number, row.line.drug) for row in parsed.regimen] == [(1, "oxycodone"), (2, "heroin")]
    assert isinstance(parsed.regimen[0], RegimenRow)
    assert problems_of(RegimenDraft, {"regimen": [{}, {"dose": "ten"}]}) == [("regimen-1-dose", "number_invalid")]


def test_rule_errors_become_coded_problems_in_order():
    err = RuleErrors(
        [MissingValue("unit", "Choose the unit."), UnknownKey("drug", "Unknown."), InvalidValue("x", "No.")]
    )
    assert [(p.field, p.code, p.message) for p in rule_problems(err)] == [
        ("unit", "rule_missing_value", "Choose the unit."),
        ("drug", "rule_unknown_key", "Unknown."),
        ("x", "rule_invalid_value", "No."),
    ]
