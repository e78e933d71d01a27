"""Clinical Opiate Withdrawal Scale (COWS): 11 items, each with its own allowed scores.

Source: Wesson DR, Ling W. J Psychoactive Drugs 2003;35(2):253-259, anchors paraphrased as in
DOMAIN.md Part 2, section 2. Bands 5-12 mild, 13-24 moderate, 25-36 moderately severe, > 36
severe; 0-4 has no label in the original. Rate only what is attributable to opioid withdrawal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules.scoring import band_for, validate_answers

MAX_TOTAL = 48


@dataclass(frozen=True)
class CowsItem:
    """One COWS item: stable key, question, and (score, anchor) options in the original order."""

    number: int
    key: str
    label: str
    options: tuple[tuple[int, str], ...]

    @property
    def allowed_scores(self) -> tuple[int, ...]:
        """The only scores this item accepts."""
        return tuple(score for score, _ in self.options)


ITEMS: tuple[CowsItem, ...] = (
    CowsItem(
        1,
        "resting_pulse",
        "Resting pulse rate (after sitting or lying for 1 minute)",
        ((0, "80 or below"), (1, "81-100"), (2, "101-120"), (4, "Above 120")),
    ),
    CowsItem(
        2,
        "sweating",
        "Sweating in the past half hour, not from room temperature or activity",
        (
            (0, "No chills or flushing"),
            (1, "Subjective chills or flushing"),
            (2, "Flushed or observable moistness on face"),
            (3, "Beads of sweat on brow or face"),
            (4, "Sweat streaming off face"),
        ),
    ),
    CowsItem(
        3,
        "restlessness",
        "Restlessness, observed during assessment",
        (
            (0, "Able to sit still"),
            (1, "Reports difficulty sitting still, but is able to"),
            (3, "Frequent shifting or extraneous movements of legs or arms"),
            (5, "Unable to sit still for more than a few seconds"),
        ),
    ),
    CowsItem(
        4,
        "pupil_size",
        "Pupil size",
        (
            (0, "Pinned or normal size for room light"),
            (1, "Possibly larger than normal"),
            (2, "Moderately dilated"),
            (5, "So dilated that only the rim of the iris is visible"),
        ),
    ),
    CowsItem(
        5,
        "bone_joint_aches",
        "Bone or joint aches (only the part attributable to withdrawal)",
        (
            (0, "Not present"),
            (1, "Mild diffuse discomfort"),
            (2, "Reports severe diffuse aching of joints or muscles"),
            (4, "Rubbing joints or muscles and unable to sit still because of discomfort"),
        ),
    ),
    CowsItem(
        6,
        "runny_nose_tearing",
        "Runny nose or tearing, not from cold symptoms or allergies",
        (
            (0, "Not present"),
            (1, "Nasal stuffiness or unusually moist eyes"),
            (2, "Nose running or tearing"),
            (4, "Nose constantly running or tears streaming down cheeks"),
        ),
    ),
    CowsItem(
        7,
        "gi_upset",
        "Stomach upset over the past half hour",
        (
            (0, "No stomach symptoms"),
            (1, "Stomach cramps"),
            (2, "Nausea or loose stool"),
            (3, "Vomiting or diarrhoea"),
            (5, "Multiple episodes of diarrhoea or vomiting"),
        ),
    ),
    CowsItem(
        8,
        "tremor",
        "Tremor, observed with hands outstretched",
        (
            (0, "No tremor"),
            (1, "Tremor can be felt but not observed"),
            (2, "Slight tremor observable"),
            (4, "Gross tremor or muscle twitching"),
        ),
    ),
    CowsItem(
        9,
        "yawning",
        "Yawning, observed during assessment",
        (
            (0, "No yawning"),
            (1, "Yawning once or twice"),
            (2, "Yawning three or more times"),
            (4, "Yawning several times a minute"),
        ),
    ),
    CowsItem(
        10,
        "anxiety_irritability",
        "Anxiety or irritability",
        (
            (0, "None"),
            (1, "Reports increasing irritability or anxiousness"),
            (2, "Obviously irritable or anxious"),
            (4, "So irritable or anxious that participation in the assessment is difficult"),
        ),
    ),
    CowsItem(
        11,
        "gooseflesh",
        "Gooseflesh skin",
        (
            (0, "Skin is smooth"),
            (3, "Piloerection can be felt, or hairs standing up on arms"),
            (5, "Prominent piloerection"),
        ),
    ),
)
ITEMS_BY_KEY: dict[str, CowsItem] = {item.key: item for item in ITEMS}


class CowsBand(LabelledStrEnum):
    """Withdrawal severity band for a COWS total."""

    NONE_MINIMAL = "none_minimal", "None/minimal (0-4; the original scale gives this range no label)"
    MILD = "mild", "Mild (5-12)"
    MODERATE = "moderate", "Moderate (13-24)"
    MODERATELY_SEVERE = "moderately_severe", "Moderately severe (25-36)"
    SEVERE = "severe", "Severe (more than 36)"


# (band, lowest total, highest total); 36 is moderately severe: "severe" is strictly above 36.
BANDS: tuple[tuple[CowsBand, int, int], ...] = (
    (CowsBand.NONE_MINIMAL, 0, 4),
    (CowsBand.MILD, 5, 12),
    (CowsBand.MODERATE, 13, 24),
    (CowsBand.MODERATELY_SEVERE, 25, 36),
    (CowsBand.SEVERE, 37, MAX_TOTAL),
)


@dataclass(frozen=True)
class CowsResult:
    """A scored COWS: item scores in form order, total 0-48 and its band."""

    scores: tuple[tuple[str, int], ...]
    total: int
    band: CowsBand


def cows_band(total: int) -> CowsBand:
    """Band for a COWS total from 0 to 48."""
    return band_for(total, BANDS, scale="COWS")


def score_cows(answers: Mapping[str, object]) -> CowsResult:
    """Validate all 11 item scores against their allowed sets, then total and band them."""
    scores = validate_answers(answers, [(i.key, i.label, i.allowed_scores) for i in ITEMS], scale="COWS", noun="item")
    total = sum(score for _, score in scores)
    return CowsResult(scores=scores, total=total, band=cows_band(total))
