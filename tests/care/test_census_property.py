"""The census read from the database (`services/census.census_ids`) is the rule's census
(`rules/level_moves.census_on`) over the same segments, for any day, level and program."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator.domain.care import LevelOfCare, SegmentMove
from coordinator.extensions import db
from coordinator.models import CareSegment
from coordinator.roles import Role
from coordinator.rules import level_moves
from coordinator.services import census
from tests.fixtures.intake import make_inquiry, make_program
from tests.support.care_records import admit_directly

START = date(2026, 9, 1)
EPISODES = 4
LEVELS = list(LevelOfCare)

segment = st.tuples(
    st.sampled_from(range(len(LEVELS))),  # level
    st.integers(0, 1),  # which of the two programs
    st.integers(1, 12),  # length in days
    st.booleans(),  # on leave
)
episode = st.tuples(st.integers(0, 10), st.lists(segment, min_size=1, max_size=5), st.booleans())


@pytest.fixture
def world(app, create_user):
    actor = create_user(Role.CASE_MANAGER)
    programs = [make_program(app).id, make_program(app).id]
    episodes = [
        admit_directly(app, actor, make_inquiry(app, actor).id, programs[0], admit_date=START)["episode"]
        for _ in range(EPISODES)
    ]
    return programs, episodes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chains=st.lists(episode, min_size=EPISODES, max_size=EPISODES), probe=st.integers(-2, 70))
def test_the_sql_census_of_any_day_is_the_rule_census(app, world, chains, probe):
    programs, episodes = world
    with app.app_context():
        db.session.execute(sa.delete(CareSegment).where(CareSegment.admission_id.in_(episodes)))
        rule_segments = []
        for episode_id, (offset, pieces, open_end) in zip(episodes, chains, strict=True):
            start = START + timedelta(days=offset)
            for index, (level, which, length, on_leave) in enumerate(pieces):
                last = index == len(pieces) - 1
                end = None if last and open_end else start + timedelta(days=length - 1)
                rule_segments.append(
                    level_moves.Segment(LEVELS[level], programs[which], start, end, on_leave, episode_id)
                )
                db.session.add(
                    CareSegment(
                        admission_id=episode_id,
                        level_of_care=LEVELS[level],
                        program_id=programs[which],
                        on_leave=on_leave,
                        move=SegmentMove.ADMISSION,
                        starts_on=start,
                        ends_on=end,
                    )
                )
                db.session.flush()
                if end is not None:
                    start = end + timedelta(days=1)
        day = START + timedelta(days=probe)
        for level in (None, *LEVELS):
            for program in (None, *programs):
                for leave in (False, True):
                    assert census.census_ids(
                        day, level=level, program_id=program, include_on_leave=leave
                    ) == level_moves.census_on(rule_segments, day, level, program, include_on_leave=leave)
        for program in programs:
            expected = level_moves.census_on(rule_segments, day, program=program, include_on_leave=True)
            assert census.occupied(program, day) == len(expected)
        db.session.rollback()
