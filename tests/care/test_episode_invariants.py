"""Random sequences of moves through the service (seeded, so a failure repeats): whatever is
accepted or refused, the stored episode keeps the invariants — every day from admission to
discharge in exactly one segment, at most one open segment, discharged exactly when the last
segment has an end — and a refused move changes nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from coordinator.contracts.care import MoveInput
from coordinator.domain.care import AdmissionStatus, LevelOfCare
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Admission, CareSegment, User
from coordinator.roles import Role
from coordinator.rules import level_moves
from coordinator.rules.level_moves import DischargeKind, MoveKind
from coordinator.services import episodes
from tests.fixtures.intake import make_inquiry, make_program
from tests.support.care_records import admit_directly

SEQUENCES = 12
MOVES_PER_SEQUENCE = 10


def stored(admission_id: int) -> list[tuple]:
    return [
        (s.level_of_care, s.program_id, s.starts_on, s.ends_on, s.on_leave)
        for s in db.session.scalars(
            sa.select(CareSegment).where(CareSegment.admission_id == admission_id).order_by(CareSegment.starts_on)
        )
    ]


def _rule(rows: list[tuple]) -> tuple[level_moves.Segment, ...]:
    return tuple(level_moves.Segment(*row[:4], on_leave=row[4]) for row in rows)


def test_random_moves_keep_every_day_in_exactly_one_segment(app, create_user):
    actor = create_user(Role.CASE_MANAGER)
    programs = {
        level: [make_program(app, level_of_care=level, asam_level=asam).id for _ in range(2)]
        for level, asam in (
            (LevelOfCare.PARTNER_HOSPITAL_DETOX, "4-WM"),
            (LevelOfCare.RESIDENTIAL, "3.7"),
            (LevelOfCare.PHP, "2.5"),
            (LevelOfCare.IOP, "2.1"),
            (LevelOfCare.VIRTUAL_IOP, "2.1"),
        )
    }
    rng = random.Random(14)
    start = date.today() - timedelta(days=120)
    accepted = refused = 0
    for _ in range(SEQUENCES):
        first = rng.choice(list(programs))
        made = admit_directly(app, actor, make_inquiry(app, actor).id, programs[first][0], admit_date=start)
        with app.app_context():
            user = db.session.get(User, actor.id)
            for _ in range(MOVES_PER_SEQUENCE):
                current = stored(made["episode"])
                allowed = dict(level_moves.allowed_moves(_rule(current)))
                # Mostly moves the table allows, on plausible days; sometimes anything at all.
                if allowed and rng.random() < 0.7:
                    kind = rng.choice(list(allowed))
                    level = rng.choice(sorted(allowed[kind])) if allowed[kind] else None
                else:
                    kind, level = rng.choice(list(MoveKind)), rng.choice([None, *programs])
                day = current[-1][2] + timedelta(days=rng.randint(-2, 12))
                data = {
                    "kind": kind.value,
                    "on": day.isoformat(),
                    "reason": "random walk",
                    "level_of_care": level.value if level else "",
                    "program_id": str(rng.choice(programs[level])) if level else "",
                    "discharge_kind": rng.choice([DischargeKind.PLANNED.value, ""]),
                }
                before = stored(made["episode"])
                try:
                    with db.session.begin_nested():
                        episodes.move(user, made["episode"], MoveInput.parse(data))
                    accepted += 1
                except ValidationFailed:
                    refused += 1
                    assert stored(made["episode"]) == before, data
                segments = stored(made["episode"])
                level_moves.check_episode(_rule(segments), start)
                assert sum(1 for row in segments if row[3] is None) <= 1
                admission = db.session.get(Admission, made["episode"])
                assert (admission.status is AdmissionStatus.DISCHARGED) == (segments[-1][3] is not None)
                assert admission.discharged_on == (segments[-1][3] if admission.discharged_on else None)
            db.session.commit()
    assert accepted > SEQUENCES and refused > SEQUENCES  # the walk tried both kinds
