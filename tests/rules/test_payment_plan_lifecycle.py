"""The payment-plan lifecycle: active -> cancelled (final); every (status, action) pair walked."""

import itertools

import pytest

from coordinator.rules.errors import InvalidTransition
from coordinator.rules.payment_plan_lifecycle import LIFECYCLE, TRANSITIONS, PlanAction, PlanStatus, takes_payments

EXPECTED = {("active", "cancel"): "cancelled"}


def test_the_table_is_exactly_the_agreed_one():
    assert {(s.value, a.value): t.value for (s, a), t in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("status, action", list(itertools.product(PlanStatus, PlanAction)))
def test_every_pair_is_allowed_exactly_when_the_table_says(status, action):
    expected = EXPECTED.get((status.value, action.value))
    if expected is not None:
        assert LIFECYCLE.allows(status, action)
        assert LIFECYCLE.next(status, action) is PlanStatus(expected)
    else:
        assert not LIFECYCLE.allows(status, action)
        with pytest.raises(InvalidTransition) as refused:
            LIFECYCLE.next(status, action)
        assert refused.value.message == f"This payment plan is {status.label.lower()}: it cannot change any more."


@pytest.mark.parametrize("status, open_", [(PlanStatus.ACTIVE, True), (PlanStatus.CANCELLED, False)])
def test_only_an_active_plan_takes_payments(status, open_):
    assert takes_payments(status) is open_
    assert LIFECYCLE.is_final(status) is not open_
