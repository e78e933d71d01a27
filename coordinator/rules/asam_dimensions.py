"""The six ASAM dimensions' names, by edition (DOMAIN.md Part 2, 1.2), and which intake facts
bear on each: what the assessment form shows beside a dimension and pre-fills its notes with."""

from __future__ import annotations

from coordinator.rules.asam import FOURTH, THIRD

NAMES: dict[str, dict[int, str]] = {
    THIRD: {
        1: "Acute intoxication and/or withdrawal potential",
        2: "Biomedical conditions and complications",
        3: "Emotional, behavioral or cognitive conditions and complications",
        4: "Readiness to change",
        5: "Relapse, continued use or continued problem potential",
        6: "Recovery/living environment",
    },
    FOURTH: {
        1: "Intoxication, withdrawal and addiction medications",
        2: "Biomedical conditions",
        3: "Psychiatric and cognitive conditions",
        4: "Substance use-related risks",
        5: "Recovery environment interactions",
        6: "Person-centered considerations",
    },
}

# Rating anchors (ASAM: 0 = no risk .. 4 = highest risk, severe), the same in both editions.
RATINGS: dict[int, str] = {0: "0 – none", 1: "1 – mild", 2: "2 – moderate", 3: "3 – significant", 4: "4 – severe"}

# Which facts from intake are shown beside, and pre-filled into, each dimension's notes.
FACTS_FOR: dict[int, tuple[str, ...]] = {
    1: ("cows", "mme_per_day", "long_acting_opioid", "substances"),
    2: ("medical_flags",),
    3: ("phq9", "gad7"),
    4: (),
    5: ("substances",),
    6: (),
}


def name(edition: str, dimension: int) -> str:
    return NAMES.get(edition, NAMES[THIRD])[dimension]
