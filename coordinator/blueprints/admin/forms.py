"""Forms for staff accounts, the audit log search and the buttons of the admin pages.

They render and check CSRF; their contracts (`contracts/accounts.py`, `contracts/admin.py`) parse
what was sent, so select fields keep whatever was posted (`validate_choice=False`) for the
contract to word one way everywhere.
"""

from flask import flash
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField

from coordinator.blueprints.forms import ContractForm, date_input, submit, text_input
from coordinator.contracts import accounts, admin
from coordinator.contracts.accounts import (
    AccountStatus,
    NewUserInput,
    ResetPasswordInput,
    UserDetailsInput,
    UserFilterInput,
)
from coordinator.contracts.admin import AuditFilterInput
from coordinator.domain.audit import AuditAction
from coordinator.roles import Discipline, Role


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def select(label: str, pairs, **kwargs) -> SelectField:
    """A select box whose posted value the contract checks (so it words a bad one)."""
    return SelectField(label, choices=choices(pairs), validate_choice=False, **kwargs)


class ConfirmForm(ContractForm):
    """A button with no fields: its CSRF token is what protects the state-changing buttons."""


def press_button(form: ContractForm, operation, *args, done: str, refused: str = "danger") -> None:
    """Run a button's use case (`submit`) and flash `done`, or why the rules refused it: a button
    has no field to show a problem by, and the administrator should read it on the page they
    were on rather than on an error page."""
    if not form.validate_on_submit():
        return
    if submit(form, operation, *args):
        flash(done, "success")
    for message in form.form_errors:
        flash(message, refused)


class EditUserForm(ContractForm):
    contract = UserDetailsInput

    full_name = text_input("Full name", accounts.NAME_LIMIT)
    role = select("Role", Role.choices())
    discipline = select(
        "Discipline",
        [("", "— not a clinician —")] + Discipline.choices(),
        description="Clinicians only: physician, psychiatrist, therapist, nurse and so on.",
    )


class NewUserForm(EditUserForm):
    contract = NewUserInput

    # No role is preselected: an account must never become an administrator by default.
    role = select("Role", [("", "— choose a role —")] + Role.choices(), default="")
    email = EmailField("Email", render_kw={"maxlength": accounts.EMAIL_LIMIT})
    password = PasswordField(
        "Temporary password",
        description="Give it to the person privately. They must choose their own at first sign-in.",
    )
    confirm_password = PasswordField("Repeat the temporary password")


class ResetPasswordForm(ContractForm):
    contract = ResetPasswordInput

    password = PasswordField(
        "New temporary password",
        description="The person must choose their own password at their next sign-in. Their open sessions end now.",
    )
    confirm_password = PasswordField("Repeat it")


class UserFilterForm(ContractForm):
    contract = UserFilterInput

    class Meta:
        csrf = False  # a GET search form changes nothing

    q = text_input("Name or email", accounts.SEARCH_LIMIT)
    role = select("Role", [("", "Any role")] + Role.choices())
    status = select("Status", [("", "Active and inactive")] + AccountStatus.choices())
    page = StringField()
    cursor = StringField()  # from the pager's links; not rendered in the form


class AuditFilterForm(ContractForm):
    contract = AuditFilterInput

    class Meta:
        csrf = False

    q = text_input("Words or record number", admin.AUDIT_WORDS_LIMIT)
    actor = select("Actor", [])  # the view offers every account (audit_search.actor_choices)
    action = select("Action", [("", "Any action")] + AuditAction.choices())
    entity_type = text_input("Record type", admin.AUDIT_TEXT_LIMIT)
    entity_id = text_input("Record id", admin.AUDIT_TEXT_LIMIT)
    date_from = date_input("From")
    date_to = date_input("To")
    page = StringField()
    cursor = StringField()  # from the pager's links; not rendered in the form
