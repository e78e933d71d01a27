"""Reminder state machine: the whole table, every (status, action) pair, and the helpers the
conditional UPDATEs are built from."""

import pytest

from coordinator.rules.errors import InvalidTransition
from coordinator.rules.reminder_lifecycle import (
    LIFECYCLE,
    TRANSITIONS,
    ReminderAction,
    ReminderStatus,
    sources,
    target,
)

# The agreed table, written out in plain strings so a change to the module must change this too.
EXPECTED = {
    ("pending", "relay"): "queued",
    ("queued", "relay"): "queued",
    ("pending", "deliver"): "sent",
    ("queued", "deliver"): "sent",
    ("pending", "retry_later"): "pending",
    ("queued", "retry_later"): "pending",
    ("pending", "give_up"): "failed",
    ("queued", "give_up"): "failed",
    ("pending", "resolve"): "cancelled",
    ("queued", "resolve"): "cancelled",
    ("pending", "cancel"): "cancelled",
    ("queued", "cancel"): "cancelled",
    ("failed", "cancel"): "cancelled",
    ("pending", "retry"): "pending",
    ("queued", "retry"): "pending",
    ("failed", "retry"): "pending",
    ("cancelled", "reopen"): "pending",
}


def test_table_is_exactly_the_agreed_one():
    assert {(s.value, a.value): t.value for (s, a), t in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("status", list(ReminderStatus))
@pytest.mark.parametrize("action", list(ReminderAction))
def test_every_pair_is_allowed_exactly_when_the_table_says(status, action):
    expected = EXPECTED.get((status.value, action.value))
    if expected is not None:
        assert LIFECYCLE.allows(status, action)
        assert LIFECYCLE.next(status, action) is ReminderStatus(expected)
        assert status in sources(action) and target(action) is ReminderStatus(expected)
    else:
        assert not LIFECYCLE.allows(status, action)
        assert status not in sources(action)
        with pytest.raises(InvalidTransition) as refused:
            LIFECYCLE.next(status, action)
        assert refused.value.field == "status"


@pytest.mark.parametrize(
    "action, statuses",
    [
        (ReminderAction.RELAY, ("pending", "queued")),
        (ReminderAction.DELIVER, ("pending", "queued")),
        (ReminderAction.RETRY_LATER, ("pending", "queued")),
        (ReminderAction.GIVE_UP, ("pending", "queued")),
        (ReminderAction.RESOLVE, ("pending", "queued")),
        (ReminderAction.CANCEL, ("pending", "queued", "failed")),
        (ReminderAction.RETRY, ("pending", "queued", "failed")),
        (ReminderAction.REOPEN, ("cancelled",)),
    ],
)
def test_sources_are_the_where_clause_of_each_conditional_update(action, statuses):
    assert tuple(s.value for s in sources(action)) == statuses


def test_every_action_leads_to_one_status_whatever_it_starts_from():
    for action in ReminderAction:
        assert {TRANSITIONS[(s, action)] for s in sources(action)} == {target(action)}


def test_sent_is_final_and_a_job_leaves_sent_cancelled_and_failed_alone():
    assert LIFECYCLE.is_final(ReminderStatus.SENT)
    assert [s for s in ReminderStatus if LIFECYCLE.is_final(s)] == [ReminderStatus.SENT]
    untouched = [s.value for s in ReminderStatus if not LIFECYCLE.allows(s, ReminderAction.DELIVER)]
    assert untouched == ["sent", "cancelled", "failed"]


def test_refusals_are_worded_for_staff():
    with pytest.raises(InvalidTransition) as refused:
        LIFECYCLE.next(ReminderStatus.SENT, ReminderAction.RETRY)
    assert refused.value.message == "This reminder is sent: it cannot change any more."
