"""Input contracts of multi-factor sign-in: a code typed at sign-in or to confirm enrolment, and
what proves it is you when you switch it off. Spaces and dashes people type inside codes are
dropped; whether the code is right is `services/mfa.py`'s question."""

from __future__ import annotations

import re

from coordinator.contracts import values
from coordinator.contracts.accounts import TYPED_PASSWORD_LIMIT
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.messages import define

CODE_LIMIT = 40

define(
    {
        "mfa_code_required": "Enter the 6-digit code from your authenticator app.",
        "mfa_code_or_recovery_required": "Enter the 6-digit code from your authenticator app, or a recovery code.",
        "mfa_code_wrong": "That code is not right, or was already used. Enter the current code from your app.",
        "mfa_proof_required": "Enter a current code from your app or your password.",
        "mfa_password_wrong": "That is not your password.",
        "mfa_required_for_admins": "Administrators must sign in with a second factor; it cannot be switched off.",
        "mfa_already_enabled": "Multi-factor sign-in is already on for this account.",
        "mfa_not_enabled": "Multi-factor sign-in is not on for this account.",
    }
)

_SEPARATORS = re.compile(r"[\s\-]+")


def compact_code(value: str | None) -> str | None:
    """A code as compared: without spaces or dashes, lower case (recovery codes are letters)."""
    return _SEPARATORS.sub("", value).lower() if value else None


class CodeInput(Contract):
    """A 6-digit code from the authenticator app (or, at sign-in, a recovery code)."""

    code: values.text(CODE_LIMIT, required="mfa_code_required")

    @property
    def compact(self) -> str:
        return compact_code(self.code) or ""


class SignInCodeInput(CodeInput):
    code: values.text(CODE_LIMIT, required="mfa_code_or_recovery_required")


class DisableMfaInput(Contract):
    """Switching multi-factor sign-in off: a current code or one's password."""

    code: values.text(CODE_LIMIT)
    password: values.password(limit=TYPED_PASSWORD_LIMIT)

    def problems(self):
        if not self.code and not self.password:
            yield problem("code", "mfa_proof_required")
