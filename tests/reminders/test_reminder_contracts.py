"""The reminder pages' contracts: tables of good and bad input, worded from the message table."""

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from coordinator.contracts.reminders import CancelReminderInput, ClinicalLeadInput, ReminderFilterInput
from coordinator.domain.reminders import ClinicalLeadChoice, ReminderKind, ReminderListStatus
from coordinator.errors import ValidationFailed
from coordinator.roles import Role
from coordinator.rules.reminder_lifecycle import ReminderStatus

CONTEXT = {"today": date(2026, 5, 1), "zone": ZoneInfo("UTC")}


def parse(contract, data):
    return contract.parse(data, **CONTEXT)


def refusal(contract, data) -> list[tuple[str | None, str, str]]:
    with pytest.raises(ValidationFailed) as refused:
        parse(contract, data)
    return [(p.field, p.code, p.message) for p in refused.value.problems]


def test_the_list_status_filter_is_every_status_and_stuck():
    assert [s.value for s in ReminderListStatus] == [s.value for s in ReminderStatus] + ["stuck"]
    assert [s.label for s in ReminderListStatus][:-1] == [s.label for s in ReminderStatus]


@pytest.mark.parametrize(
    "data, expected",
    [
        ({}, dict(status=None, kind=None, due_from=None, due_to=None, page=None)),
        ({"status": "", "kind": "", "due_from": "", "due_to": "", "page": ""}, dict(status=None, page=None)),
        ({"status": "stuck"}, dict(status=ReminderListStatus.STUCK)),
        (
            {"status": "failed", "kind": "safety_flag"},
            dict(status=ReminderListStatus.FAILED, kind=ReminderKind.SAFETY_FLAG),
        ),
        ({"due_from": "2026-05-01", "due_to": "2026-05-01"}, dict(due_from=date(2026, 5, 1), due_to=date(2026, 5, 1))),
        ({"page": "3"}, dict(page=3)),
        ({"page": " 100000 "}, dict(page=100000)),
    ],
)
def test_good_filters(data, expected):
    filters = parse(ReminderFilterInput, data)
    assert {name: getattr(filters, name) for name in expected} == expected


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"status": "bogus"}, "status", "choice_unknown"),
        ({"status": "\x00"}, "status", "choice_unknown"),
        ({"kind": "x" * 5000}, "kind", "choice_unknown"),
        ({"due_from": "yesterday"}, "due_from", "date_invalid"),
        ({"due_from": "2026-13-45"}, "due_from", "date_invalid"),
        ({"due_from": "9999-12-31"}, "due_from", "date_out_of_range"),
        ({"due_to": "1999-12-31"}, "due_to", "date_too_early"),
        ({"due_from": "2026-05-02", "due_to": "2026-05-01"}, "due_to", "reminder_due_range"),
        ({"page": "0"}, "page", "whole_number_invalid"),
        ({"page": "-3"}, "page", "whole_number_invalid"),
        ({"page": "abc"}, "page", "whole_number_invalid"),
        ({"page": "10000000000000"}, "page", "whole_number_invalid"),
        ({"sort": "id"}, "sort", "unknown_field"),
    ],
)
def test_bad_filters(data, field, code):
    assert [(f, c) for f, c, _ in refusal(ReminderFilterInput, data)] == [(field, code)]


def test_the_date_range_problem_keeps_its_words():
    problems = refusal(ReminderFilterInput, {"due_from": "2026-05-02", "due_to": "2026-05-01"})
    assert problems == [("due_to", "reminder_due_range", "The end date is before the start date.")]


@pytest.mark.parametrize(
    "reason, expected",
    [("Caller asked us not to ring", "Caller asked us not to ring"), ("  padded  ", "padded"), ("x" * 120, "x" * 120)],
)
def test_good_cancel_reasons(reason, expected):
    assert parse(CancelReminderInput, {"reason": reason}).reason == expected


@pytest.mark.parametrize(
    "data, code, message",
    [
        ({}, "reminder_cancel_reason_required", "Say why the reminder is cancelled."),
        ({"reason": "   "}, "reminder_cancel_reason_required", "Say why the reminder is cancelled."),
        ({"reason": "x" * 121}, "text_too_long", "Use at most 120 characters (this has 121)."),
        ({"reason": "two\nlines"}, "text_control_character", "This text contains a character that is not allowed."),
    ],
)
def test_bad_cancel_reasons(data, code, message):
    assert refusal(CancelReminderInput, data) == [("reason", code, message)]


@pytest.mark.parametrize(
    "data, choice, role, user_id",
    [
        ({"choice": "role", "role": "case_manager"}, ClinicalLeadChoice.ROLE, Role.CASE_MANAGER, None),
        ({"choice": "role", "role": "clinician", "user_id": ""}, ClinicalLeadChoice.ROLE, Role.CLINICIAN, None),
        ({"choice": "user", "user_id": "12"}, ClinicalLeadChoice.USER, None, 12),
        ({"choice": "user", "user_id": "12", "role": "clinician"}, ClinicalLeadChoice.USER, Role.CLINICIAN, 12),
    ],
)
def test_good_clinical_lead_choices(data, choice, role, user_id):
    lead = parse(ClinicalLeadInput, data)
    assert (lead.choice, lead.role, lead.user_id) == (choice, role, user_id)


PERSON = "Choose the person who should receive safety flags."


@pytest.mark.parametrize(
    "data, expected",
    [
        ({}, [("choice", "clinical_lead_choice_required", "Choose a person or a role.")]),
        ({"choice": ""}, [("choice", "clinical_lead_choice_required", "Choose a person or a role.")]),
        ({"choice": "everyone"}, [("choice", "choice_unknown", "Choose one of the listed options (role, user).")]),
        ({"choice": "role"}, [("role", "clinical_lead_role_required", "Choose one of the roles listed.")]),
        ({"choice": "role", "role": ""}, [("role", "clinical_lead_role_required", "Choose one of the roles listed.")]),
        ({"choice": "user", "user_id": ""}, [("user_id", "choice_required", PERSON)]),
        ({"choice": "user", "user_id": "abc"}, [("user_id", "choice_required", PERSON)]),
        ({"choice": "user", "user_id": "9" * 40}, [("user_id", "choice_required", PERSON)]),
        ({"choice": "user", "user_id": "0"}, [("user_id", "choice_required", PERSON)]),
    ],
)
def test_bad_clinical_lead_choices(data, expected):
    assert refusal(ClinicalLeadInput, data) == expected


def test_an_unknown_role_names_the_roles():
    ((field, code, message),) = refusal(ClinicalLeadInput, {"choice": "role", "role": "wizard"})
    assert (field, code) == ("role", "choice_unknown")
    assert message == "Choose one of the listed options (admin, admissions, case_manager, clinician, billing)."
