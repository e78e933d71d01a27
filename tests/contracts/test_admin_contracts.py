"""The contracts of accounts, programs, API clients and the admin and notification filters:
tables of inputs each accepts (and what it makes of them) or refuses (with which code where)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from coordinator.contracts.accounts import (
    AccountStatus,
    ChangePasswordInput,
    NewUserInput,
    ResetPasswordInput,
    SignInInput,
    UserDetailsInput,
    UserFilterInput,
)
from coordinator.contracts.admin import (
    ApiClientInput,
    AuditFilterInput,
    BreakGlassFilterInput,
    BreakGlassShow,
)
from coordinator.contracts.notifications import NotificationFilterInput, NotificationShow
from coordinator.contracts.programs import ProgramInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AsamEdition, LevelOfCare
from coordinator.errors import ValidationFailed
from coordinator.roles import Discipline, Role

TODAY = date(2026, 3, 14)
UTC = ZoneInfo("UTC")


def parse(contract, data, source="form"):
    return contract.parse(data, source=source, today=TODAY, zone=UTC)


def codes(contract, data, source="form") -> dict:
    with pytest.raises(ValidationFailed) as refused:
        parse(contract, data, source)
    return {p.field: p.code for p in refused.value.problems}


# --- sign-in ---------------------------------------------------------------------------------------

SIGN_IN = {"email": "ana@example.org", "password": "correct horse battery staple"}


@pytest.mark.parametrize(
    "changes, email, password",
    [
        ({}, "ana@example.org", "correct horse battery staple"),
        ({"email": "  Ana@Example.ORG "}, "Ana@Example.ORG", "correct horse battery staple"),
        # Not checked as an address: an odd one is just an unknown account at sign-in.
        ({"email": "not-an-email"}, "not-an-email", "correct horse battery staple"),
        # Passwords are taken exactly as typed, spaces included.
        ({"password": "  spaced out  "}, "ana@example.org", "  spaced out  "),
        ({"password": "x" * 1024}, "ana@example.org", "x" * 1024),
    ],
)
def test_sign_in_accepts(changes, email, password):
    parsed = parse(SignInInput, {**SIGN_IN, **changes})
    assert (parsed.email, parsed.password) == (email, password)


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"email": ""}, {"email": "sign_in_email_required"}),
        ({"email": "   ", "password": ""}, {"email": "sign_in_email_required", "password": "password_required"}),
        ({"password": None}, {"password": "password_required"}),
        ({"password": "x" * 1025}, {"password": "text_too_long"}),
        ({"email": "a@b.org\nBcc: x"}, {"email": "text_control_character"}),
        ({"email": "a" * 255}, {"email": "text_too_long"}),
        ({"remember_me": "y"}, {"remember_me": "unknown_field"}),
    ],
)
def test_sign_in_refuses(changes, expected):
    assert codes(SignInInput, {**SIGN_IN, **changes}) == expected


def test_sign_in_wording_is_the_pages():
    with pytest.raises(ValidationFailed) as refused:
        parse(SignInInput, {"email": "", "password": ""})
    assert refused.value.reasons == [("email", "Enter your email."), ("password", "Enter your password.")]


# --- accounts: details, new account, passwords -------------------------------------------------------

DETAILS = {"full_name": "Nadia Nurse", "role": "clinician", "discipline": "nurse"}
NEW = {
    **DETAILS,
    "email": "nadia@example.org",
    "password": "temporary passphrase",
    "confirm_password": "temporary passphrase",
}


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, ("Nadia Nurse", Role.CLINICIAN, Discipline.NURSE)),
        ({"full_name": "  Nadia  Nurse "}, ("Nadia  Nurse", Role.CLINICIAN, Discipline.NURSE)),
        ({"role": "billing", "discipline": ""}, ("Nadia Nurse", Role.BILLING, None)),
        ({"role": Role.ADMIN, "discipline": None}, ("Nadia Nurse", Role.ADMIN, None)),
    ],
)
def test_user_details_accept(changes, expected):
    parsed = parse(UserDetailsInput, {**DETAILS, **changes})
    assert (parsed.full_name, parsed.role, parsed.discipline) == expected


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"full_name": "  "}, {"full_name": "full_name_required"}),
        ({"full_name": "x" * 121}, {"full_name": "text_too_long"}),
        ({"role": ""}, {"role": "role_required"}),
        ({"role": "superuser"}, {"role": "choice_unknown"}),
        ({"discipline": "astrologer"}, {"discipline": "choice_unknown"}),
        ({"discipline": ""}, {"discipline": "discipline_required"}),
        ({"role": "billing"}, {"discipline": "discipline_not_allowed"}),
        ({"email": "nadia@example.org"}, {"email": "unknown_field"}),
    ],
)
def test_user_details_refuse(changes, expected):
    assert codes(UserDetailsInput, {**DETAILS, **changes}) == expected


@pytest.mark.parametrize(
    "changes, email",
    [
        ({}, "nadia@example.org"),
        # The domain is normalised here; the service stores the whole address in lower case.
        ({"email": " Nadia@Example.ORG "}, "Nadia@example.org"),
        # The reserved .test domain is accepted (the demo accounts use it), like example.org.
        ({"email": "admin@demo.coordinator.test"}, "admin@demo.coordinator.test"),
    ],
)
def test_new_user_accepts(changes, email):
    parsed = parse(NewUserInput, {**NEW, **changes})
    assert parsed.email == email and parsed.password == "temporary passphrase"


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"email": ""}, {"email": "work_email_required"}),
        ({"email": "not-an-email"}, {"email": "email_invalid"}),
        ({"email": "someone@localhost"}, {"email": "email_invalid"}),
        (
            {"password": "", "confirm_password": ""},
            {"password": "password_required", "confirm_password": "password_repeat_required"},
        ),
        ({"confirm_password": "something else entirely"}, {"confirm_password": "passwords_differ"}),
        # Cross-field rules wait until every field parses, then all show at once.
        (
            {"role": "billing", "confirm_password": "something else"},
            {"discipline": "discipline_not_allowed", "confirm_password": "passwords_differ"},
        ),
        ({"password": 12345678901234}, {"password": "text_type"}),
    ],
)
def test_new_user_refuses(changes, expected):
    assert codes(NewUserInput, {**NEW, **changes}) == expected


def test_new_user_passwords_are_not_stripped():
    parsed = parse(NewUserInput, {**NEW, "password": " padded phrase ", "confirm_password": " padded phrase "})
    assert parsed.password == " padded phrase "
    assert codes(NewUserInput, {**NEW, "password": " padded phrase ", "confirm_password": "padded phrase"}) == {
        "confirm_password": "passwords_differ"
    }


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"password": "fresh temporary one", "confirm_password": "fresh temporary one"}, None),
        # The policy needs the account (its email and name): the service applies it.
        ({"password": "short", "confirm_password": "short"}, None),
        ({"password": "fresh temporary one", "confirm_password": ""}, {"confirm_password": "password_repeat_required"}),
        (
            {"password": "fresh temporary one", "confirm_password": "fresh temporary two"},
            {"confirm_password": "passwords_differ"},
        ),
        ({"password": "fresh temporary one"}, {"confirm_password": "password_repeat_required"}),
    ],
)
def test_reset_password(data, expected):
    if expected is None:
        assert parse(ResetPasswordInput, data).password == data["password"]
    else:
        assert codes(ResetPasswordInput, data) == expected


CHANGE = {
    "current_password": "old passphrase",
    "new_password": "new passphrase!",
    "confirm_password": "new passphrase!",
}


def test_change_password_accepts():
    parsed = parse(ChangePasswordInput, CHANGE)
    assert (parsed.current_password, parsed.new_password) == ("old passphrase", "new passphrase!")


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"current_password": ""}, {"current_password": "password_required"}),
        # The repeat is compared only once both parse.
        ({"new_password": ""}, {"new_password": "password_required"}),
        ({"confirm_password": "another one"}, {"confirm_password": "passwords_differ"}),
        ({"current_password": ["a", "b"]}, {"current_password": "text_type"}),
    ],
)
def test_change_password_refuses(changes, expected):
    assert codes(ChangePasswordInput, {**CHANGE, **changes}) == expected


def test_password_wording_names_what_is_missing():
    with pytest.raises(ValidationFailed) as refused:
        parse(ChangePasswordInput, {})
    assert refused.value.reasons == [
        ("current_password", "Enter your current password."),
        ("new_password", "Enter a new password."),
        ("confirm_password", "Repeat the new password."),
    ]


# --- the user list's filter --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        ({}, (None, None, None, None)),
        ({"q": "", "role": "", "status": "", "page": ""}, (None, None, None, None)),
        (
            {"q": " zed ", "role": "billing", "status": "inactive", "page": "2"},
            ("zed", Role.BILLING, AccountStatus.INACTIVE, 2),
        ),
        ({"q": "%"}, ("%", None, None, None)),
    ],
)
def test_user_filter_accepts(data, expected):
    parsed = parse(UserFilterInput, data)
    assert (parsed.q, parsed.role, parsed.status, parsed.page) == expected


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"role": "superuser"}, {"role": "choice_unknown"}),
        ({"status": "deleted"}, {"status": "choice_unknown"}),
        ({"page": "0"}, {"page": "whole_number_invalid"}),
        ({"page": "-3"}, {"page": "whole_number_invalid"}),
        ({"page": "100001"}, {"page": "whole_number_invalid"}),
        ({"q": "x" * 101}, {"q": "text_too_long"}),
        ({"sort": "name"}, {"sort": "unknown_field"}),
    ],
)
def test_user_filter_refuses(data, expected):
    assert codes(UserFilterInput, data) == expected


# --- programs ------------------------------------------------------------------------------------

PROGRAM = {
    "name": "Residential — Chiang Mai",
    "level_of_care": "residential",
    "asam_edition": "fourth_2023",
    "asam_level": "3.7",
    "capacity": "24",
    "is_active": "y",
}


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, (LevelOfCare.RESIDENTIAL, AsamEdition.FOURTH, "3.7", 24, True)),
        ({"is_active": ""}, (LevelOfCare.RESIDENTIAL, AsamEdition.FOURTH, "3.7", 24, False)),
        ({"capacity": " 10000 "}, (LevelOfCare.RESIDENTIAL, AsamEdition.FOURTH, "3.7", 10000, True)),
        (
            {"level_of_care": "php", "asam_edition": "third_2013", "asam_level": "2.5", "capacity": "1"},
            (LevelOfCare.PHP, AsamEdition.THIRD, "2.5", 1, True),
        ),
        (
            {"level_of_care": "partner_hospital_detox", "asam_edition": "third_2013", "asam_level": " 4-WM "},
            (LevelOfCare.PARTNER_HOSPITAL_DETOX, AsamEdition.THIRD, "4-WM", 24, True),
        ),
    ],
)
def test_program_accepts(changes, expected):
    parsed = parse(ProgramInput, {**PROGRAM, **changes})
    assert (parsed.level_of_care, parsed.asam_edition, parsed.asam_level, parsed.capacity, parsed.is_active) == expected


def test_program_left_out_is_active_by_default():
    data = {k: v for k, v in PROGRAM.items() if k != "is_active"}
    assert parse(ProgramInput, data).is_active is True
    assert parse(ProgramInput, {**PROGRAM, "capacity": 12, "is_active": True}, source="json").capacity == 12


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"name": " "}, {"name": "program_name_required"}),
        ({"name": "x" * 121}, {"name": "text_too_long"}),
        ({"level_of_care": ""}, {"level_of_care": "level_of_care_required"}),
        ({"level_of_care": "spa"}, {"level_of_care": "choice_unknown"}),
        ({"asam_edition": ""}, {"asam_edition": "asam_edition_required"}),
        ({"asam_edition": "fifth"}, {"asam_edition": "choice_unknown"}),
        ({"asam_level": ""}, {"asam_level": "asam_level_required"}),
        ({"asam_level": "3.7.1.2.3.4"}, {"asam_level": "text_too_long"}),
        ({"asam_level": "3.3"}, {"asam_level": "asam_level_invalid"}),  # not in the 4th edition
        ({"asam_level": "2.1"}, {"asam_level": "asam_level_invalid"}),  # IOP, not residential
        ({"capacity": ""}, {"capacity": "capacity_required"}),
        ({"capacity": "0"}, {"capacity": "whole_number_invalid"}),
        ({"capacity": "10001"}, {"capacity": "whole_number_invalid"}),
        ({"capacity": "12.5"}, {"capacity": "whole_number_invalid"}),
        ({"capacity": "twelve"}, {"capacity": "whole_number_invalid"}),
        ({"is_active": "maybe"}, {"is_active": "yes_no"}),
        ({"census": "3"}, {"census": "unknown_field"}),
    ],
)
def test_program_refuses(changes, expected):
    assert codes(ProgramInput, {**PROGRAM, **changes}) == expected


def test_program_level_wording_comes_from_the_asam_rule():
    with pytest.raises(ValidationFailed) as refused:
        parse(ProgramInput, {**PROGRAM, "asam_level": "2.1"})
    assert "does not fit this level of care; use 3.1 or 3.5 or 3.7" in refused.value.reasons[0][1]


def test_program_capacity_from_json_must_be_a_number():
    assert codes(ProgramInput, {**PROGRAM, "capacity": "12", "is_active": True}, source="json") == {
        "capacity": "json_integer"
    }


# --- API clients ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Website inquiry form", "Website inquiry form"),
        ("  Referral partner A ", "Referral partner A"),
        ("x" * 120, "x" * 120),
    ],
)
def test_api_client_accepts(name, expected):
    assert parse(ApiClientInput, {"name": name}).name == expected


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"name": ""}, {"name": "api_client_name_required"}),
        ({"name": "   "}, {"name": "api_client_name_required"}),
        ({}, {"name": "api_client_name_required"}),
        ({"name": "x" * 121}, {"name": "text_too_long"}),
        ({"name": "nul\x00byte"}, {"name": "text_control_character"}),
        ({"name": "two\nlines"}, {"name": "text_control_character"}),
        ({"name": "Website", "key": "coord_x"}, {"key": "unknown_field"}),
    ],
)
def test_api_client_refuses(data, expected):
    assert codes(ApiClientInput, data) == expected


# --- the audit log search -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        ({}, (None, None, None, None, None, None, None)),
        ({"actor": "user:12"}, (12, None, None, None, None, None, None)),
        ({"actor": "label:anonymous"}, (None, "anonymous", None, None, None, None, None)),
        ({"actor": "label:api_client:3"}, (None, "api_client:3", None, None, None, None, None)),
        ({"action": "user_viewed"}, (None, None, AuditAction.USER_VIEWED, None, None, None, None)),
        (
            {"entity_type": " user ", "entity_id": "42", "date_from": "2026-03-01", "date_to": "2026-03-14"},
            (None, None, None, "user", "42", date(2026, 3, 1), date(2026, 3, 14)),
        ),
        (
            {"actor": "", "action": "", "entity_type": "", "entity_id": "", "date_from": "", "date_to": "", "page": ""},
            (None, None, None, None, None, None, None),
        ),
    ],
)
def test_audit_filter_accepts(data, expected):
    parsed = parse(AuditFilterInput, data)
    found = (
        parsed.actor_user_id,
        parsed.actor_label,
        parsed.action,
        parsed.entity_type,
        parsed.entity_id,
        parsed.date_from,
        parsed.date_to,
    )
    assert found == expected


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"actor": "user:abc"}, {"actor": "audit_actor_unknown"}),
        ({"actor": "user:0"}, {"actor": "audit_actor_unknown"}),
        ({"actor": "user:9999999999"}, {"actor": "audit_actor_unknown"}),  # past 2**31 - 1
        ({"actor": "someone"}, {"actor": "audit_actor_unknown"}),
        ({"actor": "label:"}, {"actor": "audit_actor_unknown"}),
        ({"action": "rewrote_history"}, {"action": "choice_unknown"}),
        ({"date_from": "not-a-date"}, {"date_from": "date_invalid"}),
        ({"date_to": "2026-02-30"}, {"date_to": "date_invalid"}),
        ({"date_from": "9999-01-01"}, {"date_from": "date_out_of_range"}),
        ({"entity_id": "x" * 65}, {"entity_id": "text_too_long"}),
        ({"page": "-3"}, {"page": "whole_number_invalid"}),
        ({"detail": "anything"}, {"detail": "unknown_field"}),
    ],
)
def test_audit_filter_refuses(data, expected):
    assert codes(AuditFilterInput, data) == expected


# --- the break-the-glass log and the notification list -------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        ({}, (BreakGlassShow.UNREVIEWED, None)),
        ({"show": ""}, (BreakGlassShow.UNREVIEWED, None)),
        ({"show": "all", "page": "3"}, (BreakGlassShow.ALL, 3)),
    ],
)
def test_break_glass_filter_accepts(data, expected):
    parsed = parse(BreakGlassFilterInput, data)
    assert (parsed.show, parsed.page) == expected


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"show": "everything"}, {"show": "choice_unknown"}),
        ({"page": "abc"}, {"page": "whole_number_invalid"}),
    ],
)
def test_break_glass_filter_refuses(data, expected):
    assert codes(BreakGlassFilterInput, data) == expected


@pytest.mark.parametrize(
    "data, expected",
    [
        ({}, (NotificationShow.ALL, None)),
        ({"show": "unread", "page": "2"}, (NotificationShow.UNREAD, 2)),
        ({"show": "all", "page": "100000"}, (NotificationShow.ALL, 100000)),
    ],
)
def test_notification_filter_accepts(data, expected):
    parsed = parse(NotificationFilterInput, data)
    assert (parsed.show, parsed.page) == expected


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"show": "everything"}, {"show": "choice_unknown"}),
        ({"page": "0"}, {"page": "whole_number_invalid"}),
        ({"page": "abc"}, {"page": "whole_number_invalid"}),
        ({"page": "99999999999"}, {"page": "whole_number_invalid"}),
        ({"page": "1e3"}, {"page": "whole_number_invalid"}),
    ],
)
def test_notification_filter_refuses(data, expected):
    assert codes(NotificationFilterInput, data) == expected


# --- JSON Schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "contract",
    [
        SignInInput,
        NewUserInput,
        UserDetailsInput,
        ResetPasswordInput,
        ChangePasswordInput,
        UserFilterInput,
        ProgramInput,
        ApiClientInput,
        AuditFilterInput,
        BreakGlassFilterInput,
        NotificationFilterInput,
    ],
)
def test_every_contract_has_a_json_schema(contract):
    schema = contract.model_json_schema()
    assert set(schema["properties"]) == set(contract.model_fields)
    assert schema.get("additionalProperties") is False
