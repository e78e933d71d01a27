"""MME/day with the CDC 2022 factors: worked examples, thresholds, exclusions and validation."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.errors import InvalidValue, MissingValue, RuleError, RuleErrors, UnknownKey
from coordinator.rules.mme import CAUTIONS, DRUGS, DRUGS_BY_KEY, MCG_PER_HR, RegimenLine, calculate_mme

CDC_2022_FACTORS = {
    "codeine": D("0.15"),
    "fentanyl_transdermal": D("2.4"),
    "hydrocodone": D("1"),
    "hydromorphone": D("5"),
    "methadone": D("4.7"),
    "morphine": D("1"),
    "oxycodone": D("1.5"),
    "oxymorphone": D("3"),
    "tapentadol": D("0.4"),
    "tramadol": D("0.2"),
}
BUPRENORPHINE_REASON = "buprenorphine is left out of the CDC 2022 MME table (partial agonist)"
MOUD_REASON = "MME thresholds do not apply to medication for opioid use disorder"
NALTREXONE_REASON = "naltrexone is not an opioid agonist (it blocks opioid receptors): no MME"
FLAG_50 = (
    "CDC 2022: pause and carefully reassess before increasing; offer naloxone",
    "CDC 2022 Clinical Practice Guideline",
)
FLAG_90 = (
    "2016 CDC guideline / common payer threshold",
    "CDC 2016 Guideline for Prescribing Opioids for Chronic Pain (superseded in 2022); "
    "still used by many states and payers",
)


def raw(drug="oxycodone", dose="5", unit="mg", per_day=2, **extra):
    return {"drug": drug, "dose": dose, "unit": unit, "doses_per_day": per_day, **extra}


def oral(drug, dose, per_day, purpose="pain"):
    return raw(drug, D(str(dose)), "mg", per_day, purpose=purpose)


def patch(strength, drug="fentanyl_transdermal"):
    return raw(drug, D(str(strength)), MCG_PER_HR, None)


def total(*lines):
    return calculate_mme(lines).total_mme_per_day


def test_factor_table_is_cdc_2022_exactly_and_the_catalogue_can_feed_a_select_list():
    counted = {d.key: d.factor for d in DRUGS if d.factor is not None}
    assert counted == CDC_2022_FACTORS and all(isinstance(f, D) for f in counted.values())
    assert len({d.key for d in DRUGS}) == len(DRUGS) == len(DRUGS_BY_KEY)
    assert all(d.name and d.route and d.units == tuple(d.dose_limits) for d in DRUGS)
    assert DRUGS_BY_KEY["fentanyl_transdermal"].units == ("mcg/hr",)
    assert {"buprenorphine", "buprenorphine_naloxone", "naltrexone"} <= set(DRUGS_BY_KEY)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # CDC 2022 table notes
        ([oral("hydrocodone", 5, 4)], "20.0"),
        ([oral("oxycodone", 10, 2)], "30.0"),  # ER oxycodone 10 mg twice a day
        ([patch(25)], "60.0"),
        # 2016 factors would give 80 (methadone 20 mg x 4), 64 and 20: the 2022 ones must win.
        ([oral("methadone", 20, 1)], "94.0"),
        ([oral("methadone", 10, 3)], "141.0"),  # 2016 tier 8 would say 240
        ([oral("methadone", 5, 1)], "23.5"),
        ([oral("hydromorphone", 4, 4)], "80.0"),
        ([oral("tramadol", 50, 4)], "40.0"),
        ([oral("codeine", 30, 4)], "18.0"),
        ([oral("morphine", 30, 2)], "60.0"),
        ([oral("oxymorphone", 10, 2)], "60.0"),
        ([oral("tapentadol", 100, 2)], "80.0"),
        ([oral("hydrocodone", "7.5", 4)], "30.0"),
        ([patch(12)], "28.8"),
        ([patch(100)], "240.0"),
        # several drugs add up
        ([oral("oxycodone", 10, 4), oral("hydrocodone", 5, 4)], "80.0"),
        ([patch(50), oral("oxycodone", 5, 4)], "150.0"),
        ([patch(75), patch(25)], "240.0"),  # two patches worn at once
        ([oral("tramadol", 50, 4), oral("codeine", 30, 2), oral("morphine", 15, 1)], "64.0"),
        ([oral("methadone", 20, 1), oral("hydromorphone", 4, 4), oral("tramadol", 50, 4)], "214.0"),
        ([], "0.0"),
    ],
)
def test_worked_examples(lines, expected):
    assert total(*lines) == D(expected)


@pytest.mark.parametrize(
    ("lines", "expected_total", "flags"),
    [
        ([oral("morphine", "49.9", 1)], "49.9", []),
        ([oral("morphine", 50, 1)], "50.0", [FLAG_50]),
        ([oral("morphine", "89.9", 1)], "89.9", [FLAG_50]),
        ([oral("morphine", 90, 1)], "90.0", [FLAG_50, FLAG_90]),
        ([oral("oxycodone", 20, 2), oral("hydrocodone", 10, 1)], "70.0", [FLAG_50]),
        ([oral("oxycodone", 15, 4)], "90.0", [FLAG_50, FLAG_90]),
        # The flag follows the number shown: 49.95 displays as 50.0 and is flagged.
        ([oral("codeine", 333, 1)], "50.0", [FLAG_50]),
        ([oral("morphine", "49.94", 1)], "49.9", []),
    ],
)
def test_threshold_flags_at_the_boundaries(lines, expected_total, flags):
    result = calculate_mme(lines)
    assert result.total_mme_per_day == D(expected_total)
    assert [(f.message, f.source) for f in result.flags] == flags


def test_line_detail_shows_the_factor_used():
    result = calculate_mme([oral("hydromorphone", 4, 4), patch(25)])
    assert [(x.daily_dose, x.daily_dose_unit, x.factor, x.mme_per_day) for x in result.lines] == [
        (D(16), "mg/day", D(5), D("80.0")),
        (D(25), "mcg/hr", D("2.4"), D("60.0")),
    ]
    assert result.total_mme_per_day.as_tuple().exponent == -1
    assert result.cautions == CAUTIONS


@pytest.mark.parametrize(
    ("line", "reason_parts"),
    [
        (oral("buprenorphine", 8, 2), [BUPRENORPHINE_REASON]),
        (oral("buprenorphine", 8, 2, purpose="oud"), [BUPRENORPHINE_REASON, MOUD_REASON]),
        (raw("buprenorphine", D(300), per_day=None), [BUPRENORPHINE_REASON]),  # monthly injection
        (raw("buprenorphine", D(450), "mcg"), [BUPRENORPHINE_REASON]),
        (patch(20, drug="buprenorphine"), [BUPRENORPHINE_REASON]),
        (oral("buprenorphine_naloxone", 8, 2, purpose="oud"), [BUPRENORPHINE_REASON, MOUD_REASON]),
        (oral("methadone", 80, 1, purpose="oud"), [MOUD_REASON]),
        (raw("methadone", D(120), per_day=None, purpose="oud"), [MOUD_REASON]),
        (oral("naltrexone", 50, 1), [NALTREXONE_REASON]),
        (raw("naltrexone", D(380), per_day=None, purpose="oud"), [NALTREXONE_REASON]),
    ],
)
def test_moud_and_non_agonists_are_excluded_with_reasons(line, reason_parts):
    result = calculate_mme([oral("oxycodone", 10, 2), line])
    assert result.total_mme_per_day == D("30.0")
    (excluded,) = result.excluded
    assert excluded.index == 1 and excluded.drug == line["drug"]
    assert excluded.reason == "; ".join(reason_parts)


def line_error(line, field):
    with pytest.raises(RuleError) as err:
        calculate_mme([oral("oxycodone", 5, 4), line])  # a valid first line, so errors are lines-1-*
    problems = {p.field: p for p in getattr(err.value, "problems", (err.value,))}
    return problems[f"lines-1-{field}"]


@pytest.mark.parametrize(
    ("line", "field", "error", "fragment"),
    [
        (raw("meperidine"), "drug", UnknownKey, "'meperidine'"),
        (raw("Oxycodone ER"), "drug", UnknownKey, "'Oxycodone ER'"),
        (raw(""), "drug", MissingValue, "medicine"),
        (raw(unit="mcg/hr"), "unit", InvalidValue, "Oxycodone is entered in mg"),
        (raw(unit="g"), "unit", InvalidValue, "not 'g'"),
        (raw("fentanyl_transdermal", "25", "mg", None), "unit", InvalidValue, "mcg/hr"),
        (raw("fentanyl_transdermal", "25", "mcg", None), "unit", InvalidValue, "mcg/hr"),
        (raw(unit=None), "unit", MissingValue, "unit"),
        (raw(dose=" "), "dose", MissingValue, "dose"),
        (raw(dose="1000.1", per_day=1), "dose", InvalidValue, "not a plausible single dose of Oxycodone"),
        (raw(dose=5000), "dose", InvalidValue, "limit 1000 mg"),
        (raw("hydromorphone", 501), "dose", InvalidValue, "plausible"),
        (patch("1000.5"), "dose", InvalidValue, "limit 1000 mcg/hr"),
        (raw(per_day=None), "doses_per_day", MissingValue, "per day"),
        (raw("methadone", 20, per_day=None, purpose="pain"), "doses_per_day", MissingValue, "per day"),
        ({**patch(25), "doses_per_day": 1}, "doses_per_day", InvalidValue, "blank for a patch"),
        (raw(purpose="oud"), "purpose", InvalidValue, "methadone, buprenorphine and naltrexone"),
        (raw(purpose="recreational"), "purpose", InvalidValue, "opioid use disorder"),
    ],
)
def test_invalid_lines_name_the_field(line, field, error, fragment):
    problem = line_error(line, field)
    assert isinstance(problem, error) and fragment in problem.message


@pytest.mark.parametrize("dose", [0, -5, "-1", "NaN", "Infinity", "ten", "1,5", True, [5], D("-0")])
def test_impossible_doses_are_refused(dose):
    assert isinstance(line_error(raw(dose=dose), "dose"), InvalidValue)


@pytest.mark.parametrize("per_day", [0, 25, 2.5, True, "-1", "two", D(2)])
def test_doses_per_day_must_be_a_whole_number_from_1_to_24(per_day):
    assert "1 to 24" in line_error(raw(per_day=per_day), "doses_per_day").message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (oral("oxycodone", 1000, 1), "1500.0"),  # limits are inclusive
        (patch(1000), "2400.0"),
        (raw(" oxycodone ", "10", " MG ", "2"), "30.0"),
        (raw(dose=10), "30.0"),
        (raw("hydrocodone", 7.5, per_day=4), "30.0"),
        (raw(dose=D(10), purpose="", csrf_token="ignored"), "30.0"),
    ],
)
def test_form_shaped_input_is_normalised(line, expected):
    assert total(line) == D(expected)


def test_regimen_line_used_directly():
    line = RegimenLine(drug="morphine", dose=0.1, unit="mg", doses_per_day=3)
    assert line.dose == D("0.1") and total(line) == D("0.3")  # no binary float noise
    with pytest.raises(InvalidValue) as err:
        RegimenLine(drug="oxycodone", dose=D(5), unit="mg", doses_per_day=30)
    assert err.value.field == "doses_per_day" and isinstance(err.value, ValueError)


def test_every_problem_is_reported_at_once():
    with pytest.raises(RuleErrors) as err:
        calculate_mme([raw("meperidine", "x", per_day=0), {}])
    assert [field for field, _ in err.value.errors] == [
        "lines-0-drug",
        "lines-0-dose",
        "lines-0-doses_per_day",
        "lines-1-drug",
        "lines-1-unit",
        "lines-1-dose",
    ]
    assert all(message for _, message in err.value.errors)


def test_regimen_lines_and_mappings_mix_and_keep_their_index():
    result = calculate_mme([RegimenLine("naltrexone", D(50), "mg", 1), oral("morphine", 10, 3)])
    assert result.excluded[0].index == 0 and result.lines[0].index == 1
    with pytest.raises(InvalidValue) as err:
        calculate_mme([oral("morphine", 10, 3), "oxycodone"], field_prefix="meds")
    assert err.value.field == "meds-1-drug"
    for bad in ["oxycodone", {"drug": "oxycodone"}, 42, None]:
        with pytest.raises(InvalidValue, match="list of lines"):
            calculate_mme(bad)


@st.composite
def counted_lines(draw):
    drug = draw(st.sampled_from([d for d in DRUGS if d.factor is not None]))
    unit = drug.units[0]
    dose = draw(st.decimals(min_value=D("0.1"), max_value=drug.dose_limits[unit], places=1))
    per_day = None if unit == MCG_PER_HR else draw(st.integers(min_value=1, max_value=24))
    return raw(drug.key, dose, unit, per_day)


@given(st.lists(counted_lines(), max_size=6))
def test_total_is_the_rounded_sum_and_flags_follow_it(lines):
    result = calculate_mme(lines)
    exact = sum((line.daily_dose * line.factor for line in result.lines), D(0))
    assert result.total_mme_per_day == exact.quantize(D("0.1"), rounding="ROUND_HALF_UP")
    assert result.total_mme_per_day >= 0 and not result.excluded
    thresholds = [f.threshold for f in result.flags]
    assert thresholds == [t for t in (D(50), D(90)) if result.total_mme_per_day >= t]
    assert total(*reversed(lines)) == result.total_mme_per_day


@given(
    st.lists(counted_lines(), max_size=4),
    counted_lines(),
    st.sampled_from(
        [
            oral("buprenorphine", 8, 2),
            oral("methadone", 100, 1, purpose="oud"),
            oral("naltrexone", 50, 1),
            patch(20, drug="buprenorphine"),
        ]
    ),
)
def test_opioids_never_lower_the_total_and_moud_never_changes_it(lines, extra, moud_line):
    assert total(*lines, extra) >= total(*lines)
    assert total(*lines, moud_line) == total(*lines)


@pytest.mark.parametrize("dose", ["1e9999999", "-1e9999999", "1e-9999999", "9" * 5000, "Infinity", "NaN"])
def test_absurd_numbers_are_a_field_error_not_a_crash(dose):
    with pytest.raises(RuleError) as refused:
        calculate_mme([{"drug": "morphine", "dose": dose, "unit": "mg", "doses_per_day": 1}])
    assert [field for field, _ in refused.value.errors] == ["lines-0-dose"]
