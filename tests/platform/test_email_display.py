"""Internationalized email domains are shown with their punycode form (issue 11, item 11b).

Addresses are stored as email-validator normalises them: the domain in its Unicode display form,
even when it was typed as punycode. A look-alike domain (a Cyrillic "а" in "pаypal.com") then
reads like the real one; wherever staff see an address, the ASCII form follows it.
"""

from __future__ import annotations

import pytest

from coordinator.contracts import values
from coordinator.roles import Role
from coordinator.templating import email_address
from tests.fixtures.users import PASSWORD, login_as, make_user

LOOK_ALIKE = "p\u0430ypal.com"  # a Cyrillic "а"


@pytest.mark.parametrize(
    "address, ascii_form",
    [
        ("ana@bücher.example", "xn--bcher-kva.example"),
        ("ana@例え.テスト", "xn--r8jz45g.xn--zckzah"),
        (f"billing@{LOOK_ALIKE}", "xn--pypal-4ve.com"),
        ("ana@example.org", None),
        ("", None),
        (None, None),
    ],
)
def test_the_ascii_form_of_an_internationalized_domain(address, ascii_form):
    assert values.ascii_domain(address) == ascii_form


def test_the_filter_shows_both_forms_and_escapes_them():
    assert str(email_address("ana@example.org")) == "ana@example.org"
    shown = str(email_address("ana@bücher.example"))
    assert shown.startswith("ana@bücher.example <span") and "(xn--bcher-kva.example)" in shown
    assert "&lt;" in str(email_address("<b>@example.org"))
    assert str(email_address(None)) == ""


def test_a_punycode_address_typed_is_stored_in_display_form_and_shown_with_punycode(app, client, create_inquiry):
    inquiry = create_inquiry(caller_email="ana@xn--bcher-kva.example", patient_email=f"dan@{LOOK_ALIKE}")
    assert inquiry.caller_email == "ana@bücher.example"  # what email-validator keeps
    login_as(client, make_user(app, Role.ADMISSIONS))
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "ana@bücher.example <span" in page and "(xn--bcher-kva.example)" in page
    assert f"dan@{LOOK_ALIKE}" in page and "(xn--pypal-4ve.com)" in page


def test_user_admin_shows_the_punycode_form(app, admin_client, create_user):
    user = create_user(Role.CLINICIAN, email="lea@bücher.example")
    listing = admin_client.get("/admin/users").get_data(as_text=True)
    assert "lea@bücher.example <span" in listing and "(xn--bcher-kva.example)" in listing
    edit = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "(xn--bcher-kva.example)" in edit


@pytest.mark.parametrize("typed", ["lea@xn--bcher-kva.example", "Lea@Bücher.example", " lea@XN--BCHER-KVA.example "])
def test_an_internationalized_address_signs_in_in_either_form(client, create_user, typed):
    # A browser's <input type=email> sends the domain as punycode; accounts keep the display form.
    create_user(Role.ADMISSIONS, email="lea@bücher.example")
    assert client.login(typed, PASSWORD).status_code == 302


def test_display_domain_decodes_punycode_only():
    assert values.display_domain("ana@xn--bcher-kva.example") == "ana@bücher.example"
    assert values.display_domain("ana@example.org") == "ana@example.org"
    assert values.display_domain("ana@xn--bad--.example") == "ana@xn--bad--.example"
    assert values.display_domain("no-at-sign") == "no-at-sign"
