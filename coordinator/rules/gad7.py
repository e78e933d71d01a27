"""GAD-7 anxiety screen: seven items scored 0-3, total 0-21.

Source: Spitzer RL, Kroenke K, Williams JB, Lowe B. Arch Intern Med 2006;166(10):1092-1097
(cut points 5, 10, 15). Item wording is a short paraphrase.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.scoring import band_for, validate_answers

STEM = "Over the last 2 weeks, how often have you been bothered by the following?"
RESPONSES: tuple[tuple[int, str], ...] = (
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)
# (key, paraphrased item text), in the questionnaire's order.
ITEMS: tuple[tuple[str, str], ...] = (
    ("nervous", "Feeling nervous, anxious or on edge"),
    ("uncontrollable_worry", "Not being able to stop or control worrying"),
    ("worry_too_much", "Worrying too much about different things"),
    ("trouble_relaxing", "Trouble relaxing"),
    ("restless", "Being so restless that it is hard to sit still"),
    ("irritable", "Becoming easily annoyed or irritable"),
    ("afraid", "Feeling afraid, as if something awful might happen"),
)
MAX_TOTAL = 21
ANSWER_SCORES = tuple(score for score, _ in RESPONSES)


class Gad7Band(LabelledStrEnum):
    """Anxiety severity band for a GAD-7 total."""

    MINIMAL = "minimal", "Minimal (0-4)"
    MILD = "mild", "Mild (5-9)"
    MODERATE = "moderate", "Moderate (10-14)"
    SEVERE = "severe", "Severe (15-21)"


BANDS: tuple[tuple[Gad7Band, int, int], ...] = (
    (Gad7Band.MINIMAL, 0, 4),
    (Gad7Band.MILD, 5, 9),
    (Gad7Band.MODERATE, 10, 14),
    (Gad7Band.SEVERE, 15, MAX_TOTAL),
)


@dataclass(frozen=True)
class Gad7Result:
    """A scored GAD-7: item scores in order, total 0-21 and its band."""

    scores: tuple[tuple[str, int], ...]
    total: int
    band: Gad7Band


def gad7_band(total: int) -> Gad7Band:
    """Band for a GAD-7 total from 0 to 21."""
    return band_for(total, BANDS, scale="GAD-7")


def score_gad7(answers: Mapping[str, object]) -> Gad7Result:
    """Validate the seven answers (0-3 each), then total and band them."""
    scores = validate_answers(answers, [(k, t, ANSWER_SCORES) for k, t in ITEMS], scale="GAD-7")
    total = sum(score for _, score in scores)
    return Gad7Result(scores=scores, total=total, band=gad7_band(total))
