"""COWS: allowed scores per item, every band boundary, and totals for any valid answer set."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.cows import BANDS, ITEMS, ITEMS_BY_KEY, MAX_TOTAL, CowsBand, cows_band, score_cows
from coordinator.rules.errors import InvalidValue, MissingValue, RuleErrors, UnknownKey

# DOMAIN.md Part 2 section 2, typed in again here so a slip in the module cannot hide.
ALLOWED = {
    "resting_pulse": (0, 1, 2, 4),
    "sweating": (0, 1, 2, 3, 4),
    "restlessness": (0, 1, 3, 5),
    "pupil_size": (0, 1, 2, 5),
    "bone_joint_aches": (0, 1, 2, 4),
    "runny_nose_tearing": (0, 1, 2, 4),
    "gi_upset": (0, 1, 2, 3, 5),
    "tremor": (0, 1, 2, 4),
    "yawning": (0, 1, 2, 4),
    "anxiety_irritability": (0, 1, 2, 4),
    "gooseflesh": (0, 3, 5),
}
ZERO = {key: 0 for key in ALLOWED}
# Pulse, sweating, restlessness, pupils and aches at their maximum: 4 + 4 + 5 + 5 + 4 = 22.
HIGH = {**ZERO, "resting_pulse": 4, "sweating": 4, "restlessness": 5, "pupil_size": 5, "bone_joint_aches": 4}


def test_items_and_allowed_scores_match_the_scale():
    assert [item.key for item in ITEMS] == list(ALLOWED)
    assert [item.number for item in ITEMS] == list(range(1, 12))
    for item in ITEMS:
        assert item.allowed_scores == ALLOWED[item.key]
        assert item.label and all(anchor for _, anchor in item.options)
    assert sum(max(scores) for scores in ALLOWED.values()) == MAX_TOTAL == 48


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, CowsBand.NONE_MINIMAL),
        (4, CowsBand.NONE_MINIMAL),
        (5, CowsBand.MILD),
        (12, CowsBand.MILD),
        (13, CowsBand.MODERATE),
        (24, CowsBand.MODERATE),
        (25, CowsBand.MODERATELY_SEVERE),
        (36, CowsBand.MODERATELY_SEVERE),
        (37, CowsBand.SEVERE),
        (48, CowsBand.SEVERE),
    ],
)
def test_band_boundaries(total, band):
    assert cows_band(total) is band


def test_thirty_six_is_moderately_severe_not_severe():
    assert cows_band(36) is CowsBand.MODERATELY_SEVERE
    assert "36" in CowsBand.MODERATELY_SEVERE.label


def test_lowest_band_says_the_original_has_no_label():
    assert "no label" in CowsBand.NONE_MINIMAL.label and "0-4" in CowsBand.NONE_MINIMAL.label


def test_bands_cover_zero_to_48_without_gaps_or_overlaps():
    covered = [t for _, low, high in BANDS for t in range(low, high + 1)]
    assert covered == list(range(0, MAX_TOTAL + 1))


@pytest.mark.parametrize("bad", [-1, 49, True, "12", 4.0, None])
def test_band_rejects_impossible_totals(bad):
    with pytest.raises(InvalidValue) as err:
        cows_band(bad)
    assert err.value.field == "total"


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        (ZERO, 0, CowsBand.NONE_MINIMAL),
        ({**ZERO, "resting_pulse": 4}, 4, CowsBand.NONE_MINIMAL),
        ({**ZERO, "resting_pulse": 4, "yawning": 1}, 5, CowsBand.MILD),
        ({**ZERO, "restlessness": 5, "gooseflesh": 5, "yawning": 2}, 12, CowsBand.MILD),
        ({**ZERO, "restlessness": 5, "gooseflesh": 5, "yawning": 2, "tremor": 1}, 13, CowsBand.MODERATE),
        ({**HIGH, "runny_nose_tearing": 2}, 24, CowsBand.MODERATE),
        ({**HIGH, "runny_nose_tearing": 2, "yawning": 1}, 25, CowsBand.MODERATELY_SEVERE),
        ({**HIGH, "runny_nose_tearing": 4, "gi_upset": 5, "tremor": 4, "yawning": 1}, 36, CowsBand.MODERATELY_SEVERE),
        (
            {**HIGH, "runny_nose_tearing": 4, "gi_upset": 5, "tremor": 4, "yawning": 1, "anxiety_irritability": 1},
            37,
            CowsBand.SEVERE,
        ),
        ({key: max(s) for key, s in ALLOWED.items()}, 48, CowsBand.SEVERE),
    ],
)
def test_scored_forms_at_each_boundary(answers, total, band):
    result = score_cows(answers)
    assert (result.total, result.band) == (total, band)
    assert [key for key, _ in result.scores] == list(ALLOWED)


INVALID = [(key, score) for key, allowed in ALLOWED.items() for score in range(-1, 7) if score not in allowed]


@pytest.mark.parametrize(("key", "score"), INVALID)
def test_every_score_outside_an_items_set_is_refused(key, score):
    with pytest.raises(InvalidValue) as err:
        score_cows({**ZERO, key: score})
    assert err.value.field == key
    assert ITEMS_BY_KEY[key].label in err.value.message
    assert " or " in err.value.message  # the message lists the scores that are allowed


def test_pulse_of_three_is_refused_with_the_allowed_scores():
    with pytest.raises(InvalidValue) as err:
        score_cows({**ZERO, "resting_pulse": 3})
    assert "0, 1, 2 or 4" in err.value.message


@pytest.mark.parametrize("bad", [True, False, "two", 2.0, "", None, [1]])
def test_non_integer_scores_are_refused(bad):
    with pytest.raises((InvalidValue, MissingValue)) as err:
        score_cows({**ZERO, "sweating": bad})
    assert err.value.field == "sweating"


def test_radio_button_strings_are_accepted():
    assert score_cows({key: str(max(s)) for key, s in ALLOWED.items()}).total == 48


@pytest.mark.parametrize("key", list(ALLOWED))
def test_each_missing_item_is_an_error(key):
    answers = dict(ZERO)
    del answers[key]
    with pytest.raises(MissingValue) as err:
        score_cows(answers)
    assert err.value.field == key


def test_an_empty_form_reports_all_eleven_items():
    with pytest.raises(RuleErrors) as err:
        score_cows({})
    assert [field for field, _ in err.value.errors] == list(ALLOWED)


def test_unknown_items_are_refused():
    with pytest.raises(UnknownKey) as err:
        score_cows({**ZERO, "heart_rate": 1})
    assert err.value.field == "heart_rate"


@pytest.mark.parametrize("bad", [None, [0] * 11, "0"])
def test_answers_must_be_a_mapping(bad):
    with pytest.raises(InvalidValue):
        score_cows(bad)


@given(st.fixed_dictionaries({key: st.sampled_from(scores) for key, scores in ALLOWED.items()}))
def test_any_valid_form_totals_within_range_and_lands_in_exactly_one_band(answers):
    result = score_cows(answers)
    assert 0 <= result.total <= MAX_TOTAL
    assert result.total == sum(answers.values())
    matching = [band for band, low, high in BANDS if low <= result.total <= high]
    assert matching == [result.band]
