"""Input contract for the clinic's details printed on quotes, estimates and statements.

Every field may be left empty (the papers leave that line out); each is at most what one
`app_setting` row holds (200 characters).
"""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract

SETTING_LIMIT = 200


class ClinicDetailsInput(Contract):
    """The header and payment lines of the papers a patient can hold."""

    name: values.text(SETTING_LIMIT, what="clinic name")
    address: values.text(SETTING_LIMIT, multiline=True, what="address")
    phone: values.phone(limit=40)
    email: values.email(limit=SETTING_LIMIT)
    payment_details: values.text(SETTING_LIMIT, multiline=True, what="payment details")
    billed_separately: values.text(SETTING_LIMIT, multiline=True, what="what is billed separately")
