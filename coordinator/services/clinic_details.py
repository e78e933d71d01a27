"""The clinic's details on the papers a patient can hold (quote, estimate, statement): name,
address, phone, email, how to pay, and what is billed separately unless a quote says otherwise.

Kept as `app_setting` rows an administrator edits on the settings page; each is empty until
set, and a paper leaves an empty line out. The name falls back to the CLINIC_NAME server
setting, so a fresh install still prints a name.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from flask import current_app

from coordinator.contracts.clinic_details import ClinicDetailsInput
from coordinator.models import User
from coordinator.services import settings


@dataclass(frozen=True)
class ClinicDetails:
    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    payment_details: str = ""
    billed_separately: str = ""

    @property
    def display_name(self) -> str:
        """The name printed at the top of every paper."""
        return self.name or current_app.config.get("CLINIC_NAME") or "Coordinator"


def current() -> ClinicDetails:
    """The details as stored (one query)."""
    stored = settings.get_values(settings.CLINIC_DETAILS.values())
    return ClinicDetails(**{name: stored[key] or "" for name, key in settings.CLINIC_DETAILS.items()})


def save(actor: User, data: ClinicDetailsInput) -> ClinicDetails:
    """Store the details an administrator entered (each change audited); the caller commits."""
    before = current()
    for field in fields(ClinicDetails):
        value = getattr(data, field.name) or None
        if value != (getattr(before, field.name) or None):
            settings.set_value(actor, settings.CLINIC_DETAILS[field.name], value)
    return current()
