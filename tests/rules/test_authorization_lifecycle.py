"""The authorization lifecycle: the agreed table, and every (status, target) pair walked."""

import itertools

import pytest

from coordinator.rules.authorization_lifecycle import (
    GRANTED,
    LIFECYCLE,
    TRANSITIONS,
    AuthorizationStatus,
    statuses_from,
)
from coordinator.rules.errors import InvalidTransition

# The agreed moves, in plain strings, so a change to the module must change this too.
EXPECTED = {
    "pending": {"approved", "partially_approved", "denied"},
    "approved": {"partially_approved", "expired"},
    "partially_approved": {"approved", "appealed", "expired"},
    "denied": {"appealed"},
    "appealed": {"approved", "partially_approved", "denied"},
    "expired": set(),
}
PAIRS = list(itertools.product(AuthorizationStatus, AuthorizationStatus))


def test_the_table_is_exactly_the_agreed_one():
    found = {status.value: set() for status in AuthorizationStatus}
    for (source, action), target in TRANSITIONS.items():
        assert action is target  # staff choose the status moved to
        found[source.value].add(target.value)
    assert found == EXPECTED


@pytest.mark.parametrize(("status", "target"), PAIRS, ids=lambda s: s.value)
def test_every_pair_is_allowed_exactly_when_the_table_says(status, target):
    if target.value in EXPECTED[status.value]:
        assert LIFECYCLE.allows(status, target)
        assert LIFECYCLE.next(status, target) is target
    else:
        assert not LIFECYCLE.allows(status, target)
        with pytest.raises(InvalidTransition) as refused:
            LIFECYCLE.next(status, target)
        assert refused.value.field == "status"
        assert status.label.lower() in refused.value.message


@pytest.mark.parametrize(("status", "target"), PAIRS, ids=lambda s: s.value)
def test_the_form_offers_the_current_status_and_the_allowed_moves(status, target):
    offered = target is status or LIFECYCLE.allows(status, target)
    assert (target in statuses_from(status)) is offered


def test_a_new_authorization_may_start_in_any_status():
    assert statuses_from(None) == tuple(AuthorizationStatus)


def test_refusals_say_what_is_allowed_and_expired_is_final():
    with pytest.raises(InvalidTransition) as refused:
        LIFECYCLE.next(AuthorizationStatus.APPROVED, AuthorizationStatus.DENIED)
    assert refused.value.message == (
        "This authorization is approved: “Denied” is not possible now. Allowed: Partially approved, Expired."
    )
    assert LIFECYCLE.is_final(AuthorizationStatus.EXPIRED)
    with pytest.raises(InvalidTransition, match="This authorization is expired: it cannot change any more."):
        LIFECYCLE.next(AuthorizationStatus.EXPIRED, AuthorizationStatus.APPROVED)


def test_only_refusals_are_appealed_and_every_open_status_can_end():
    assert {s for (s, t) in TRANSITIONS if t is AuthorizationStatus.APPEALED} == {
        AuthorizationStatus.DENIED,
        AuthorizationStatus.PARTIALLY_APPROVED,
    }
    assert {s for (s, t) in TRANSITIONS if t is AuthorizationStatus.EXPIRED} == GRANTED
    for status in AuthorizationStatus:
        seen, frontier = {status}, [status]
        while frontier:
            for target in LIFECYCLE.actions_from(frontier.pop()):
                if target not in seen:
                    seen.add(target)
                    frontier.append(target)
        assert seen & {AuthorizationStatus.EXPIRED, AuthorizationStatus.DENIED}, status
