"""DSM-5 opioid use disorder: severity bands, the supervision exclusion and the behaviour list."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.dsm5_oud import (
    PHYSIOLOGICAL_CRITERIA,
    OudBehaviour,
    OudCriterion,
    OudSeverity,
    assess_oud,
    reported_behaviours,
    severity_for_count,
)
from coordinator.rules.errors import InvalidValue, RuleError, UnknownKey

ALL_KEYS = [c.value for c in OudCriterion]
NON_PHYSIOLOGICAL = [c.value for c in OudCriterion if c not in PHYSIOLOGICAL_CRITERIA]


def test_the_eleven_criteria_have_stable_keys_in_dsm_order():
    assert ALL_KEYS == [
        "larger_amounts",
        "persistent_desire_to_cut_down",
        "time_spent",
        "craving",
        "role_failure",
        "social_problems",
        "activities_given_up",
        "hazardous_use",
        "continued_despite_problems",
        "tolerance",
        "withdrawal",
    ]
    assert all(c.label.strip() for c in OudCriterion)
    assert all(c.label for c in OudCriterion)


@pytest.mark.parametrize(
    ("count", "severity", "family"),
    [
        (0, OudSeverity.NONE, None),
        (1, OudSeverity.NONE, None),
        (2, OudSeverity.MILD, "F11.1x"),
        (3, OudSeverity.MILD, "F11.1x"),
        (4, OudSeverity.MODERATE, "F11.2x"),
        (5, OudSeverity.MODERATE, "F11.2x"),
        (6, OudSeverity.SEVERE, "F11.2x"),
        (9, OudSeverity.SEVERE, "F11.2x"),
        (11, OudSeverity.SEVERE, "F11.2x"),
    ],
)
def test_severity_and_icd10_family_by_count(count, severity, family):
    assert severity_for_count(count) is severity
    result = assess_oud(
        NON_PHYSIOLOGICAL[:count] if count <= 9 else ALL_KEYS[:count], taken_as_prescribed_under_supervision=False
    )
    assert (result.count, result.severity, result.icd10_family) == (count, severity, family)
    if family is None:
        assert result.icd10_note is None
    else:
        assert family in result.icd10_note and "clinician" in result.icd10_note


@pytest.mark.parametrize("bad", [-1, 12, True, "3", 2.0, None])
def test_severity_for_count_rejects_impossible_counts(bad):
    with pytest.raises(InvalidValue) as err:
        severity_for_count(bad)
    assert err.value.field == "count"


@pytest.mark.parametrize(
    ("met", "supervised", "count", "severity", "excluded"),
    [
        # Expected physical dependence on a supervised prescription is not a disorder.
        ({"tolerance", "withdrawal"}, True, 0, OudSeverity.NONE, {"tolerance", "withdrawal"}),
        ({"tolerance", "withdrawal"}, False, 2, OudSeverity.MILD, set()),
        (
            {"tolerance", "withdrawal", "craving", "larger_amounts"},
            True,
            2,
            OudSeverity.MILD,
            {"tolerance", "withdrawal"},
        ),
        ({"tolerance", "withdrawal", "craving", "larger_amounts"}, False, 4, OudSeverity.MODERATE, set()),
        (
            {"tolerance", "craving", "time_spent", "role_failure", "hazardous_use", "social_problems"},
            True,
            5,
            OudSeverity.MODERATE,
            {"tolerance"},
        ),
        (set(ALL_KEYS), True, 9, OudSeverity.SEVERE, {"tolerance", "withdrawal"}),
        (set(ALL_KEYS), False, 11, OudSeverity.SEVERE, set()),
        (set(), True, 0, OudSeverity.NONE, set()),
    ],
)
def test_supervision_exclusion(met, supervised, count, severity, excluded):
    result = assess_oud(met, taken_as_prescribed_under_supervision=supervised)
    assert result.count == count and result.severity is severity
    assert {e.criterion.value for e in result.criteria_excluded} == excluded
    for item in result.criteria_excluded:
        assert "medical supervision" in item.reason and "not count" in item.reason.lower()


def test_counted_criteria_are_in_dsm_order_and_deduplicated():
    result = assess_oud(
        ["withdrawal", "craving", "craving", "larger_amounts"], taken_as_prescribed_under_supervision=False
    )
    assert result.criteria_counted == (OudCriterion.LARGER_AMOUNTS, OudCriterion.CRAVING, OudCriterion.WITHDRAWAL)
    assert result.count == 3


def test_enum_members_are_accepted_as_keys():
    result = assess_oud({OudCriterion.CRAVING, OudCriterion.TOLERANCE}, taken_as_prescribed_under_supervision=True)
    assert result.criteria_counted == (OudCriterion.CRAVING,)


def test_result_reminds_that_the_diagnosis_is_the_clinicians():
    result = assess_oud(["craving", "time_spent"], taken_as_prescribed_under_supervision=False)
    assert "clinician" in result.clinician_note and "12-month" in result.clinician_note


@pytest.mark.parametrize("bad", [["craving", "cravings"], ["Craving"], [3], [None]])
def test_unknown_criterion_keys_raise_naming_them(bad):
    with pytest.raises(UnknownKey) as err:
        assess_oud(bad, taken_as_prescribed_under_supervision=False)
    assert err.value.field == "criteria"
    assert repr([k for k in bad if k != "craving"][0]) in err.value.message


@pytest.mark.parametrize("bad", ["craving", b"craving", 5, None])
def test_criteria_must_be_a_collection(bad):
    with pytest.raises(InvalidValue) as err:
        assess_oud(bad, taken_as_prescribed_under_supervision=False)
    assert err.value.field == "criteria"


@pytest.mark.parametrize("bad", [None, "yes", 1, 0])
def test_supervision_answer_must_be_a_boolean(bad):
    with pytest.raises(InvalidValue) as err:
        assess_oud(["craving"], taken_as_prescribed_under_supervision=bad)
    assert err.value.field == "taken_as_prescribed_under_supervision"


def test_behaviour_checklist_keys_and_labels():
    assert [b.value for b in OudBehaviour] == [
        "more_than_prescribed",
        "cravings_between_doses",
        "early_refills",
        "lost_prescriptions",
        "multiple_prescribers",
        "use_for_mood_or_sleep",
        "hiding_use",
        "continued_despite_harm",
    ]
    assert all(b.label.strip() for b in OudBehaviour)


def test_reported_behaviours_come_back_in_checklist_order():
    assert reported_behaviours(["hiding_use", "early_refills", "hiding_use"]) == (
        OudBehaviour.EARLY_REFILLS,
        OudBehaviour.HIDING_USE,
    )
    assert reported_behaviours([]) == ()


@pytest.mark.parametrize(("bad", "error"), [(["doctor_shopping"], UnknownKey), ("hiding_use", InvalidValue)])
def test_reported_behaviours_reject_bad_input(bad, error):
    with pytest.raises(error) as err:
        reported_behaviours(bad)
    assert err.value.field == "behaviours" and isinstance(err.value, RuleError)


@given(st.sets(st.sampled_from(list(OudCriterion))), st.booleans())
def test_counted_and_excluded_partition_what_was_met(met, supervised):
    result = assess_oud({c.value for c in met}, taken_as_prescribed_under_supervision=supervised)
    counted, excluded = set(result.criteria_counted), {e.criterion for e in result.criteria_excluded}
    assert counted | excluded == met and not counted & excluded
    assert excluded == (met & PHYSIOLOGICAL_CRITERIA if supervised else set())
    assert result.count == len(counted)
    assert result.severity is severity_for_count(result.count)
    assert (result.icd10_family is None) == (result.severity is OudSeverity.NONE)


@given(st.sets(st.sampled_from(list(OudCriterion))), st.sampled_from(list(OudCriterion)))
def test_meeting_one_more_criterion_never_lowers_severity(met, extra):
    order = list(OudSeverity)
    before = assess_oud(met, taken_as_prescribed_under_supervision=False).severity
    after = assess_oud(met | {extra}, taken_as_prescribed_under_supervision=False).severity
    assert order.index(after) >= order.index(before)
