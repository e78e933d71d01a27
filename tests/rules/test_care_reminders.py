"""Worked cases of `rules/care_reminders`: when an episode's review, transfer and discharge-planning
reminders fall due, and which keys it plans."""

from __future__ import annotations

from datetime import date

import pytest

from coordinator.domain.care import LevelOfCare as L
from coordinator.domain.reminders import ReminderKind as K
from coordinator.rules.care_reminders import (
    DEFAULT_REVIEW_DAYS,
    AuthorizationEnd,
    EpisodeDates,
    check_review_days,
    level_started_on,
    next_review_on,
    plan,
)
from coordinator.rules.errors import InvalidValue
from coordinator.rules.level_moves import Segment

D = date(2026, 11, 1)


def seg(level, start, end=None, program=1, on_leave=False):
    return Segment(level, program, date(2026, 11, start), date(2026, 11, end) if end else None, on_leave, 7)


RESIDENTIAL_FROM_1 = (seg(L.RESIDENTIAL, 1),)
# (segments, last review day, expected next review)
REVIEW_CASES = [
    (RESIDENTIAL_FROM_1, None, date(2026, 11, 8)),  # 7 days after the level began
    (RESIDENTIAL_FROM_1, date(2026, 11, 6), date(2026, 11, 13)),  # the last review is later
    (
        (seg(L.RESIDENTIAL, 1, 9), seg(L.PHP, 10)),
        date(2026, 11, 6),
        date(2026, 11, 24),
    ),  # older review: the step-down counts
    ((seg(L.PHP, 1, 9), seg(L.IOP, 10)), None, date(2026, 11, 24)),  # 14 days for IOP
    ((seg(L.VIRTUAL_IOP, 3),), None, date(2026, 11, 17)),
    # A transfer and a leave at the same level continue it: counted from the 1st.
    (
        (seg(L.RESIDENTIAL, 1, 3), seg(L.RESIDENTIAL, 4, 5, program=2), seg(L.RESIDENTIAL, 6, on_leave=True)),
        None,
        date(2026, 11, 8),
    ),
    ((seg(L.PARTNER_HOSPITAL_DETOX, 1),), None, None),  # the hospital reviews its own patients
    ((seg(L.RESIDENTIAL, 1, 9),), None, None),  # discharged
    ((), None, None),
]


@pytest.mark.parametrize("segments, last_review, expected", REVIEW_CASES)
def test_next_review(segments, last_review, expected):
    dates = EpisodeDates(7, segments, last_review_on=last_review)
    assert next_review_on(dates, DEFAULT_REVIEW_DAYS) == expected


def test_level_started_on_walks_back_over_the_same_level():
    assert level_started_on((seg(L.PHP, 1, 4), seg(L.RESIDENTIAL, 5, 8), seg(L.RESIDENTIAL, 9))) == date(2026, 11, 5)
    assert level_started_on(()) is None


def keys(planned):
    return [(p.kind, p.due_on, p.key, p.authorization_id) for p in planned]


def test_a_residential_episode_plans_its_review_on_the_due_day_or_today_when_late():
    dates = EpisodeDates(7, RESIDENTIAL_FROM_1)
    assert keys(plan(dates, DEFAULT_REVIEW_DAYS, 7, date(2026, 11, 2))) == [
        (K.LEVEL_REVIEW_DUE, date(2026, 11, 8), "level-review-7-2026-11-08", None)
    ]
    # Overdue: it goes out today, under the same key (never twice).
    assert keys(plan(dates, DEFAULT_REVIEW_DAYS, 7, date(2026, 11, 20))) == [
        (K.LEVEL_REVIEW_DUE, date(2026, 11, 20), "level-review-7-2026-11-08", None)
    ]


def test_a_clinic_interval_changes_the_due_day():
    dates = EpisodeDates(7, RESIDENTIAL_FROM_1)
    assert next_review_on(dates, {**DEFAULT_REVIEW_DAYS, L.RESIDENTIAL: 3}) == date(2026, 11, 4)


TRANSFER_CASES = [
    # (segments, expected transfer, today, planned)
    (
        (seg(L.PARTNER_HOSPITAL_DETOX, 1),),
        date(2026, 11, 5),
        date(2026, 11, 2),
        [(date(2026, 11, 6), "transfer-7-2026-11-05")],
    ),
    (
        (seg(L.PARTNER_HOSPITAL_DETOX, 1),),
        date(2026, 11, 5),
        date(2026, 11, 9),
        [(date(2026, 11, 9), "transfer-7-2026-11-05")],
    ),
    ((seg(L.PARTNER_HOSPITAL_DETOX, 1),), None, date(2026, 11, 2), []),  # no date expected: nothing to miss
    # Transferred to residential: no transfer reminder, whatever the old expected date.
    ((seg(L.PARTNER_HOSPITAL_DETOX, 1, 4), seg(L.RESIDENTIAL, 5)), date(2026, 11, 5), date(2026, 11, 6), []),
]


@pytest.mark.parametrize("segments, expected, today, planned", TRANSFER_CASES)
def test_expected_transfer(segments, expected, today, planned):
    dates = EpisodeDates(7, segments, expected_transfer_on=expected)
    got = [(p.due_on, p.key) for p in plan(dates, DEFAULT_REVIEW_DAYS, 7, today) if p.kind is K.TRANSFER_NOT_RECORDED]
    assert got == planned


def test_discharge_planning_before_the_planned_stay_and_the_current_levels_authorization_end():
    auths = (
        AuthorizationEnd(31, L.RESIDENTIAL, date(2026, 11, 20)),
        AuthorizationEnd(32, L.PHP, date(2026, 11, 25)),  # another level: not this one's end
        AuthorizationEnd(33, L.RESIDENTIAL, date(2026, 10, 30)),  # ended already
    )
    dates = EpisodeDates(7, RESIDENTIAL_FROM_1, planned_discharge_on=date(2026, 11, 28), authorizations=auths)
    got = [
        (p.due_on, p.key, p.authorization_id)
        for p in plan(dates, DEFAULT_REVIEW_DAYS, 7, date(2026, 11, 2))
        if p.kind is K.DISCHARGE_PLANNING_DUE
    ]
    assert got == [
        (date(2026, 11, 21), "discharge-stay-7-2026-11-28", None),
        (date(2026, 11, 13), "discharge-auth-7-31-2026-11-20", 31),
    ]
    # Inside the notice period: today. After the planned day: nothing.
    late = plan(dates, DEFAULT_REVIEW_DAYS, 7, date(2026, 11, 25))
    assert [(p.due_on, p.key) for p in late if p.kind is K.DISCHARGE_PLANNING_DUE] == [
        (date(2026, 11, 25), "discharge-stay-7-2026-11-28")
    ]
    assert not [
        p for p in plan(dates, DEFAULT_REVIEW_DAYS, 7, date(2026, 11, 29)) if p.kind is K.DISCHARGE_PLANNING_DUE
    ]


def test_a_discharged_episode_plans_nothing():
    dates = EpisodeDates(7, (seg(L.RESIDENTIAL, 1, 9),), planned_discharge_on=date(2026, 11, 28))
    assert plan(dates, DEFAULT_REVIEW_DAYS, 7, date(2026, 11, 2)) == ()


@pytest.mark.parametrize("days", [0, 91, -1, True, "7", 7.0, None])
def test_impossible_review_intervals_are_refused(days):
    with pytest.raises(InvalidValue):
        check_review_days(days, "residential")


@pytest.mark.parametrize("days", [1, 7, 90])
def test_review_intervals_in_range(days):
    assert check_review_days(days, "php") == days
