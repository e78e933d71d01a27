"""The password policy: common passwords (the bundled list, no network) and passwords that are
mostly the person's email or name are refused on every way a password is set."""

import pytest

from coordinator.passwords import COMMON_PASSWORDS_FILE, common_passwords, is_common, password_problems
from coordinator.roles import Role
from tests.fixtures.users import PASSWORD

COMMON_MESSAGE = "This password is one of the most common ones"


def test_the_bundled_list_is_the_most_common_passwords_in_lower_case():
    listed = common_passwords()
    assert len(listed) > 19_000
    first = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()[:4]
    assert first == ["123456", "123456789", "qwerty", "password"]
    assert all(entry == entry.lower() for entry in listed)


@pytest.mark.parametrize(
    "password",
    [
        "password1234",  # on the list as it is
        "PASSWORD1234",  # case does not matter
        "Password2024!",  # a listed word with digits and symbols around it
        "p@ssw0rd123456",  # look-alike characters
        "iloveyouiloveyou",  # a listed password repeated
        "qwertyuiop[]",
        "  international  ",
        "Administrator1",
    ],
)
def test_common_passwords_are_refused(password):
    assert is_common(password)
    assert password_problems(password, email="someone@example.org", full_name="Sam Someone") == ["password_common"]


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "a brand new passphrase",
        "coordinator-demo",
        "nadia loves mountain biking",
        "violet tractor umbrella 42",
    ],
)
def test_uncommon_passphrases_pass(password):
    assert password_problems(password, email="nadia.k@example.org", full_name="Nadia Nurse") == []


@pytest.mark.parametrize(
    "password, code",
    [
        ("Nadia.Nurse1985", "password_has_name"),
        ("NadiaNurse!2024", "password_has_name"),
        ("nurse nadia 1999", "password_has_name"),
        ("nkowalska2024!", "password_has_email"),
        ("kowalska-nadia-19", "password_has_name"),
        ("nadia-password", "password_common"),  # a common password once the name is taken out
    ],
)
def test_passwords_that_are_mostly_the_email_or_name_are_refused(password, code):
    problems = password_problems(password, email="nkowalska@example.org", full_name="Nadia Kowalska")
    assert code in problems


FIRST = {
    "full_name": "Nadia Nurse",
    "email": "nadia@example.org",
    "role": "clinician",
    "discipline": "nurse",
}


def test_an_admin_cannot_create_an_account_with_a_common_password(admin_client):
    response = admin_client.post_form(
        "/admin/users/new", {**FIRST, "password": "Password2024!", "confirm_password": "Password2024!"}
    )
    assert response.status_code == 200
    assert COMMON_MESSAGE in response.get_data(as_text=True)


def test_an_admin_cannot_reset_to_a_common_password(admin_client, create_user):
    user = create_user(Role.BILLING)
    response = admin_client.post_form(
        f"/admin/users/{user.id}/password", {"password": "qwerty123456", "confirm_password": "qwerty123456"}
    )
    assert response.status_code == 200
    assert COMMON_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("must_change", [False, True], ids=["own change", "first sign-in"])
def test_nobody_changes_their_own_password_to_a_common_one(client, create_user, must_change):
    user = create_user(Role.ADMISSIONS, full_name="Ana Admissions", must_change_password=must_change)
    assert client.login(user.email, PASSWORD).status_code == 302
    for new in ("iloveyou12345", "Ana.Admissions1"):
        response = client.post_form(
            "/account/password", {"current_password": PASSWORD, "new_password": new, "confirm_password": new}
        )
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert COMMON_MESSAGE in body or "Do not use your name in your password." in body


def test_a_common_password_is_refused_from_the_command_line(runner, app):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "a@example.org",
            "--name",
            "Al",
            "--role",
            "admin",
            "--password",
            "password1234",
        ]
    )
    assert result.exit_code == 1
    assert "most common" in result.output
