"""Where a private-pay quote stands, the moves it may make, and when it has expired.

issued -> accepted (the total is charged as a program fee) or withdrawn; both are final.
Expiry is not a stored status: an issued quote whose "valid until" day has passed reads as
expired and can no longer be accepted (it can still be withdrawn, to tidy the list).
"""

from __future__ import annotations

from datetime import date, timedelta

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.transitions import Lifecycle

# A quote's validity offered by default (staff may change or clear it): long enough for a
# family to arrange the money, short enough that fee changes reach new quotes.
DEFAULT_VALIDITY_DAYS = 30


class QuoteStatus(LabelledStrEnum):
    ISSUED = "issued", "Issued"
    ACCEPTED = "accepted", "Accepted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class QuoteAction(LabelledStrEnum):
    ACCEPT = "accept", "Accept"
    WITHDRAW = "withdraw", "Withdraw"


S, A = QuoteStatus, QuoteAction
TRANSITIONS: dict[tuple[QuoteStatus, QuoteAction], QuoteStatus] = {
    (S.ISSUED, A.ACCEPT): S.ACCEPTED,
    (S.ISSUED, A.WITHDRAW): S.WITHDRAWN,
}
del S, A
LIFECYCLE = Lifecycle("quote", TRANSITIONS)


def default_valid_until(today: date) -> date:
    """The "valid until" day a new quote is offered with."""
    return today + timedelta(days=DEFAULT_VALIDITY_DAYS)


def is_expired(status: QuoteStatus, valid_until: date | None, today: date) -> bool:
    """Whether an issued quote's validity has run out (a decided quote never expires)."""
    return status is QuoteStatus.ISSUED and valid_until is not None and valid_until < today


def actions(status: QuoteStatus, valid_until: date | None, today: date) -> tuple[QuoteAction, ...]:
    """What staff may do with the quote today: the lifecycle's moves, less accepting an expired one."""
    expired = is_expired(status, valid_until, today)
    return tuple(a for a in LIFECYCLE.actions_from(status) if not (expired and a is QuoteAction.ACCEPT))
