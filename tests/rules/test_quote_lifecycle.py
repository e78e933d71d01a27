"""The quote lifecycle: issued -> accepted | withdrawn, both final; every (status, action) pair
walked, and expiry (not a stored status) taking "accept" away from an issued quote."""

import itertools
from datetime import date, timedelta

import pytest

from coordinator.rules.errors import InvalidTransition
from coordinator.rules.quote_lifecycle import (
    DEFAULT_VALIDITY_DAYS,
    LIFECYCLE,
    TRANSITIONS,
    QuoteAction,
    QuoteStatus,
    actions,
    default_valid_until,
    is_expired,
)

# The agreed table, in plain strings, so a change to the module must change this too.
EXPECTED = {("issued", "accept"): "accepted", ("issued", "withdraw"): "withdrawn"}
TODAY = date(2026, 3, 15)


def test_the_table_is_exactly_the_agreed_one():
    assert {(s.value, a.value): t.value for (s, a), t in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("status, action", list(itertools.product(QuoteStatus, QuoteAction)))
def test_every_pair_is_allowed_exactly_when_the_table_says(status, action):
    expected = EXPECTED.get((status.value, action.value))
    if expected is not None:
        assert LIFECYCLE.allows(status, action)
        assert LIFECYCLE.next(status, action) is QuoteStatus(expected)
    else:
        assert not LIFECYCLE.allows(status, action)
        with pytest.raises(InvalidTransition) as refused:
            LIFECYCLE.next(status, action)
        assert refused.value.message == f"This quote is {status.label.lower()}: it cannot change any more."


def test_decided_quotes_are_final():
    assert [s for s in QuoteStatus if LIFECYCLE.is_final(s)] == [QuoteStatus.ACCEPTED, QuoteStatus.WITHDRAWN]


def test_a_new_quote_is_offered_for_thirty_days():
    assert DEFAULT_VALIDITY_DAYS == 30
    assert default_valid_until(TODAY) == date(2026, 4, 14)


@pytest.mark.parametrize(
    "status, valid_until, expired",
    [
        (QuoteStatus.ISSUED, None, False),  # no expiry date: valid until decided
        (QuoteStatus.ISSUED, TODAY, False),  # valid through its last day
        (QuoteStatus.ISSUED, TODAY - timedelta(days=1), True),
        (QuoteStatus.ACCEPTED, TODAY - timedelta(days=1), False),  # a decided quote never expires
        (QuoteStatus.WITHDRAWN, TODAY - timedelta(days=1), False),
    ],
)
def test_only_an_issued_quote_past_its_last_day_is_expired(status, valid_until, expired):
    assert is_expired(status, valid_until, TODAY) is expired


def test_an_expired_quote_can_be_withdrawn_but_not_accepted():
    yesterday = TODAY - timedelta(days=1)
    assert actions(QuoteStatus.ISSUED, TODAY, TODAY) == (QuoteAction.ACCEPT, QuoteAction.WITHDRAW)
    assert actions(QuoteStatus.ISSUED, yesterday, TODAY) == (QuoteAction.WITHDRAW,)
    assert actions(QuoteStatus.ACCEPTED, None, TODAY) == ()
