"""PHQ-9: bands at every boundary, validation, and the item-9 same-day review flag."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.errors import InvalidValue, MissingValue, RuleErrors, UnknownKey
from coordinator.rules.phq9 import BANDS, ITEMS, MAX_TOTAL, RESPONSES, Phq9Band, phq9_band, score_phq9

KEYS = [key for key, _ in ITEMS]
ZERO = {key: 0 for key in KEYS}


def answers_totalling(total, self_harm=0):
    """Answers adding up to `total`, filling items 1-8 first so item 9 stays as given."""
    answers, left = dict(ZERO, self_harm=self_harm), total - self_harm
    for key in KEYS[:-1]:
        answers[key] = min(3, left)
        left -= answers[key]
    assert left == 0
    return answers


def test_nine_items_with_text_and_four_responses():
    assert len(ITEMS) == 9 and KEYS[-1] == "self_harm"
    assert all(text for _, text in ITEMS)
    assert [score for score, _ in RESPONSES] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, Phq9Band.MINIMAL),
        (4, Phq9Band.MINIMAL),
        (5, Phq9Band.MILD),
        (9, Phq9Band.MILD),
        (10, Phq9Band.MODERATE),
        (14, Phq9Band.MODERATE),
        (15, Phq9Band.MODERATELY_SEVERE),
        (19, Phq9Band.MODERATELY_SEVERE),
        (20, Phq9Band.SEVERE),
        (27, Phq9Band.SEVERE),
    ],
)
def test_band_boundaries(total, band):
    assert phq9_band(total) is band
    result = score_phq9(answers_totalling(total, self_harm=max(0, total - 24)))
    assert (result.total, result.band) == (total, band)


def test_bands_cover_zero_to_27_without_gaps_or_overlaps():
    assert [t for _, low, high in BANDS for t in range(low, high + 1)] == list(range(MAX_TOTAL + 1))


@pytest.mark.parametrize("bad", [-1, 28, True, "5", None])
def test_band_rejects_impossible_totals(bad):
    with pytest.raises(InvalidValue):
        phq9_band(bad)


def test_no_symptoms():
    result = score_phq9(ZERO)
    assert (result.total, result.band, result.safety_flags) == (0, Phq9Band.MINIMAL, ())


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_any_self_harm_answer_flags_same_day_review_even_with_a_minimal_total(item9):
    result = score_phq9(dict(ZERO, self_harm=item9))
    assert result.band is Phq9Band.MINIMAL
    (flag,) = result.safety_flags
    assert flag.item == "self_harm" and "same-day clinical review" in flag.message.lower()


def test_a_high_total_without_item_nine_raises_no_flag():
    result = score_phq9(answers_totalling(24))
    assert result.band is Phq9Band.SEVERE and result.safety_flags == ()


def test_radio_button_strings_are_accepted():
    assert score_phq9({key: "3" for key in KEYS}).total == 27


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("bad", [4, -1, 10, True, "x", 1.5])
def test_out_of_range_answers_are_refused(key, bad):
    with pytest.raises(InvalidValue) as err:
        score_phq9(dict(ZERO, **{key: bad}))
    assert err.value.field == key and "0, 1, 2 or 3" in err.value.message


@pytest.mark.parametrize("key", KEYS)
def test_missing_answers_are_refused(key):
    answers = dict(ZERO)
    answers[key] = ""
    with pytest.raises(MissingValue) as err:
        score_phq9(answers)
    assert err.value.field == key


def test_an_empty_form_reports_every_question():
    with pytest.raises(RuleErrors) as err:
        score_phq9({})
    assert [field for field, _ in err.value.errors] == KEYS


def test_unknown_questions_are_refused():
    with pytest.raises(UnknownKey):
        score_phq9(dict(ZERO, q10=1))


@given(st.fixed_dictionaries({key: st.integers(min_value=0, max_value=3) for key in KEYS}))
def test_any_valid_form(answers):
    result = score_phq9(answers)
    assert 0 <= result.total <= MAX_TOTAL and result.total == sum(answers.values())
    assert [band for band, low, high in BANDS if low <= result.total <= high] == [result.band]
    assert bool(result.safety_flags) == (answers["self_harm"] > 0)
