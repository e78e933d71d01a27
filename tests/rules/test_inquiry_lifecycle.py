"""Inquiry state machine: the whole table, every forbidden pair, reasons and terminal states."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.errors import InvalidTransition, InvalidValue, MissingReason, UnknownKey
from coordinator.rules.inquiry_lifecycle import (
    EXITS,
    REASON_REQUIRED,
    TERMINAL,
    TRANSITIONS,
    InquiryAction,
    InquiryStatus,
    allowed_actions,
    next_status,
    requires_reason,
)

# The agreed table, written out in plain strings so a change to the module must change this too.
EXPECTED = {
    ("new", "record_contact"): "contacted",
    ("new", "mark_lost"): "lost",
    ("contacted", "start_screening"): "screening",
    ("contacted", "decline"): "declined",
    ("contacted", "refer_out"): "referred_out",
    ("contacted", "mark_lost"): "lost",
    ("screening", "start_verification"): "verifying",
    ("screening", "decline"): "declined",
    ("screening", "refer_out"): "referred_out",
    ("screening", "mark_lost"): "lost",
    ("verifying", "offer_placement"): "placement_offered",
    ("verifying", "decline"): "declined",
    ("verifying", "refer_out"): "referred_out",
    ("verifying", "mark_lost"): "lost",
    ("placement_offered", "admit"): "admitted",
    ("placement_offered", "decline"): "declined",
    ("placement_offered", "refer_out"): "referred_out",
    ("placement_offered", "mark_lost"): "lost",
    ("declined", "reopen"): "contacted",
    ("lost", "reopen"): "contacted",
}
FORBIDDEN = [
    (status, action)
    for status, action in itertools.product(InquiryStatus, InquiryAction)
    if (status, action) not in TRANSITIONS
]


def test_table_is_exactly_the_agreed_one():
    assert {(s.value, a.value): t.value for (s, a), t in TRANSITIONS.items()} == EXPECTED


def test_statuses_actions_and_sets():
    assert [s.value for s in InquiryStatus] == [
        "new",
        "contacted",
        "screening",
        "verifying",
        "placement_offered",
        "admitted",
        "declined",
        "referred_out",
        "lost",
    ]
    assert {InquiryStatus.DECLINED, InquiryStatus.REFERRED_OUT, InquiryStatus.LOST} == EXITS
    assert {InquiryStatus.ADMITTED, InquiryStatus.REFERRED_OUT} == TERMINAL
    assert {
        InquiryAction.DECLINE,
        InquiryAction.REFER_OUT,
        InquiryAction.MARK_LOST,
        InquiryAction.REOPEN,
    } == REASON_REQUIRED
    assert all(s.label.strip() for s in InquiryStatus) and all(a.label.strip() for a in InquiryAction)


@pytest.mark.parametrize(("pair", "target"), list(EXPECTED.items()), ids=lambda v: str(v))
def test_every_allowed_transition(pair, target):
    status, action = pair
    assert next_status(status, action, reason="Called back; wants to go ahead") is InquiryStatus(target)
    assert next_status(InquiryStatus(status), InquiryAction(action), "why") == target


@pytest.mark.parametrize(("status", "action"), FORBIDDEN, ids=lambda v: str(v))
def test_every_forbidden_pair_is_refused(status, action):
    with pytest.raises(InvalidTransition) as err:
        next_status(status, action, reason="any reason")
    assert err.value.field == "action" and status.label in err.value.message


def test_forbidden_pairs_are_the_complement_of_the_table():
    assert len(FORBIDDEN) + len(TRANSITIONS) == len(InquiryStatus) * len(InquiryAction)


@pytest.mark.parametrize(("status", "action"), [pair for pair in TRANSITIONS if pair[1] in REASON_REQUIRED])
@pytest.mark.parametrize("reason", [None, "", "   \n\t"])
def test_exits_and_reopen_need_a_non_blank_reason(status, action, reason):
    with pytest.raises(MissingReason) as err:
        next_status(status, action, reason)
    assert err.value.field == "reason"


def test_moves_into_exits_all_need_reasons():
    for (_, action), target in TRANSITIONS.items():
        if target in EXITS:
            assert action in REASON_REQUIRED and requires_reason(action.value)


@pytest.mark.parametrize(("status", "action"), [pair for pair in TRANSITIONS if pair[1] not in REASON_REQUIRED])
def test_forward_steps_need_no_reason(status, action):
    assert next_status(status, action) is TRANSITIONS[(status, action)]
    assert not requires_reason(action)


def test_reason_must_be_text():
    with pytest.raises(InvalidValue) as err:
        next_status("contacted", "decline", reason=42)
    assert err.value.field == "reason"


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_terminal_statuses_allow_nothing(status):
    assert allowed_actions(status) == ()
    with pytest.raises(InvalidTransition) as err:
        next_status(status, "reopen", reason="changed mind")
    assert "closed" in err.value.message


@pytest.mark.parametrize("status", list(InquiryStatus))
def test_allowed_actions_match_the_table(status):
    assert set(allowed_actions(status)) == {a for (s, a) in TRANSITIONS if s is status}


def test_the_happy_path():
    status = InquiryStatus.NEW
    for action in ["record_contact", "start_screening", "start_verification", "offer_placement", "admit"]:
        status = next_status(status, action)
    assert status is InquiryStatus.ADMITTED


@pytest.mark.parametrize("status", [s for s in InquiryStatus if s not in TERMINAL])
def test_every_open_status_can_still_reach_admission(status):
    seen, frontier = {status}, [status]
    while frontier:
        current = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source is current and target not in seen:
                seen.add(target)
                frontier.append(target)
    assert InquiryStatus.ADMITTED in seen


@pytest.mark.parametrize(
    ("status", "action", "field"),
    [
        ("pending", "admit", "status"),
        ("new", "call", "action"),
        (None, "admit", "status"),
        ("new", None, "action"),
        ("NEW", "admit", "status"),
    ],
)
def test_unknown_statuses_and_actions(status, action, field):
    with pytest.raises(UnknownKey) as err:
        next_status(status, action)
    assert err.value.field == field


def test_helpers_reject_unknown_values():
    with pytest.raises(UnknownKey):
        allowed_actions("archived")
    with pytest.raises(UnknownKey):
        requires_reason("delete")


@given(st.lists(st.sampled_from(list(InquiryAction)), max_size=30))
def test_random_action_sequences_only_follow_the_table(actions):
    status = InquiryStatus.NEW
    for action in actions:
        if (status, action) in TRANSITIONS:
            new = next_status(status, action, reason="r")
            assert new is TRANSITIONS[(status, action)]
            status = new
        else:
            with pytest.raises(InvalidTransition):
                next_status(status, action, reason="r")
        if status in TERMINAL:
            assert allowed_actions(status) == ()
