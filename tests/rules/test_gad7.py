"""GAD-7: bands at every boundary and validation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.errors import InvalidValue, MissingValue, RuleErrors, UnknownKey
from coordinator.rules.gad7 import BANDS, ITEMS, MAX_TOTAL, RESPONSES, Gad7Band, gad7_band, score_gad7

KEYS = [key for key, _ in ITEMS]
ZERO = {key: 0 for key in KEYS}


def answers_totalling(total):
    """Answers adding up to `total`, filling items in order."""
    answers, left = dict(ZERO), total
    for key in KEYS:
        answers[key] = min(3, left)
        left -= answers[key]
    return answers


def test_seven_items_with_text_and_four_responses():
    assert len(ITEMS) == 7 and all(text for _, text in ITEMS)
    assert [score for score, _ in RESPONSES] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, Gad7Band.MINIMAL),
        (4, Gad7Band.MINIMAL),
        (5, Gad7Band.MILD),
        (9, Gad7Band.MILD),
        (10, Gad7Band.MODERATE),
        (14, Gad7Band.MODERATE),
        (15, Gad7Band.SEVERE),
        (21, Gad7Band.SEVERE),
    ],
)
def test_band_boundaries(total, band):
    assert gad7_band(total) is band
    result = score_gad7(answers_totalling(total))
    assert (result.total, result.band) == (total, band)


def test_bands_cover_zero_to_21_without_gaps_or_overlaps():
    assert [t for _, low, high in BANDS for t in range(low, high + 1)] == list(range(MAX_TOTAL + 1))


@pytest.mark.parametrize("bad", [-1, 22, True, "5", None])
def test_band_rejects_impossible_totals(bad):
    with pytest.raises(InvalidValue):
        gad7_band(bad)


def test_radio_button_strings_are_accepted():
    assert score_gad7({key: " 2 " for key in KEYS}).total == 14


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("bad", [4, -1, True, "x", 2.5])
def test_out_of_range_answers_are_refused(key, bad):
    with pytest.raises(InvalidValue) as err:
        score_gad7(dict(ZERO, **{key: bad}))
    assert err.value.field == key and "0, 1, 2 or 3" in err.value.message


@pytest.mark.parametrize("key", KEYS)
def test_missing_answers_are_refused(key):
    answers = dict(ZERO)
    del answers[key]
    with pytest.raises(MissingValue) as err:
        score_gad7(answers)
    assert err.value.field == key


def test_an_empty_form_reports_every_question():
    with pytest.raises(RuleErrors) as err:
        score_gad7({})
    assert [field for field, _ in err.value.errors] == KEYS


@pytest.mark.parametrize("bad", [{"panic": 1}, {1: 1}])
def test_unknown_questions_are_refused(bad):
    with pytest.raises(UnknownKey):
        score_gad7(ZERO | bad)


@given(st.fixed_dictionaries({key: st.integers(min_value=0, max_value=3) for key in KEYS}))
def test_any_valid_form(answers):
    result = score_gad7(answers)
    assert 0 <= result.total <= MAX_TOTAL and result.total == sum(answers.values())
    assert [band for band, low, high in BANDS if low <= result.total <= high] == [result.band]
