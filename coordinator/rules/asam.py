"""ASAM Criteria levels by edition, and which levels fit each of the program's levels of care.

Source: DOMAIN.md Part 2, 1.1 (3rd edition, 2013), 1.3 (4th edition, 2023) and 1.4 (mapping the
program's service lines). A level code means different things by edition ("2.5" is PHP in the
3rd and High-Intensity Outpatient in the 4th), so a level is always stored with its edition.
Virtual IOP as 2.1 is an interpretation (intensity, not modality, defines the level).
"""

from __future__ import annotations

from coordinator.rules.errors import InvalidValue

THIRD, FOURTH = "third_2013", "fourth_2023"

LEVELS: dict[str, dict[str, str]] = {
    THIRD: {
        "0.5": "Early Intervention",
        "1": "Outpatient Services",
        "1-OTP": "Opioid Treatment Program",
        "2.1": "Intensive Outpatient (IOP)",
        "2.5": "Partial Hospitalization (PHP)",
        "3.1": "Clinically Managed Low-Intensity Residential",
        "3.3": "Clinically Managed Population-Specific High-Intensity Residential",
        "3.5": "Clinically Managed High-Intensity Residential",
        "3.7": "Medically Monitored Intensive Inpatient",
        "4": "Medically Managed Intensive Inpatient",
        "1-WM": "Ambulatory Withdrawal Management without Extended On-Site Monitoring",
        "2-WM": "Ambulatory Withdrawal Management with Extended On-Site Monitoring",
        "3.2-WM": "Clinically Managed Residential Withdrawal Management",
        "3.7-WM": "Medically Monitored Inpatient Withdrawal Management",
        "4-WM": "Medically Managed Intensive Inpatient Withdrawal Management",
    },
    FOURTH: {
        "1.0": "Long-Term Remission Monitoring",
        "1.5": "Outpatient Therapy",
        "1.7": "Medically Managed Outpatient",
        "2.1": "Intensive Outpatient (IOP)",
        "2.5": "High-Intensity Outpatient (HIOP)",
        "2.7": "Medically Managed Intensive Outpatient",
        "3.1": "Clinically Managed Low-Intensity Residential",
        "3.5": "Clinically Managed High-Intensity Residential",
        "3.7": "Medically Managed Residential",
        "4": "Medically Managed Inpatient",
    },
}

# Which ASAM levels a program of each level of care may carry (DOMAIN.md 1.4).
LEVELS_FOR_CARE: dict[str, dict[str, frozenset[str]]] = {
    "residential": {THIRD: frozenset({"3.1", "3.3", "3.5", "3.7", "3.7-WM"}), FOURTH: frozenset({"3.1", "3.5", "3.7"})},
    "php": {THIRD: frozenset({"2.5"}), FOURTH: frozenset({"2.5"})},
    "iop": {THIRD: frozenset({"2.1"}), FOURTH: frozenset({"2.1"})},
    "virtual_iop": {THIRD: frozenset({"2.1"}), FOURTH: frozenset({"2.1"})},
    "partner_hospital_detox": {THIRD: frozenset({"4", "4-WM", "3.7-WM"}), FOURTH: frozenset({"4", "3.7"})},
}


def level_name(edition: str, level: str) -> str:
    """The level's name in its edition, e.g. ("fourth_2023", "2.5") -> "High-Intensity Outpatient"."""
    try:
        return LEVELS[edition][level]
    except KeyError:
        raise InvalidValue("asam_level", f"{level!r} is not an ASAM level in that edition.") from None


def check_program_level(level_of_care: str, edition: str, level: str) -> None:
    """Refuse an ASAM level that does not exist in the edition or does not fit the level of care."""
    if edition not in LEVELS:
        raise InvalidValue("asam_edition", "Choose the ASAM Criteria edition.")
    if level not in LEVELS[edition]:
        known = ", ".join(LEVELS[edition])
        raise InvalidValue("asam_level", f"{level!r} is not a level in this edition; choose one of {known}.")
    fitting = LEVELS_FOR_CARE.get(level_of_care, {}).get(edition, frozenset())
    if level not in fitting:
        raise InvalidValue(
            "asam_level", f"ASAM {level} does not fit this level of care; use {' or '.join(sorted(fitting))}."
        )
