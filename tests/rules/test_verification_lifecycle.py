"""The verification lifecycle (requested / 271 draft / confirmed / discarded), every pair walked,
and what confirming needs."""

import itertools
from datetime import date

import pytest

from coordinator.domain.insurance import VerificationStatus
from coordinator.rules.errors import InvalidTransition
from coordinator.rules.verification_lifecycle import (
    LIFECYCLE,
    TRANSITIONS,
    VerificationAction,
    VerificationStage,
    missing_findings,
)

EXPECTED = {
    ("requested", "import_271"): "draft",
    ("requested", "record"): "confirmed",
    ("requested", "discard"): "discarded",
    ("draft", "correct"): "draft",
    ("draft", "confirm"): "confirmed",
    ("draft", "discard"): "discarded",
}


def test_the_table_is_exactly_the_agreed_one():
    assert {(s.value, a.value): t.value for (s, a), t in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("stage, action", list(itertools.product(VerificationStage, VerificationAction)))
def test_every_pair_is_allowed_exactly_when_the_table_says(stage, action):
    expected = EXPECTED.get((stage.value, action.value))
    if expected is not None:
        assert LIFECYCLE.next(stage, action) is VerificationStage(expected)
    else:
        with pytest.raises(InvalidTransition):
            LIFECYCLE.next(stage, action)


@pytest.mark.parametrize("stage", [VerificationStage.CONFIRMED, VerificationStage.DISCARDED])
def test_confirmed_and_discarded_are_final(stage):
    assert LIFECYCLE.is_final(stage)


PLAN = date(2026, 1, 1)


@pytest.mark.parametrize(
    "status, plan_begin, covered, expected",
    [
        (VerificationStatus.VERIFIED_ACTIVE, PLAN, [True], []),
        (VerificationStatus.VERIFIED_ACTIVE, PLAN, [None, False], []),
        (VerificationStatus.INACTIVE, None, [], []),  # inactive is a finding on its own
        (VerificationStatus.VERIFIED_ACTIVE, None, [True], ["plan year's first day"]),
        (VerificationStatus.VERIFIED_ACTIVE, PLAN, [], ["at least one service line"]),
        (VerificationStatus.VERIFIED_ACTIVE, PLAN, [None], ["at least one service line"]),
        (VerificationStatus.VERIFIED_ACTIVE, None, [], ["plan year's first day", "at least one service line"]),
        (VerificationStatus.NEEDS_INFORMATION, PLAN, [True], ["active or inactive"]),
        (VerificationStatus.REQUESTED, None, [], ["active or inactive"]),
        (VerificationStatus.IN_PROGRESS, PLAN, [True], ["active or inactive"]),
    ],
)
def test_confirming_needs_the_findings(status, plan_begin, covered, expected):
    missing = missing_findings(status, plan_begin, covered)
    assert len(missing) == len(expected)
    for message, words in zip(missing, expected, strict=True):
        assert words in message
