"""Level-of-care moves: the whole rule table, the date checks, census, aftercare, and random sequences."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator.domain.care import LevelOfCare
from coordinator.rules.errors import InvalidValue, MissingReason, MissingValue
from coordinator.rules.level_moves import (
    FOLLOWS,
    INTENSITY,
    DischargeKind,
    Move,
    MoveKind,
    Segment,
    admit,
    aftercare_end,
    allowed_moves,
    apply_move,
    census_on,
    check_episode,
    check_segment,
    days_in_level,
    is_discharged,
)

# No timing in tests: a busy CI machine must not fail an example for being slow.
NO_DEADLINE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

DETOX, RES, PHP, IOP, VIOP = INTENSITY
DAY0 = date(2026, 11, 1)
K = MoveKind

# DOMAIN.md Part 1, typed in again here so a slip in the module's table cannot hide:
# (from level, kind) -> the levels it may go to.
EXPECTED = {
    (DETOX, K.STEP_DOWN): {RES, PHP, IOP},
    (DETOX, K.TRANSFER): {DETOX},
    (RES, K.STEP_DOWN): {PHP},
    (RES, K.STEP_UP): {DETOX},
    (RES, K.TRANSFER): {RES},
    (RES, K.LEAVE_OF_ABSENCE): {RES},
    (PHP, K.STEP_DOWN): {IOP},
    (PHP, K.STEP_UP): {RES, DETOX},
    (PHP, K.TRANSFER): {PHP},
    (PHP, K.LEAVE_OF_ABSENCE): {PHP},
    (IOP, K.STEP_DOWN): {VIOP},
    (IOP, K.STEP_UP): {PHP, RES, DETOX},
    (IOP, K.TRANSFER): {IOP},
    (IOP, K.LEAVE_OF_ABSENCE): {IOP},
    (VIOP, K.STEP_UP): {IOP, PHP, RES, DETOX},
    (VIOP, K.TRANSFER): {VIOP},
    (VIOP, K.LEAVE_OF_ABSENCE): {VIOP},
}


def episode(level, program=1, start=DAY0, on_leave=False):
    return (Segment(level, program, start, on_leave=on_leave, episode="e1"),)


def move(kind, days=10, level=None, program=None, reason="clinical review", **more):
    return Move(kind, DAY0 + timedelta(days=days), reason, level, program, **more)


def test_the_table_is_exactly_the_expected_one():
    in_program = {
        key: set(targets) for key, targets in FOLLOWS.items() if key[1] not in (K.RETURN_FROM_LEAVE, K.DISCHARGE)
    }
    assert in_program == EXPECTED
    assert {lvl for (lvl, kind) in FOLLOWS if kind is K.DISCHARGE} == set(INTENSITY)
    assert {lvl for (lvl, kind) in FOLLOWS if kind is K.RETURN_FROM_LEAVE} == {RES, PHP, IOP, VIOP}
    assert all(FOLLOWS[(lvl, K.RETURN_FROM_LEAVE)] == {lvl} for lvl in (RES, PHP, IOP, VIOP))


def test_step_downs_go_down_and_step_ups_go_up():
    for (level, kind), targets in FOLLOWS.items():
        rank = INTENSITY.index(level)
        if kind is K.STEP_DOWN:
            assert all(INTENSITY.index(t) > rank for t in targets)
        if kind is K.STEP_UP:
            assert all(INTENSITY.index(t) < rank for t in targets)


@pytest.mark.parametrize("current", INTENSITY)
@pytest.mark.parametrize("kind", (K.STEP_DOWN, K.STEP_UP))
@pytest.mark.parametrize("target", INTENSITY)
def test_every_step_allowed_or_refused_as_the_table_says(current, kind, target):
    proposed = move(kind, level=target, program=2)
    if target in EXPECTED.get((current, kind), set()):
        after = apply_move(episode(current), proposed)
        assert [s.level for s in after] == [current, target]
        assert after[0].end == DAY0 + timedelta(days=9) and after[1].start == DAY0 + timedelta(days=10)
    else:
        with pytest.raises(InvalidValue) as refused:
            apply_move(episode(current), proposed)
        assert refused.value.field in ("kind", "level")


@pytest.mark.parametrize("current", INTENSITY)
@pytest.mark.parametrize("kind", (K.TRANSFER, K.LEAVE_OF_ABSENCE))
def test_leave_and_transfer_where_the_table_allows_them(current, kind):
    proposed = move(kind, program=2 if kind is K.TRANSFER else None)
    if (current, kind) in EXPECTED:
        after = apply_move(episode(current), proposed)
        assert after[1].level is current
        assert after[1].on_leave is (kind is K.LEAVE_OF_ABSENCE)
        assert after[1].program == (2 if kind is K.TRANSFER else 1)
    else:
        with pytest.raises(InvalidValue):
            apply_move(episode(current), proposed)


# --- Worked cases of single moves -------------------------------------------------------------
@pytest.mark.parametrize(
    ("segments", "proposed", "field", "words"),
    [
        (episode(RES), move(K.STEP_DOWN, level=IOP, program=3), "level", "can go to Partial hospitalization"),
        (episode(VIOP), move(K.STEP_DOWN, level=IOP, program=3), "kind", "not possible"),
        (episode(DETOX), move(K.STEP_DOWN, level=VIOP, program=3), "level", "cannot go to virtual iop"),
        (episode(DETOX), move(K.LEAVE_OF_ABSENCE), "kind", "not possible"),
        (episode(RES), move(K.STEP_DOWN, days=0, level=PHP, program=2), "on", "at least one day after"),
        (episode(RES), move(K.STEP_DOWN, days=-3, level=PHP, program=2), "on", "at least one day after"),
        (episode(RES), move(K.TRANSFER, program=1), "program", "another program"),
        (episode(RES), move(K.TRANSFER, level=PHP, program=2), "level", "same level"),
        (episode(RES), move(K.RETURN_FROM_LEAVE), "kind", "not possible"),
        (episode(RES, on_leave=True), move(K.LEAVE_OF_ABSENCE), "kind", "While on leave"),
        (episode(RES, on_leave=True), move(K.STEP_DOWN, level=PHP, program=2), "kind", "While on leave"),
        (episode(RES, on_leave=True), move(K.RETURN_FROM_LEAVE, program=4), "level", "keeps the level"),
        (episode(RES), move(K.DISCHARGE, days=-1, discharge_kind=DischargeKind.PLANNED), "on", "before"),
        (episode(RES), move(K.DISCHARGE), "discharge_kind", "kind of discharge"),
        (episode(RES), move(K.DISCHARGE, discharge_kind="vanished"), "discharge_kind", "kind of discharge"),
        (episode(RES), move("teleport"), "kind", "not a kind of move"),
        (episode(RES), move(K.STEP_DOWN, level="hospice", program=2), "level", "not a level of care"),
        (episode(RES), Move(K.STEP_DOWN, datetime(2026, 11, 9, 8), "x", PHP, 2), "on", "calendar date"),
        ((), move(K.STEP_DOWN, level=PHP, program=2), "kind", "Admit the patient"),
    ],
)
def test_moves_that_are_refused(segments, proposed, field, words):
    with pytest.raises(InvalidValue) as refused:
        apply_move(segments, proposed)
    assert refused.value.field == field
    assert words.lower() in refused.value.message.lower()


@pytest.mark.parametrize(
    ("proposed", "field"),
    [
        (move(K.STEP_DOWN, level=PHP), "program"),
        (move(K.STEP_DOWN, program=2), "level"),
        (move(K.TRANSFER), "program"),
    ],
)
def test_where_to_must_be_given(proposed, field):
    with pytest.raises(MissingValue) as refused:
        apply_move(episode(RES), proposed)
    assert refused.value.field == field


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_every_move_needs_a_reason(reason):
    with pytest.raises(MissingReason) as refused:
        apply_move(episode(RES), move(K.STEP_DOWN, level=PHP, program=2, reason=reason))
    assert refused.value.field == "reason"


def test_leave_and_return_keep_the_place_and_a_discharge_on_leave_ends_it():
    after = apply_move(episode(RES, program=7), move(K.LEAVE_OF_ABSENCE, days=3))
    after = apply_move(after, move(K.RETURN_FROM_LEAVE, days=5))
    assert [(s.level, s.program, s.on_leave, s.start.day, s.end and s.end.day) for s in after] == [
        (RES, 7, False, 1, 3),
        (RES, 7, True, 4, 5),
        (RES, 7, False, 6, None),
    ]
    on_leave = apply_move(after, move(K.LEAVE_OF_ABSENCE, days=8))
    ended = apply_move(on_leave, move(K.DISCHARGE, days=12, discharge_kind=DischargeKind.ADMINISTRATIVE))
    assert is_discharged(ended) and ended[-1].on_leave and ended[-1].end == date(2026, 11, 13)


def test_a_discharge_on_the_day_the_last_segment_starts_is_allowed_and_ends_everything():
    ended = apply_move(episode(IOP), move(K.DISCHARGE, days=0, discharge_kind=DischargeKind.AGAINST_MEDICAL_ADVICE))
    assert ended[-1].days() == 1
    assert allowed_moves(ended) == ()
    with pytest.raises(InvalidValue, match="discharged on 01 November 2026"):
        apply_move(ended, move(K.STEP_UP, days=5, level=RES, program=2))


def test_days_in_level_count_transfers_and_leave_at_that_level():
    segments = apply_move(episode(RES), move(K.STEP_DOWN, days=10, level=PHP, program=2))
    segments = apply_move(segments, move(K.TRANSFER, days=15, program=3))
    segments = apply_move(segments, move(K.LEAVE_OF_ABSENCE, days=17))
    assert days_in_level(segments, DAY0 + timedelta(days=20)) == 11  # 11 to 21 November
    assert days_in_level(episode(RES), DAY0) == 1
    assert days_in_level((), DAY0) == 0
    ended = apply_move(segments, move(K.DISCHARGE, days=18, discharge_kind=DischargeKind.PLANNED))
    assert days_in_level(ended, DAY0 + timedelta(days=90)) == 9  # counted up to the discharge day


def test_moves_never_change_the_sequence_they_are_given():
    before = episode(RES)
    apply_move(before, move(K.STEP_DOWN, level=PHP, program=2))
    assert before == episode(RES)


def test_allowed_moves_follow_the_table_and_leave():
    assert dict(allowed_moves(episode(VIOP))) == {
        K.STEP_UP: {IOP, PHP, RES, DETOX},
        K.TRANSFER: {VIOP},
        K.LEAVE_OF_ABSENCE: {VIOP},
        K.DISCHARGE: frozenset(),
    }
    assert [kind for kind, _ in allowed_moves(episode(PHP, on_leave=True))] == [K.RETURN_FROM_LEAVE, K.DISCHARGE]


# --- Segments edited directly ------------------------------------------------------------------
def seg(start, end=None, level=RES):
    return Segment(
        level, 1, DAY0 + timedelta(days=start), None if end is None else DAY0 + timedelta(days=end), episode="e1"
    )


@pytest.mark.parametrize(
    ("segment", "others", "field", "words"),
    [
        (seg(5, 4), [], "end", "ends"),
        (seg(-1, 3), [], "start", "before the admission"),
        (seg(3, 8), [seg(0, 3)], "start", "overlaps the residential segment from 01 November 2026 to 04"),
        (seg(3, 8), [seg(8, 12)], "start", "overlaps"),
        (seg(3, None), [seg(20, 25)], "start", "overlaps"),
        (
            seg(10, 12),
            [seg(0, None, level=PHP)],
            "start",
            "overlaps the partial hospitalization (php) segment from 01 November 2026 onward",
        ),
        (seg(4, 4), [seg(0, 5)], "start", "overlaps"),
    ],
)
def test_segments_that_are_refused(segment, others, field, words):
    with pytest.raises(InvalidValue) as refused:
        check_segment(segment, others, DAY0)
    assert refused.value.field == field
    assert words.lower() in refused.value.message.lower()


def test_adjacent_segments_and_a_one_day_segment_are_fine():
    check_segment(seg(4, 4), [seg(0, 3), seg(5, None)], DAY0)
    check_episode([seg(0, 3), seg(4, 4), seg(5, None)], DAY0)


@pytest.mark.parametrize(
    ("segments", "words"),
    [
        ([seg(0, 3), seg(5, None)], "the day after"),  # a gap
        ([seg(1, None)], "admission date"),  # first not on admission
        ([seg(0, None), seg(4, None)], "overlaps"),
        ([], "at least one segment"),
    ],
)
def test_episodes_with_gaps_or_overlaps_are_refused(segments, words):
    with pytest.raises((InvalidValue, MissingValue)) as refused:
        check_episode(segments, DAY0)
    assert words in refused.value.message


# --- Aftercare: two months after discharge ---------------------------------------------------
@pytest.mark.parametrize(
    ("discharged", "ends"),
    [
        (date(2026, 1, 15), date(2026, 3, 15)),
        (date(2026, 11, 30), date(2027, 1, 30)),
        (date(2026, 12, 31), date(2027, 2, 28)),
        (date(2027, 12, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 8, 31), date(2026, 10, 31)),
        (date(2026, 7, 31), date(2026, 9, 30)),
        (date(9999, 10, 31), date(9999, 12, 31)),
    ],
)
def test_aftercare_ends_two_months_after_discharge(discharged, ends):
    assert aftercare_end(discharged) == ends


@pytest.mark.parametrize("bad", [date(9999, 11, 1), datetime(2026, 1, 1, 9), "2026-01-01", None])
def test_aftercare_refuses_what_is_not_a_usable_date(bad):
    with pytest.raises(InvalidValue) as refused:
        aftercare_end(bad)
    assert refused.value.field == "discharge_date"


# --- Census: the issue's walk-through -----------------------------------------------------------
def test_census_on_each_date_of_the_issue_walk_through():
    def day(n):
        return DAY0 + timedelta(days=n)

    first = (admit(LevelOfCare.PARTNER_HOSPITAL_DETOX, "hospital", day(0), episode="spouse-call"),)
    for kind, n, level, program in [
        (K.STEP_DOWN, 5, RES, "house"),
        (K.STEP_DOWN, 30, PHP, "php"),
        (K.STEP_DOWN, 45, IOP, "iop"),
        (K.STEP_DOWN, 60, VIOP, "video"),
    ]:
        first = apply_move(first, Move(kind, day(n), "ready for less", level, program))
    first = apply_move(first, Move(K.DISCHARGE, day(75), "completed", discharge_kind=DischargeKind.PLANNED))
    check_episode(first, day(0))
    second = apply_move(
        (admit(RES, "house", day(30), episode="waitlisted"),), Move(K.LEAVE_OF_ABSENCE, day(40), "family")
    )
    everyone = first + second
    expected = {
        0: {DETOX: {"spouse-call"}},
        4: {DETOX: {"spouse-call"}},
        5: {RES: {"spouse-call"}},
        29: {RES: {"spouse-call"}},
        30: {PHP: {"spouse-call"}, RES: {"waitlisted"}},  # the freed bed, taken the same day
        45: {IOP: {"spouse-call"}},  # second patient on leave: not in the census
        60: {VIOP: {"spouse-call"}},
        75: {VIOP: {"spouse-call"}},  # the discharge day counts
        76: {},
    }
    for n, levels in expected.items():
        for level in INTENSITY:
            assert census_on(everyone, day(n), level) == levels.get(level, set()), (n, level)
    assert census_on(everyone, day(45), RES, include_on_leave=True) == {"waitlisted"}
    assert census_on(everyone, day(31), program="house") == {"waitlisted"}
    assert census_on(everyone, day(31), "residential", "php") == frozenset()
    assert aftercare_end(first[-1].end) == date(2027, 3, 15)


def test_census_needs_the_episode_of_each_segment():
    with pytest.raises(MissingValue):
        census_on([Segment(RES, 1, DAY0)], DAY0)


# --- Random sequences of moves keep the invariants --------------------------------------------
@st.composite
def episodes(draw, key):
    admitted = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
    segments = (admit(draw(st.sampled_from(INTENSITY)), draw(st.integers(1, 3)), admitted, episode=key),)
    for _ in range(draw(st.integers(0, 12))):
        options = allowed_moves(segments)
        if not options:
            break
        kind, targets = draw(st.sampled_from(options))
        on = segments[-1].start + timedelta(days=draw(st.integers(0 if kind is K.DISCHARGE else 1, 40)))
        current = segments[-1]
        if kind is K.TRANSFER:
            program = draw(st.integers(1, 3).filter(lambda p, c=current: p != c.program))
        elif kind in (K.STEP_DOWN, K.STEP_UP):
            program = draw(st.integers(1, 3))
        else:
            program = None
        level = draw(st.sampled_from(sorted(targets))) if kind in (K.STEP_DOWN, K.STEP_UP) else None
        discharge = draw(st.sampled_from(list(DischargeKind))) if kind is K.DISCHARGE else None
        segments = apply_move(segments, Move(kind, on, "reason", level, program, discharge))
    return admitted, segments


@NO_DEADLINE
@given(episodes("e1"))
def test_any_sequence_of_allowed_moves_covers_each_day_exactly_once(drawn):
    admitted, segments = drawn
    check_episode(segments, admitted)
    last = segments[-1].end or segments[-1].start + timedelta(days=3)
    day = admitted
    while day <= last:
        assert sum(s.contains(day) for s in segments) == 1
        day += timedelta(days=1)
    assert sum(s.days(until=last) for s in segments) == (last - admitted).days + 1
    for i, a in enumerate(segments):
        for b in segments[i + 1 :]:
            assert a.end is not None and a.end < b.start


@NO_DEADLINE
@given(episodes("e1"), st.sampled_from(INTENSITY), st.sampled_from(list(K)), st.integers(-5, 40))
def test_a_move_is_either_refused_or_keeps_the_episode_valid(drawn, level, kind, offset):
    admitted, segments = drawn
    proposed = Move(kind, segments[-1].start + timedelta(days=offset), "why", level, 9, DischargeKind.PLANNED)
    try:
        after = apply_move(segments, proposed)
    except InvalidValue:
        return
    check_episode(after, admitted)
    assert after[: len(segments) - 1] == segments[:-1]


@NO_DEADLINE
@given(
    st.lists(st.integers(0, 1000), min_size=1, max_size=6).flatmap(
        lambda keys: st.tuples(*(episodes(f"e{i}") for i in range(len(keys))))
    ),
    st.dates(date(2019, 12, 1), date(2031, 6, 30)),
)
def test_census_of_any_day_never_exceeds_the_patients_admitted(drawn, day):
    everyone = [s for _, segments in drawn for s in segments]
    admitted = sum(1 for start, _ in drawn if start <= day)
    total = census_on(everyone, day, include_on_leave=True)
    assert len(total) <= admitted
    by_level = [census_on(everyone, day, level, include_on_leave=True) for level in INTENSITY]
    assert sum(map(len, by_level)) == len(total)  # each patient in exactly one level on a day
    assert census_on(everyone, day) <= total
