"""The generic lifecycle helper every status table is built on."""

import pytest

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.errors import InvalidTransition
from coordinator.rules.transitions import Lifecycle, moves


class Light(LabelledStrEnum):
    RED = "red", "Red"
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    BROKEN = "broken", "Broken"


class Press(LabelledStrEnum):
    GO = "go", "Go"
    SLOW = "slow", "Slow down"
    STOP = "stop", "Stop"


L, P = Light, Press
TABLE = {(L.RED, P.GO): L.GREEN, (L.GREEN, P.SLOW): L.AMBER, (L.AMBER, P.STOP): L.RED}
LIGHTS = Lifecycle("light", TABLE)


@pytest.mark.parametrize("status", list(Light))
@pytest.mark.parametrize("action", list(Press))
def test_every_pair_is_allowed_exactly_when_the_table_says(status, action):
    if (status, action) in TABLE:
        assert LIGHTS.allows(status, action)
        assert LIGHTS.next(status, action) is TABLE[(status, action)]
    else:
        assert not LIGHTS.allows(status, action)
        with pytest.raises(InvalidTransition) as refused:
            LIGHTS.next(status, action)
        assert refused.value.field == "status"


def test_refusals_name_the_current_status_and_what_is_allowed():
    with pytest.raises(InvalidTransition) as refused:
        LIGHTS.next(L.RED, P.STOP)
    assert refused.value.message == "This light is red: “Stop” is not possible now. Allowed: Go."


def test_a_status_with_no_moves_is_final_and_says_so():
    assert LIGHTS.is_final(L.BROKEN) and not LIGHTS.is_final(L.RED)
    assert LIGHTS.actions_from(L.BROKEN) == ()
    with pytest.raises(InvalidTransition, match="This light is broken: it cannot change any more."):
        LIGHTS.next(L.BROKEN, P.GO)


def test_moves_builds_a_table_whose_actions_are_the_target_statuses():
    table = moves({L.RED: (L.GREEN, L.BROKEN), L.GREEN: (L.RED,)})
    assert table == {(L.RED, L.GREEN): L.GREEN, (L.RED, L.BROKEN): L.BROKEN, (L.GREEN, L.RED): L.RED}
    lights = Lifecycle("light", table, field="new_status")
    assert lights.actions_from(L.RED) == (L.GREEN, L.BROKEN)
    with pytest.raises(InvalidTransition) as refused:
        lights.next(L.GREEN, L.BROKEN)
    assert refused.value.field == "new_status"
