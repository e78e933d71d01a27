"""PHQ-9 depression screen: nine items scored 0-3, total 0-27, with an item-9 safety flag.

Source: Kroenke K, Spitzer RL, Williams JB. J Gen Intern Med 2001;16(9):606-613 (bands 5, 10,
15, 20). Item wording is a short paraphrase. Any answer above zero on item 9 asks for a
same-day clinical review, whatever the total.
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
    ("interest", "Little interest or pleasure in doing things"),
    ("mood", "Feeling down, depressed or hopeless"),
    ("sleep", "Trouble falling or staying asleep, or sleeping too much"),
    ("energy", "Feeling tired or having little energy"),
    ("appetite", "Poor appetite or overeating"),
    ("self_worth", "Feeling bad about yourself, or that you are a failure or have let people down"),
    ("concentration", "Trouble concentrating, for example reading or watching TV"),
    ("psychomotor", "Moving or speaking noticeably slowly, or being unusually fidgety or restless"),
    ("self_harm", "Thoughts that you would be better off dead, or of hurting yourself"),
)
SELF_HARM_ITEM = "self_harm"
MAX_TOTAL = 27
ANSWER_SCORES = tuple(score for score, _ in RESPONSES)


class Phq9Band(LabelledStrEnum):
    """Depression severity band for a PHQ-9 total."""

    MINIMAL = "minimal", "Minimal (0-4)"
    MILD = "mild", "Mild (5-9)"
    MODERATE = "moderate", "Moderate (10-14)"
    MODERATELY_SEVERE = "moderately_severe", "Moderately severe (15-19)"
    SEVERE = "severe", "Severe (20-27)"


BANDS: tuple[tuple[Phq9Band, int, int], ...] = (
    (Phq9Band.MINIMAL, 0, 4),
    (Phq9Band.MILD, 5, 9),
    (Phq9Band.MODERATE, 10, 14),
    (Phq9Band.MODERATELY_SEVERE, 15, 19),
    (Phq9Band.SEVERE, 20, MAX_TOTAL),
)


@dataclass(frozen=True)
class SafetyFlag:
    """A finding that needs a clinician today, independent of the total."""

    code: str
    item: str
    message: str


@dataclass(frozen=True)
class Phq9Result:
    """A scored PHQ-9: item scores in order, total 0-27, band and any safety flags."""

    scores: tuple[tuple[str, int], ...]
    total: int
    band: Phq9Band
    safety_flags: tuple[SafetyFlag, ...]


def phq9_band(total: int) -> Phq9Band:
    """Band for a PHQ-9 total from 0 to 27."""
    return band_for(total, BANDS, scale="PHQ-9")


def score_phq9(answers: Mapping[str, object]) -> Phq9Result:
    """Validate the nine answers (0-3 each), total and band them, and flag item 9 above zero."""
    scores = validate_answers(answers, [(k, t, ANSWER_SCORES) for k, t in ITEMS], scale="PHQ-9")
    total = sum(score for _, score in scores)
    self_harm = dict(scores)[SELF_HARM_ITEM]
    flags = (
        (
            SafetyFlag(
                "self_harm_thoughts",
                SELF_HARM_ITEM,
                f"Same-day clinical review: thoughts of being better off dead or of self-harm were "
                f"reported (PHQ-9 item 9 = {self_harm}).",
            ),
        )
        if self_harm > 0
        else ()
    )
    return Phq9Result(scores=scores, total=total, band=phq9_band(total), safety_flags=flags)
