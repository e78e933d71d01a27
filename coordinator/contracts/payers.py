"""Input contract for payers (reference data kept by administrators)."""

from __future__ import annotations

import re

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.messages import define

PAYER_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-]{0,79}$")
NAME_LIMIT = 120
CODE_LIMIT = 80
NOTES_LIMIT = 2000

define(
    {
        "payer_name_required": "Enter the payer's name.",
        "payer_name_taken": "Another payer already has this name.",
        "payer_code_invalid": "Use letters, digits, spaces, dots and dashes (at most 80), "
        "as the payer's id appears on its 271 responses.",
    }
)


class PayerInput(Contract):
    """A payer as an administrator enters or edits it."""

    name: values.text(NAME_LIMIT, required="payer_name_required")
    payer_code: values.text(CODE_LIMIT)
    phone: values.phone()
    notes: values.text(NOTES_LIMIT, multiline=True)
    is_active: values.yes_no(default=True)

    def problems(self):
        if self.payer_code and not PAYER_CODE_RE.match(self.payer_code):
            yield problem("payer_code", "payer_code_invalid")
