"""Medical flags: which findings suggest partner-hospital detox first, and the overdose window."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coordinator.rules.errors import InvalidValue, MissingValue, UnknownKey
from coordinator.rules.medical_flags import (
    DEFAULT_HIGH_MME_THRESHOLD,
    DEFAULT_OVERDOSE_WINDOW_MONTHS,
    DetoxAction,
    MedicalFlag,
    detox_reasons,
    overdose_is_recent,
)

HOSPITAL = "Consider medically managed detox at a partner hospital first."
TODAY = date(2025, 6, 15)


def test_flags_have_keys_and_labels():
    assert [f.value for f in MedicalFlag] == [
        "pregnancy",
        "cardiac_disease",
        "respiratory_disease",
        "benzodiazepine_use",
        "alcohol_use",
        "complicated_withdrawal_history",
        "recent_overdose",
    ]
    assert all(f.label.strip() for f in MedicalFlag)
    assert "12 months" in MedicalFlag.RECENT_OVERDOSE.label


def test_documented_defaults():
    assert DEFAULT_OVERDOSE_WINDOW_MONTHS == 12
    assert Decimal(200) == DEFAULT_HIGH_MME_THRESHOLD


def test_no_flags_no_reasons():
    assert detox_reasons([]) == ()
    assert detox_reasons([], total_mme=Decimal("199.9")) == ()


@pytest.mark.parametrize(
    ("flag", "fragment"),
    [
        ("cardiac_disease", "Heart disease"),
        ("respiratory_disease", "breathing"),
        ("benzodiazepine_use", "Benzodiazepine"),
        ("alcohol_use", "Alcohol"),
        ("complicated_withdrawal_history", "seizures or delirium"),
        ("recent_overdose", "Overdose in the last 12 months"),
    ],
)
def test_each_medical_flag_suggests_hospital_detox(flag, fragment):
    (reason,) = detox_reasons([flag])
    assert reason.code == flag and reason.action is DetoxAction.PARTNER_HOSPITAL_DETOX
    assert fragment in reason.message and HOSPITAL in reason.message


def test_pregnancy_asks_for_obstetric_coordination_instead():
    (reason,) = detox_reasons(["pregnancy"])
    assert reason.action is DetoxAction.OBSTETRIC_COORDINATION and "obstetric" in reason.message
    assert HOSPITAL not in reason.message


def test_reasons_come_in_a_stable_order_and_once_each():
    reasons = detox_reasons(
        ["recent_overdose", "pregnancy", "cardiac_disease", "cardiac_disease"], total_mme=Decimal(300)
    )
    assert [r.code for r in reasons] == ["pregnancy", "cardiac_disease", "recent_overdose", "high_mme"]


@pytest.mark.parametrize(
    ("mme", "threshold", "flagged"),
    [
        (Decimal("199.9"), DEFAULT_HIGH_MME_THRESHOLD, False),
        (Decimal("200.0"), DEFAULT_HIGH_MME_THRESHOLD, True),
        (Decimal("450"), DEFAULT_HIGH_MME_THRESHOLD, True),
        (150, 150, True),
        (Decimal("149.9"), Decimal(150), False),
        (Decimal(0), DEFAULT_HIGH_MME_THRESHOLD, False),
    ],
)
def test_very_high_mme_uses_a_local_configurable_threshold(mme, threshold, flagged):
    reasons = detox_reasons([], total_mme=mme, high_mme_threshold=threshold)
    assert bool(reasons) == flagged
    if flagged:
        assert reasons[0].code == "high_mme" and HOSPITAL in reasons[0].message
        assert "local" in reasons[0].message and "not a guideline number" in reasons[0].message


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"total_mme": "lots"}, "total_mme"),
        ({"total_mme": Decimal(-1)}, "total_mme"),
        ({"total_mme": True}, "total_mme"),
        ({"total_mme": Decimal("NaN")}, "total_mme"),
        ({"total_mme": Decimal(10), "high_mme_threshold": 0}, "high_mme_threshold"),
        ({"total_mme": Decimal(10), "high_mme_threshold": "x"}, "high_mme_threshold"),
    ],
)
def test_bad_mme_inputs_name_their_field(kwargs, field):
    with pytest.raises(InvalidValue) as err:
        detox_reasons([], **kwargs)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("overdose_on", "today", "months", "recent"),
    [
        (date(2025, 6, 15), TODAY, 12, True),  # today
        (date(2024, 6, 15), TODAY, 12, True),  # exactly 12 months ago: inclusive
        (date(2024, 6, 14), TODAY, 12, False),  # one day outside the window
        (date(2024, 12, 15), TODAY, 6, True),
        (date(2024, 12, 14), TODAY, 6, False),
        (date(2024, 2, 29), date(2024, 3, 31), 1, True),  # 31 March minus a month is 29 February
        (date(2024, 2, 28), date(2024, 3, 31), 1, False),
        (date(2023, 2, 28), date(2024, 2, 29), 12, True),
        (date(2023, 2, 27), date(2024, 2, 29), 12, False),
    ],
)
def test_overdose_window(overdose_on, today, months, recent):
    assert overdose_is_recent(overdose_on, today=today, window_months=months) is recent
    codes = [
        r.code for r in detox_reasons([], last_overdose_on=overdose_on, today=today, overdose_window_months=months)
    ]
    assert codes == (["recent_overdose"] if recent else [])


def test_a_ticked_flag_and_a_recent_date_give_one_reason():
    reasons = detox_reasons(["recent_overdose"], last_overdose_on=date(2025, 1, 1), today=TODAY)
    assert [r.code for r in reasons] == ["recent_overdose"]


def test_datetimes_are_accepted_as_dates():
    assert overdose_is_recent(datetime(2025, 1, 1, 23, 59), today=datetime(2025, 6, 15, 8, 0))


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"last_overdose_on": date(2025, 6, 16), "today": TODAY}, InvalidValue, "last_overdose_on"),
        ({"last_overdose_on": "2025-01-01", "today": TODAY}, InvalidValue, "last_overdose_on"),
        ({"last_overdose_on": date(2025, 1, 1)}, MissingValue, "today"),
        ({"last_overdose_on": date(2025, 1, 1), "today": "now"}, InvalidValue, "today"),
        (
            {"last_overdose_on": date(2025, 1, 1), "today": TODAY, "overdose_window_months": 0},
            InvalidValue,
            "overdose_window_months",
        ),
        (
            {"last_overdose_on": date(2025, 1, 1), "today": TODAY, "overdose_window_months": True},
            InvalidValue,
            "overdose_window_months",
        ),
    ],
)
def test_bad_overdose_inputs_name_their_field(kwargs, error, field):
    with pytest.raises(error) as err:
        detox_reasons([], **kwargs)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("flags", "error"),
    [(["smoker"], UnknownKey), ("pregnancy", InvalidValue), ([None], UnknownKey), (None, InvalidValue)],
)
def test_bad_flag_lists_are_refused(flags, error):
    with pytest.raises(error) as err:
        detox_reasons(flags)
    assert err.value.field == "flags"


@given(
    st.sets(st.sampled_from(list(MedicalFlag))),
    st.one_of(st.none(), st.decimals(min_value=0, max_value=5000, places=1)),
)
def test_every_flag_gives_exactly_one_reason(flags, mme):
    reasons = detox_reasons({f.value for f in flags}, total_mme=mme)
    codes = [r.code for r in reasons]
    assert len(codes) == len(set(codes))
    assert set(codes) - {"high_mme"} == {f.value for f in flags}
    assert ("high_mme" in codes) == (mme is not None and mme >= DEFAULT_HIGH_MME_THRESHOLD)
    assert all(r.message for r in reasons)
