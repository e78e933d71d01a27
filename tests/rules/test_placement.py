"""Placement: worked cases from the six ASAM ratings and intake facts to a level and detox-first reasons."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator.rules.asam import FOURTH, THIRD, check_program_level
from coordinator.rules.errors import InvalidValue, UnknownKey
from coordinator.rules.placement import (
    DETOX_ORDER,
    LEVELS_OF_CARE,
    PlacementFacts,
    PlacementThresholds,
    dimension_name,
    recommend,
)

# No timing in tests: a busy CI machine must not fail an example for being slow.
NO_DEADLINE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

ZERO = {1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0}


def facts(ratings=None, **known):
    return PlacementFacts(ratings={**ZERO, **(ratings or {})}, **known)


def detox_codes(**known):
    return recommend(facts(**known), FOURTH).detox_reason_codes


# --- Level of care: (edition, ratings that differ from 0, level, ASAM level) -------------------
@pytest.mark.parametrize(
    ("edition", "ratings", "level", "asam_level"),
    [
        (THIRD, {}, "virtual_iop", "2.1"),
        (FOURTH, {}, "virtual_iop", "2.1"),
        (THIRD, {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}, "virtual_iop", "2.1"),  # all mild, home 0
        (THIRD, {6: 1}, "iop", "2.1"),  # 3rd: Dimension 6 is the recovery environment
        (FOURTH, {6: 1}, "virtual_iop", "2.1"),  # 4th: Dimension 6 is person-centred (readiness)
        (FOURTH, {5: 1}, "iop", "2.1"),  # 4th: Dimension 5 is the recovery environment
        (THIRD, {4: 2}, "iop", "2.1"),  # readiness 2: in person
        (FOURTH, {6: 2}, "iop", "2.1"),
        (THIRD, {4: 3}, "php", "2.5"),  # readiness 3: daily work
        (FOURTH, {4: 3}, "residential", "3.5"),  # 4th: Dimension 4 is substance-use risk
        (THIRD, {5: 3}, "residential", "3.5"),  # 3rd: Dimension 5 is relapse potential
        (FOURTH, {6: 4}, "php", "2.5"),  # readiness alone never asks for 24-hour care
        (THIRD, {1: 2}, "php", "2.5"),
        (THIRD, {3: 2}, "php", "2.5"),
        (FOURTH, {5: 2}, "php", "2.5"),
        (THIRD, {1: 3}, "residential", "3.7"),  # medical need: medically monitored
        (FOURTH, {2: 3}, "residential", "3.7"),
        (FOURTH, {3: 3}, "residential", "3.7"),
        (THIRD, {6: 3}, "residential", "3.5"),  # home makes recovery hard: clinically managed
        (FOURTH, {5: 4}, "residential", "3.5"),
        (THIRD, {1: 2, 6: 3}, "residential", "3.5"),  # the 24-hour need is the home, not medical
        (FOURTH, {1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4}, "residential", "3.7"),
    ],
)
def test_level_of_care_from_the_ratings(edition, ratings, level, asam_level):
    result = recommend(facts(ratings), edition)
    assert (result.level_of_care, result.asam_level, result.edition) == (level, asam_level, edition)
    check_program_level(level, edition, asam_level)
    assert result.reasons


def test_reasons_name_the_dimension_as_the_edition_names_it():
    third = recommend(facts({4: 3}), THIRD)
    fourth = recommend(facts({4: 3}), FOURTH)
    assert third.reasons == ("Dimension 4 (Readiness to Change) rated 3: engagement needs daily motivational work.",)
    assert fourth.reasons == (
        "Dimension 4 (Substance Use-Related Risks) rated 3: continued use is likely without 24-hour "
        "structure (e.g. failed home tapers).",
    )


def test_every_matching_rule_of_the_chosen_level_is_a_reason_and_lower_ones_are_not():
    result = recommend(facts({1: 3, 3: 3, 5: 2, 6: 1}), THIRD)
    assert result.level_of_care == "residential"
    assert [reason.split(" rated")[0] for reason in result.reasons] == [
        "Dimension 1 (Acute Intoxication and/or Withdrawal Potential)",
        "Dimension 3 (Emotional, Behavioral, or Cognitive Conditions and Complications)",
    ]


# --- Detox at the partner hospital first: each reason alone, boundaries, combinations -----------
@pytest.mark.parametrize(
    ("known", "codes"),
    [
        ({}, ()),
        ({"cows_score": 0}, ()),
        ({"cows_score": 12}, ()),  # mild
        ({"cows_score": 24}, ()),  # top of moderate
        ({"cows_score": 25}, ("cows",)),  # bottom of moderately severe
        ({"cows_score": 36}, ("cows",)),  # top of moderately severe (not severe)
        ({"cows_score": 37}, ("cows",)),  # bottom of severe
        ({"cows_score": 48}, ("cows",)),
        ({"mme_per_day": Decimal("199.99")}, ()),
        ({"mme_per_day": Decimal(200)}, ("very_high_mme",)),  # exactly at the threshold counts
        ({"mme_per_day": Decimal(480)}, ("very_high_mme",)),
        ({"mme_per_day": Decimal("89.99"), "long_acting_opioid": True}, ()),
        ({"mme_per_day": Decimal(90), "long_acting_opioid": True}, ("high_dose_long_acting",)),
        ({"mme_per_day": Decimal(90), "long_acting_opioid": False}, ()),
        ({"mme_per_day": None, "long_acting_opioid": True}, ()),  # dose unknown: said in not_checked
        ({"mme_per_day": Decimal(200), "long_acting_opioid": True}, ("very_high_mme", "high_dose_long_acting")),
        ({"medical_flags": frozenset({"cardiac_disease"})}, ("cardiac_disease",)),
        ({"medical_flags": frozenset({"respiratory_disease"})}, ("respiratory_disease",)),
        ({"co_use": frozenset({"benzodiazepines"})}, ("benzodiazepine",)),
        ({"co_use": frozenset({"alcohol"})}, ("alcohol",)),
        ({"co_use": frozenset({"stimulants", "cannabis"})}, ()),
        ({"medical_flags": frozenset({"benzodiazepine_use"})}, ("benzodiazepine",)),
        ({"medical_flags": frozenset({"alcohol_use"}), "co_use": frozenset({"alcohol"})}, ("alcohol",)),
        ({"prior_complicated_withdrawal": True}, ("complicated_withdrawal",)),
        ({"medical_flags": frozenset({"complicated_withdrawal_history"})}, ("complicated_withdrawal",)),
        ({"pregnant": True}, ("pregnancy",)),
        ({"medical_flags": frozenset({"pregnancy"})}, ("pregnancy",)),
        ({"recent_overdose": True}, ("recent_overdose",)),
        ({"ratings": {1: 4}}, ("dimension_1_rated_4",)),
        ({"ratings": {2: 4}}, ("dimension_2_rated_4",)),
        ({"ratings": {1: 3, 2: 3}}, ()),  # 3 is residential, not the hospital
        (  # the spouse's call: very high MME and a cardiac flag
            {"mme_per_day": Decimal(240), "medical_flags": frozenset({"cardiac_disease"})},
            ("very_high_mme", "cardiac_disease"),
        ),
        (
            {"cows_score": 26, "co_use": frozenset({"benzodiazepines", "alcohol"}), "pregnant": True},
            ("cows", "benzodiazepine", "alcohol", "pregnancy"),
        ),
    ],
)
def test_detox_reasons(known, codes):
    result = recommend(facts(**known), FOURTH)
    assert result.detox_reason_codes == codes
    assert result.detox_first is bool(codes)
    assert len(result.detox_reasons) == len(codes)
    assert all(result.detox_reasons)


def test_every_reason_at_once_is_listed_in_the_stable_order():
    result = recommend(
        facts(
            {1: 4, 2: 4},
            cows_score=40,
            mme_per_day=Decimal(300),
            long_acting_opioid=True,
            medical_flags=frozenset({"respiratory_disease", "cardiac_disease"}),
            co_use=frozenset({"alcohol", "benzodiazepines"}),
            pregnant=True,
            prior_complicated_withdrawal=True,
            recent_overdose=True,
        ),
        THIRD,
    )
    assert result.detox_reason_codes == DETOX_ORDER
    assert len(set(result.detox_reasons)) == len(DETOX_ORDER)
    assert (
        result.detox_reasons[0]
        == "COWS 40 (Severe (more than 36)): withdrawal at or above the clinic's threshold of 25"
    )
    assert result.detox_reasons[1] == (
        "Very high opioid load: 300 MME/day, at or above the clinic's threshold of 200 MME/day "
        "(a local setting, not a guideline number)"
    )
    assert result.detox_reasons[9] == "Overdose in the last 12 months"


def test_detox_first_keeps_the_level_to_transfer_into_and_says_so():
    result = recommend(
        facts({2: 3, 5: 2}, mme_per_day=Decimal(240), medical_flags=frozenset({"cardiac_disease"})), FOURTH
    )
    assert (result.detox_first, result.level_of_care, result.asam_level) == (True, "residential", "3.7")
    assert result.reasons[0].startswith("Detox at the partner hospital first")


def test_unknown_facts_are_named_not_silently_passed():
    assert len(recommend(facts(), THIRD).not_checked) == 2
    assert recommend(facts(cows_score=3, mme_per_day=Decimal(0)), THIRD).not_checked == ()


# --- Thresholds are clinic settings, shown beside the recommendation ---------------------------
def test_defaults_and_their_sources():
    default = PlacementThresholds.defaults()
    assert (default.very_high_mme, default.high_dose_long_acting_mme) == (Decimal(200), Decimal(90))
    assert (default.detox_cows_score, default.recent_overdose_months) == (25, 12)
    shown = {s.key: s for s in default.settings()}
    assert set(shown) == {"very_high_mme", "high_dose_long_acting_mme", "detox_cows_score", "recent_overdose_months"}
    assert all(s.source and s.value == s.default for s in shown.values())
    assert recommend(facts(), THIRD).thresholds == default


def test_a_clinic_threshold_changes_the_boundary_and_is_shown():
    clinic = PlacementThresholds(very_high_mme=Decimal(90), detox_cows_score=13, recent_overdose_months=6)
    result = recommend(facts(mme_per_day=Decimal(90), cows_score=13, recent_overdose=True), THIRD, clinic)
    assert result.detox_reason_codes == ("cows", "very_high_mme", "recent_overdose")
    assert result.detox_reasons[2] == "Overdose in the last 6 months"
    assert result.thresholds is clinic
    assert {s.key: (s.value, s.default) for s in clinic.settings()}["very_high_mme"] == ("90", "200")
    assert recommend(facts(mme_per_day=Decimal("89.9")), THIRD, clinic).detox_first is False


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"very_high_mme": Decimal(0)}, "very_high_mme"),
        ({"very_high_mme": Decimal(-5)}, "very_high_mme"),
        ({"very_high_mme": Decimal("NaN")}, "very_high_mme"),
        ({"high_dose_long_acting_mme": "lots"}, "high_dose_long_acting_mme"),
        ({"detox_cows_score": 0}, "detox_cows_score"),
        ({"detox_cows_score": 49}, "detox_cows_score"),
        ({"recent_overdose_months": 0}, "recent_overdose_months"),
        ({"recent_overdose_months": True}, "recent_overdose_months"),
    ],
)
def test_impossible_thresholds_are_refused(settings, field):
    with pytest.raises(InvalidValue) as refused:
        PlacementThresholds(**settings)
    assert refused.value.field == field


# --- Bad input: a clear message naming the field --------------------------------------------------
@pytest.mark.parametrize(
    ("ratings", "field", "words"),
    [
        ({**ZERO, 3: 5}, "dimension_3", "choose 0 to 4"),
        ({**ZERO, 1: -1}, "dimension_1", "choose 0 to 4"),
        ({**ZERO, 2: True}, "dimension_2", "choose 0 to 4"),
        ({**ZERO, 4: "2"}, "dimension_4", "choose 0 to 4"),
        ({**ZERO, 5: 2.0}, "dimension_5", "choose 0 to 4"),
        ({1: 0, 2: 0, 3: 0, 4: 0, 5: 0}, "dimension_6", "rate it"),
        ({}, "dimension_1", "rate it"),
        ({**ZERO, 7: 0}, "ratings", "numbered 1 to 6"),
        ({**{str(k): v for k, v in ZERO.items()}}, "ratings", "numbered 1 to 6"),
        ([0, 0, 0, 0, 0, 0], "ratings", "six ASAM dimensions"),
    ],
)
def test_bad_ratings_are_refused(ratings, field, words):
    with pytest.raises(InvalidValue) as refused:
        recommend(PlacementFacts(ratings=ratings), THIRD)
    assert refused.value.field == field
    assert words in refused.value.message


@pytest.mark.parametrize("edition", ["fifth", "3", "", None, "THIRD_2013"])
def test_an_unknown_edition_is_refused(edition):
    with pytest.raises(InvalidValue) as refused:
        recommend(facts(), edition)
    assert refused.value.field == "asam_edition"


@pytest.mark.parametrize(
    ("known", "field"),
    [
        ({"cows_score": 49}, "cows_score"),
        ({"cows_score": -1}, "cows_score"),
        ({"cows_score": True}, "cows_score"),
        ({"mme_per_day": Decimal(-1)}, "mme_per_day"),
        ({"mme_per_day": Decimal("Infinity")}, "mme_per_day"),
        ({"mme_per_day": 1.5}, "mme_per_day"),
        ({"long_acting_opioid": "yes"}, "long_acting_opioid"),
        ({"pregnant": None}, "pregnant"),
        ({"medical_flags": "cardiac_disease"}, "medical_flags"),
        ({"co_use": "alcohol"}, "co_use"),
    ],
)
def test_bad_facts_are_refused(known, field):
    with pytest.raises(InvalidValue) as refused:
        recommend(facts(**known), FOURTH)
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("known", "field"),
    [({"medical_flags": frozenset({"heart"})}, "medical_flags"), ({"co_use": frozenset({"benzodiazepine"})}, "co_use")],
)
def test_unknown_flags_and_substances_are_refused(known, field):
    with pytest.raises(UnknownKey) as refused:
        recommend(facts(**known), FOURTH)
    assert refused.value.field == field


def test_dimension_names_by_edition():
    assert dimension_name(THIRD, 4) == "Readiness to Change"
    assert dimension_name(FOURTH, 6) == "Person-Centered Considerations"
    with pytest.raises(InvalidValue):
        dimension_name(FOURTH, 7)


# --- Invariants over any valid facts -------------------------------------------------------------
rating_sets = st.fixed_dictionaries({n: st.integers(0, 4) for n in range(1, 7)})
any_facts = st.builds(
    PlacementFacts,
    ratings=rating_sets,
    cows_score=st.none() | st.integers(0, 48),
    mme_per_day=st.none() | st.decimals(0, 1000, places=2),
    long_acting_opioid=st.booleans(),
    medical_flags=st.frozensets(st.sampled_from(["cardiac_disease", "respiratory_disease", "pregnancy"])),
    co_use=st.frozensets(st.sampled_from(["alcohol", "benzodiazepines", "stimulants"])),
    pregnant=st.booleans(),
    prior_complicated_withdrawal=st.booleans(),
    recent_overdose=st.booleans(),
)


@NO_DEADLINE
@given(any_facts, st.sampled_from([THIRD, FOURTH]))
def test_any_valid_facts_give_a_level_of_that_edition_and_consistent_reasons(known, edition):
    result = recommend(known, edition)
    assert result.level_of_care in LEVELS_OF_CARE
    check_program_level(result.level_of_care, edition, result.asam_level)
    assert result.detox_first is bool(result.detox_reason_codes)
    assert list(result.detox_reason_codes) == [c for c in DETOX_ORDER if c in result.detox_reason_codes]
    assert len(result.detox_reasons) == len(result.detox_reason_codes)


@NO_DEADLINE
@given(rating_sets, st.integers(1, 6), st.sampled_from([THIRD, FOURTH]))
def test_a_higher_rating_never_recommends_less_care(ratings, dimension, edition):
    before = recommend(PlacementFacts(ratings=ratings), edition)
    raised = {**ratings, dimension: min(4, ratings[dimension] + 1)}
    after = recommend(PlacementFacts(ratings=raised), edition)
    assert LEVELS_OF_CARE.index(after.level_of_care) <= LEVELS_OF_CARE.index(before.level_of_care)
    assert set(before.detox_reason_codes) <= set(after.detox_reason_codes)


# --- One list of detox reasons: the screening card and the recommendation word each alike -------
# (screening flags, screening MME, placement facts, the card's code, the recommendation's code,
# the one wording both show; the card adds what to arrange after it)
@pytest.mark.parametrize(
    ("flags", "mme", "known", "card_code", "code", "wording"),
    [
        (
            ["cardiac_disease"],
            None,
            {"medical_flags": frozenset({"cardiac_disease"})},
            "cardiac_disease",
            "cardiac_disease",
            "Heart disease: withdrawal raises heart rate and blood pressure",
        ),
        (
            ["respiratory_disease"],
            None,
            {"medical_flags": frozenset({"respiratory_disease"})},
            "respiratory_disease",
            "respiratory_disease",
            "Lung or breathing disease: higher risk of dangerous breathing suppression from opioids and "
            "sedating medicines",
        ),
        (
            ["benzodiazepine_use"],
            None,
            {"co_use": frozenset({"benzodiazepines"})},
            "benzodiazepine_use",
            "benzodiazepine",
            "Benzodiazepine co-use: adds to breathing suppression, and benzodiazepine withdrawal can cause seizures",
        ),
        (
            ["alcohol_use"],
            None,
            {"medical_flags": frozenset({"alcohol_use"})},
            "alcohol_use",
            "alcohol",
            "Alcohol co-use: adds to breathing suppression, and alcohol withdrawal can cause seizures or delirium",
        ),
        (
            ["complicated_withdrawal_history"],
            None,
            {"prior_complicated_withdrawal": True},
            "complicated_withdrawal_history",
            "complicated_withdrawal",
            "Past withdrawal with seizures or delirium",
        ),
        (
            ["pregnancy"],
            None,
            {"pregnant": True},
            "pregnancy",
            "pregnancy",
            "Pregnancy: coordinate with obstetrics; any withdrawal management only in hospital with obstetric "
            "care (medication for opioid use disorder is usually preferred)",
        ),
        (
            ["recent_overdose"],
            None,
            {"recent_overdose": True},
            "recent_overdose",
            "recent_overdose",
            "Overdose in the last 12 months",
        ),
        (
            [],
            Decimal(250),
            {"mme_per_day": Decimal(250)},
            "high_mme",
            "very_high_mme",
            "Very high opioid load: 250 MME/day, at or above the clinic's threshold of 200 MME/day "
            "(a local setting, not a guideline number)",
        ),
    ],
)
def test_the_screening_card_and_the_recommendation_word_a_reason_alike(flags, mme, known, card_code, code, wording):
    from coordinator.rules.medical_flags import detox_reasons

    (card,) = detox_reasons(flags, total_mme=mme)
    result = recommend(facts(**known), THIRD)
    assert card.code == card_code and card.message.startswith(f"{wording}.")
    assert result.detox_reason_codes == (code,) and result.detox_reasons == (wording,)
