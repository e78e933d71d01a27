"""Input contracts for staff accounts: signing in, creating and editing accounts, passwords, and
the user list's filters.

Passwords are taken exactly as typed (`values.password`); whether a new one meets the policy
depends on whose account it is (not their email, not their name), so `services/accounts.py`
applies `coordinator/passwords.py` once it knows the account. The codes it uses are worded here.
"""

from __future__ import annotations

from collections.abc import Iterator

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.messages import define
from coordinator.contracts.values.cursor import list_cursor
from coordinator.domain.labelled import LabelledStrEnum
from coordinator.errors import Problem
from coordinator.roles import Discipline, Role

NAME_LIMIT = 120
EMAIL_LIMIT = 254
# Long passphrases are welcome; megabyte ones are an attack on the hasher.
TYPED_PASSWORD_LIMIT = 1024
SEARCH_LIMIT = 100
MAX_PAGE = 100000

define(
    {
        "sign_in_email_required": "Enter your email.",
        "sign_in_failed": "The email or password is not correct, or the account is not active.",
        "password_required": "Enter {what}.",
        "password_repeat_required": "Repeat {what}.",
        "passwords_differ": "The passwords do not match.",
        "password_length": "Use {minimum} to {maximum} characters.",
        "password_has_email": "Do not use your email address in your password.",
        "password_has_name": "Do not use your name in your password.",
        "password_too_simple": "Use a password with more variety than a repeated character or two.",
        "password_common": (
            "This password is one of the most common ones, which attackers try first (changing letters for "
            "look-alike symbols or adding digits does not help). A few unrelated words make a strong one."
        ),
        "password_not_current": "That is not your current password.",
        "password_unchanged": "Choose a password different from the current one.",
        "full_name_required": "Enter the person's full name.",
        "work_email_required": "Enter the person's work email.",
        "email_taken": "An account with this email already exists.",
        "role_required": "Choose a role.",
        "discipline_required": "Choose the clinician's discipline.",
        "discipline_not_allowed": "Only clinicians have a discipline; leave it empty for this role.",
        "last_admin_role": "This is the last active administrator; make someone else an administrator first.",
        "last_admin_deactivation": "This is the last active administrator.",
        "own_account_deactivation": "You cannot deactivate your own account.",
        "account_already_inactive": "This account is already deactivated.",
        "account_already_active": "This account is already active.",
        "sign_in_unlock_unavailable": "Sign-in could not be unlocked: the store of sign-in limits (Redis) is not reachable.",
    }
)


class AccountStatus(LabelledStrEnum):
    """The user list's status filter."""

    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


def _repeated(password: str | None, repeat: str | None, field: str) -> Iterator[Problem]:
    if password != repeat:
        yield problem(field, "passwords_differ")


class SignInInput(Contract):
    """An email and password typed at the sign-in page."""

    # Looked up as typed (trimmed, any case), not checked as an address: a malformed one is
    # simply an unknown account, with the same answer and the same audit row as any other.
    email: values.text(EMAIL_LIMIT, required="sign_in_email_required")
    password: values.password(limit=TYPED_PASSWORD_LIMIT, required="password_required", what="your password")


class UserDetailsInput(Contract):
    """A staff member's name, role and (clinicians only) discipline, as an administrator edits them."""

    full_name: values.text(NAME_LIMIT, required="full_name_required")
    role: values.choice(Role, required="role_required")
    discipline: values.choice(Discipline)

    def problems(self):
        if self.role == Role.CLINICIAN and self.discipline is None:
            yield problem("discipline", "discipline_required")
        if self.role != Role.CLINICIAN and self.discipline is not None:
            yield problem("discipline", "discipline_not_allowed")


class NewUserInput(UserDetailsInput):
    """A new staff account: its details, work email and a temporary password typed twice."""

    email: values.email(limit=EMAIL_LIMIT, required="work_email_required")
    password: values.password(limit=TYPED_PASSWORD_LIMIT, required="password_required", what="a temporary password")
    confirm_password: values.password(
        limit=TYPED_PASSWORD_LIMIT, required="password_repeat_required", what="the temporary password"
    )

    def problems(self):
        yield from super().problems()
        yield from _repeated(self.password, self.confirm_password, "confirm_password")


class ResetPasswordInput(Contract):
    """A temporary password an administrator sets for someone, typed twice."""

    password: values.password(limit=TYPED_PASSWORD_LIMIT, required="password_required", what="a temporary password")
    confirm_password: values.password(
        limit=TYPED_PASSWORD_LIMIT, required="password_repeat_required", what="the temporary password"
    )

    def problems(self):
        return _repeated(self.password, self.confirm_password, "confirm_password")


class ChangePasswordInput(Contract):
    """One's own new password, with the current one as proof."""

    current_password: values.password(
        limit=TYPED_PASSWORD_LIMIT, required="password_required", what="your current password"
    )
    new_password: values.password(limit=TYPED_PASSWORD_LIMIT, required="password_required", what="a new password")
    confirm_password: values.password(
        limit=TYPED_PASSWORD_LIMIT, required="password_repeat_required", what="the new password"
    )

    def problems(self):
        return _repeated(self.new_password, self.confirm_password, "confirm_password")


class UserFilterInput(Contract):
    """The user list's search: a name or email fragment, a role, a status and a page."""

    q: values.text(SEARCH_LIMIT)
    role: values.choice(Role)
    status: values.choice(AccountStatus)
    page: values.whole_number(what="page", minimum=1, maximum=MAX_PAGE)  # old links; pages are cursors now
    cursor: list_cursor()
