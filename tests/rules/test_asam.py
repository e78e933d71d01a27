import pytest

from coordinator.rules.asam import FOURTH, THIRD, check_program_level, level_name
from coordinator.rules.errors import InvalidValue


@pytest.mark.parametrize(
    "edition, level, name",
    [
        (THIRD, "2.5", "Partial Hospitalization (PHP)"),
        (FOURTH, "2.5", "High-Intensity Outpatient (HIOP)"),
        (THIRD, "3.7", "Medically Monitored Intensive Inpatient"),
        (FOURTH, "3.7", "Medically Managed Residential"),
        (THIRD, "2.1", "Intensive Outpatient (IOP)"),
    ],
)
def test_the_same_code_means_different_things_by_edition(edition, level, name):
    assert level_name(edition, level) == name


@pytest.mark.parametrize(
    "care, edition, level",
    [
        ("residential", THIRD, "3.5"),
        ("residential", THIRD, "3.7"),
        ("residential", FOURTH, "3.5"),
        ("php", THIRD, "2.5"),
        ("php", FOURTH, "2.5"),
        ("iop", THIRD, "2.1"),
        ("virtual_iop", FOURTH, "2.1"),
        ("partner_hospital_detox", THIRD, "4-WM"),
        ("partner_hospital_detox", FOURTH, "4"),
    ],
)
def test_levels_that_fit_the_level_of_care(care, edition, level):
    check_program_level(care, edition, level)


@pytest.mark.parametrize(
    "care, edition, level, field",
    [
        ("residential", FOURTH, "3.3", "asam_level"),  # removed in the 4th edition
        ("residential", FOURTH, "3.7-WM", "asam_level"),  # WM integrated into 3.7 in the 4th
        ("php", THIRD, "2.1", "asam_level"),
        ("iop", THIRD, "2.5", "asam_level"),
        ("virtual_iop", THIRD, "3.5", "asam_level"),
        ("residential", "fifth", "3.5", "asam_edition"),
        ("php", THIRD, "9.9", "asam_level"),
    ],
)
def test_levels_that_do_not_fit_are_refused(care, edition, level, field):
    with pytest.raises(InvalidValue) as refused:
        check_program_level(care, edition, level)
    assert refused.value.field == field
