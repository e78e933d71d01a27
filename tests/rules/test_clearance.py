"""Financial clearance: worked cases for each way to be cleared and each way to fall short."""

from datetime import date
from decimal import Decimal

import pytest

from coordinator.domain.care import LevelOfCare as L
from coordinator.domain.insurance import ServiceLine as S
from coordinator.domain.insurance import VerificationStatus as V
from coordinator.rules.authorization_lifecycle import AuthorizationStatus as A
from coordinator.rules.clearance import AuthorizationFacts, ClearanceInput, CoverageFacts, DepositFacts, assess

ON = date(2026, 12, 1)
RES, OUT = S.SUD_RESIDENTIAL, S.SUD_OUTPATIENT


def cov(status=V.VERIFIED_ACTIVE, auth_res=True, auth_out=True, frm=None, to=None, plan_end=None):
    return CoverageFacts("Primary — Blue Harbor", frm, to, status, plan_end, ((RES, auth_res), (OUT, auth_out)))


def auth(level=L.RESIDENTIAL, status=A.APPROVED, start=date(2026, 12, 1), end=date(2026, 12, 14)):
    return AuthorizationFacts(level, status, start, end)


PAID = DepositFacts(Decimal("30000.00"), Decimal("30000.00"), "THB")

CASES = [
    # (description, input, cleared, basis)
    ("nothing recorded", ClearanceInput(ON), False, None),
    ("deposit only", ClearanceInput(ON, deposit=PAID), True, "private_pay"),
    ("override only", ClearanceInput(ON, override_reason="Hardship, director approved"), True, "override"),
    ("blank override is no override", ClearanceInput(ON, override_reason="   "), False, None),
    (
        "active, auth not required for residential",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(auth_res=False),)),
        True,
        "insurance",
    ),
    ("active, auth required, none recorded", ClearanceInput(ON, L.RESIDENTIAL, (cov(),)), False, None),
    (
        "active, auth required, approved residential 1–14 Dec",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(),)),
        True,
        "insurance",
    ),
    (
        "partially approved counts",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(status=A.PARTIALLY_APPROVED),)),
        True,
        "insurance",
    ),
    ("pending does not count", ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(status=A.PENDING),)), False, None),
    ("denied does not count", ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(status=A.DENIED),)), False, None),
    ("appealed does not count", ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(status=A.APPEALED),)), False, None),
    ("authorization for another level", ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(level=L.IOP),)), False, None),
    (
        "authorization starts after admission",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(start=date(2026, 12, 2)),)),
        False,
        None,
    ),
    (
        "authorization ended before admission",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(start=date(2026, 11, 1), end=date(2026, 11, 30)),)),
        False,
        None,
    ),
    (
        "admission on the last authorized day",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(start=date(2026, 11, 18), end=ON),)),
        True,
        "insurance",
    ),
    (
        "unknown prior-auth requirement needs an authorization",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(auth_res=None),)),
        False,
        None,
    ),
    (
        "IOP uses the outpatient line",
        ClearanceInput(ON, L.IOP, (cov(auth_res=True, auth_out=False),)),
        True,
        "insurance",
    ),
    ("virtual IOP uses the outpatient line", ClearanceInput(ON, L.VIRTUAL_IOP, (cov(auth_out=True),)), False, None),
    (
        "detox uses the residential line",
        ClearanceInput(ON, L.PARTNER_HOSPITAL_DETOX, (cov(auth_res=False),)),
        True,
        "insurance",
    ),
    ("no level: any SUD line requiring auth needs one", ClearanceInput(ON, None, (cov(auth_res=False),)), False, None),
    (
        "no level: any granted authorization",
        ClearanceInput(ON, None, (cov(),), (auth(level=L.PHP),)),
        True,
        "insurance",
    ),
    ("inactive coverage", ClearanceInput(ON, L.RESIDENTIAL, (cov(V.INACTIVE, auth_res=False),)), False, None),
    ("unconfirmed/never verified", ClearanceInput(ON, L.RESIDENTIAL, (cov(None, auth_res=False),)), False, None),
    ("needs information", ClearanceInput(ON, L.RESIDENTIAL, (cov(V.NEEDS_INFORMATION, auth_res=False),)), False, None),
    (
        "coverage ends before admission",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(auth_res=False, to=date(2026, 11, 30)),)),
        False,
        None,
    ),
    (
        "coverage starts after admission",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(auth_res=False, frm=date(2027, 1, 1)),)),
        False,
        None,
    ),
    (
        "plan year ends before admission",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(auth_res=False, plan_end=date(2026, 11, 30)),)),
        False,
        None,
    ),
    (
        "secondary verified active is enough",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(V.INACTIVE), cov(auth_res=False))),
        True,
        "insurance",
    ),
    (
        "insurance short, deposit received",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(),), deposit=PAID),
        True,
        "private_pay",
    ),
    (
        "insurance wins over deposit and override",
        ClearanceInput(ON, L.RESIDENTIAL, (cov(auth_res=False),), deposit=PAID, override_reason="x"),
        True,
        "insurance",
    ),
    # Issue 13, bug 2: the deposit must reach what the quote asks for.
    (
        "1 THB of 30,000 asked",
        ClearanceInput(ON, deposit=DepositFacts(Decimal("1.00"), Decimal("30000"), "THB")),
        False,
        None,
    ),
    (
        "a deposit with no amount asked",
        ClearanceInput(ON, deposit=DepositFacts(Decimal("5000"), None, "THB")),
        False,
        None,
    ),
    (
        "more than asked",
        ClearanceInput(ON, deposit=DepositFacts(Decimal("30000.01"), Decimal("30000"), "THB")),
        True,
        "private_pay",
    ),
    ("deposit wins over override", ClearanceInput(ON, deposit=PAID, override_reason="x"), True, "private_pay"),
]


@pytest.mark.parametrize("facts, cleared, basis", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_clearance_cases(facts, cleared, basis):
    result = assess(facts)
    assert (result.cleared, result.basis) == (cleared, basis)
    assert result.summary
    assert bool(result.missing) == (not cleared)


def test_what_is_missing_is_said_plainly():
    result = assess(ClearanceInput(ON, L.RESIDENTIAL, (cov(),)))
    assert result.missing == (
        "Coverage is verified active, but an approved authorization for residential covering 01 Dec 2026 is "
        "needed (or a verification saying none is required).",
        "No private-pay deposit has been received.",
    )
    assert assess(ClearanceInput(ON)).missing == (
        "No insurance is recorded.",
        "No private-pay deposit has been received.",
    )
    assert (
        assess(ClearanceInput(ON, coverages=(cov(V.INACTIVE),))).missing[0].startswith("No coverage is verified active")
    )


def test_summaries_name_the_basis():
    assert assess(ClearanceInput(ON, L.RESIDENTIAL, (cov(),), (auth(),))).summary == (
        "Primary — Blue Harbor: verified active; authorization for residential approved."
    )
    assert assess(ClearanceInput(ON, override_reason=" Charity bed ")).summary == "Administrator override: Charity bed"


@pytest.mark.parametrize(
    "deposit, words",
    [
        (
            DepositFacts(Decimal("1.00"), Decimal("30000.00"), "THB"),
            "The deposit received, 1.00 THB, is less than the 30,000.00 THB the quote asks for (29,999.00 THB still due).",
        ),
        (
            DepositFacts(Decimal("0"), Decimal("30000.00"), "THB"),
            "No private-pay deposit has been received (the quote asks for 30,000.00 THB).",
        ),
        (
            DepositFacts(Decimal("500"), None, "JPY"),
            "A deposit of 500 JPY is recorded, but no quote says what deposit is required",
        ),
    ],
)
def test_a_short_deposit_says_how_short(deposit, words):
    result = assess(ClearanceInput(ON, deposit=deposit))
    assert not result.cleared and any(m.startswith(words) for m in result.missing), result.missing
