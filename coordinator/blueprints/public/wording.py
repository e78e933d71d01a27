"""How the public form words problems for visitors, keyed by problem code (`contracts/messages.py`
words them for staff). Codes not listed here read the same for everyone."""

from __future__ import annotations

from coordinator.errors import ValidationFailed

VISITOR_WORDING = {
    "patient_name_required": "Please tell us their name (a first name is enough).",
    "contact_required": "Please give us a phone number or an email address, so we can get back to you.",
    "insurer_required": "Please tell us the name of the insurance company, as printed on the card (or leave all "
    "the insurance answers empty).",
    "subscriber_relationship_required": "Please tell us whose name the insurance is in.",
    "subscriber_not_expected": "Leave this empty if the insurance is in the name of the person who needs help, or "
    "tell us whose name it is in.",
    "subscriber_name_required": "Please give the policyholder's name, as printed on the card.",
    "subscriber_birth_date_required": "Please give the policyholder's date of birth.",
}


def for_visitors(failure: ValidationFailed) -> ValidationFailed:
    """The same problems, in visitors' words where they have their own."""
    return ValidationFailed([(p.field, VISITOR_WORDING.get(p.code, p.message), p.code) for p in failure.problems])
