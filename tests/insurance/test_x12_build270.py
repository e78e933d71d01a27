"""build_270: layout, envelope counts, cleaning of free text and refusal of unsendable input.

Pure tests: no app, no database. Every output is re-read with pyx12's own X12Reader, which
checks the ISA/GS/ST envelope, SE/GE/IEA counts and control numbers independently of our code.
"""

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyx12.x12file import X12Reader

from coordinator.rules.errors import RuleError
from coordinator.x12 import (
    SUD_INQUIRY_SERVICE_TYPES,
    EligibilityRequest,
    Person,
    X12BuildError,
)
from coordinator.x12.build270 import (
    build_270,
    clean_text,
    npi_is_valid,
    trace_originator,
)

EASTERN = timezone(timedelta(hours=-5))


def request(**changes) -> EligibilityRequest:
    base = EligibilityRequest(
        sender_id="COORD123456",
        receiver_id="ACMEHEALTH",
        interchange_control=17,
        group_control=17,
        transaction_control="0017",
        created_at=datetime(2026, 3, 10, 9, 15, tzinfo=EASTERN),
        payer_name="Acme Health Plan",
        payer_id="60054",
        provider_name="Harbor Recovery Center",
        provider_npi="1234567893",
        subscriber=Person("Rivera", "Jordan", date(1989, 4, 12), "M"),
        dependent=None,
        member_id="XJH123456789",
        group_number="GRP-88120",
        trace_number="TRC20260310A",
        service_date=date(2026, 3, 10),
    )
    return replace(base, **changes)


CHILD = Person("Hall", "Riley", date(2008, 9, 20), "M", "19")


def segments(text: str) -> list[str]:
    return [line.removesuffix("~") for line in text.splitlines()]


def read_back(text: str) -> list[str]:
    """Segment ids as pyx12 reads them; fails on any envelope error pyx12 reports."""
    reader = X12Reader(io.StringIO(text))
    ids = []
    for segment in reader:
        assert reader.pop_errors() == [], segment
        ids.append(segment.get_seg_id())
    reader.cleanup()
    assert reader.pop_errors() == []
    assert reader.loops == []
    return ids


def test_subscriber_inquiry_layout():
    assert segments(build_270(request())) == [
        ("ISA*00*          *00*          *ZZ*COORD123456    *ZZ*ACMEHEALTH     *260310*1415*^*00501*000000017*0*P*:"),
        "GS*HS*COORD123456*ACMEHEALTH*20260310*1415*17*X*005010X279A1",
        "ST*270*0017*005010X279A1",
        "BHT*0022*13*TRC20260310A*20260310*1415",
        "HL*1**20*1",
        "NM1*PR*2*ACME HEALTH PLAN*****PI*60054",
        "HL*2*1*21*1",
        "NM1*1P*2*HARBOR RECOVERY CENTER*****XX*1234567893",
        "HL*3*2*22*0",
        "TRN*1*TRC20260310A*9000123456",
        "NM1*IL*1*RIVERA*JORDAN****MI*XJH123456789",
        "REF*6P*GRP-88120",
        "DMG*D8*19890412*M",
        "DTP*291*D8*20260310",
        "EQ*30^AI^AK^CI^CJ^MH^BB^RT^88",
        "SE*14*0017",
        "GE*1*17",
        "IEA*1*000000017",
    ]


def test_dependent_inquiry_puts_trace_dates_and_eq_in_the_dependent_loop():
    lines = segments(build_270(request(dependent=CHILD)))
    start = lines.index("HL*3*2*22*1")
    assert lines[start : lines.index("SE*18*0017")] == [
        "HL*3*2*22*1",
        "NM1*IL*1*RIVERA*JORDAN****MI*XJH123456789",
        "REF*6P*GRP-88120",
        "DMG*D8*19890412*M",
        "HL*4*3*23*0",
        "TRN*1*TRC20260310A*9000123456",
        "NM1*03*1*HALL*RILEY",
        "DMG*D8*20080920*M",
        "INS*N*19",
        "DTP*291*D8*20260310",
        "EQ*30^AI^AK^CI^CJ^MH^BB^RT^88",
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"dependent": CHILD},
        {"group_number": None},
        {"service_date": None, "usage": "T"},
        {"subscriber": Person("Rivera", "Jordan")},
    ],
)
def test_output_round_trips_through_pyx12_with_correct_counts(changes):
    text = build_270(request(**changes))
    ids = read_back(text)
    assert ids[0] == "ISA" and ids[-3:] == ["SE", "GE", "IEA"]
    transaction = ids[ids.index("ST") : ids.index("SE") + 1]
    se = next(s for s in segments(text) if s.startswith("SE*"))
    assert se == f"SE*{len(transaction)}*0017"


def test_every_segment_ends_with_tilde_and_newline_and_isa_is_fixed_width():
    text = build_270(request())
    assert text.endswith("~\n") and text.count("~\n") == len(text.splitlines())
    isa = text.splitlines()[0]
    assert len(isa) == 106
    assert isa[82] == "^" and isa[104] == ":" and isa[-1] == "~"


def test_time_stamps_are_written_in_utc():
    text = build_270(request(created_at=datetime(2026, 3, 10, 23, 30, tzinfo=EASTERN)))
    assert "*260311*0430*" in text and "GS*HS*COORD123456*ACMEHEALTH*20260311*0430*" in text


def test_control_numbers_are_padded_and_within_range():
    text = build_270(request(interchange_control=999_999_999, group_control=5))
    assert "*000000005*" not in text
    assert "*999999999*0*P*:~" in text and text.endswith("IEA*1*999999999~\n")
    assert "GE*1*5~" in text


def test_names_lose_delimiters_control_characters_and_accents_and_are_upper_cased():
    text = build_270(
        request(
            subscriber=Person("O'Brien*~^:\x07 ", "  Zoë\tAnne ", date(1989, 4, 12), "F"),
            provider_name="Harbor ~Recovery~ Center",
        )
    )
    assert "NM1*IL*1*O'BRIEN*ZOE ANNE****MI*XJH123456789~" in text
    assert "NM1*1P*2*HARBOR RECOVERY CENTER*****XX*1234567893~" in text
    read_back(text)


def test_names_are_cut_to_the_x12_maximum_lengths():
    text = build_270(request(subscriber=Person("L" * 70, "F" * 40), payer_name="P" * 80))
    assert f"NM1*IL*1*{'L' * 60}*{'F' * 35}****MI*" in text
    assert f"NM1*PR*2*{'P' * 60}*****PI*60054~" in text


def test_service_types_are_sent_once_each_in_the_order_given():
    text = build_270(request(service_types=("30", "AI", "30", "MH")))
    assert "EQ*30^AI^MH~" in text
    assert request().service_types == SUD_INQUIRY_SERVICE_TYPES


@pytest.mark.parametrize(
    "sender, expected",
    [
        ("COORD123456", "9000123456"),
        ("123456789012345", "9789012345"),
        ("COORDINATOR", "9" + f"{__import__('zlib').crc32(b'COORDINATOR') % 10**9:09d}"),
    ],
)
def test_trace_originator_is_nine_digits_from_the_sender(sender, expected):
    assert trace_originator(sender) == expected
    assert len(trace_originator(sender)) == 10


@pytest.mark.parametrize(
    "npi, valid",
    [
        ("1234567893", True),
        ("1234567890", False),
        ("123456789", False),
        ("12345678930", False),
        ("123456789X", False),
    ],
)
def test_npi_luhn_check_with_prefix_80840(npi, valid):
    assert npi_is_valid(npi) is valid


@pytest.mark.parametrize(
    "changes, field, fragment",
    [
        ({"member_id": ""}, "member_id", "member id is missing"),
        ({"member_id": "   "}, "member_id", "member id is missing"),
        ({"member_id": "AB*12"}, "member_id", "character X12 reserves"),
        ({"member_id": "X" * 81}, "member_id", "81 characters long; X12 allows at most 80"),
        ({"group_number": "G" * 51}, "group_number", "at most 50"),
        ({"payer_id": ""}, "payer_id", "payer id is missing"),
        ({"provider_npi": "1234567890"}, "provider_npi", "fails its check digit"),
        ({"provider_npi": "12345"}, "provider_npi", "exactly 10 digits"),
        ({"service_types": ("30", "ZZ")}, "service_types", "Unknown service type code 'ZZ'"),
        ({"service_types": ("65",)}, "service_types", "Unknown service type code '65'"),
        ({"service_types": ()}, "service_types", "at least one service type"),
        ({"payer_name": "*~^:"}, "payer_name", "payer name is empty"),
        ({"subscriber": Person("~~~", "Jordan")}, "subscriber.last_name", "last name is empty"),
        ({"subscriber": Person("Rivera", "Jordan", gender="X")}, "subscriber.gender", "M, F or U"),
        (
            {"subscriber": Person("Rivera", "Jordan", relationship_code="19")},
            "subscriber.relationship_code",
            "only for a dependent",
        ),
        (
            {"dependent": Person("Hall", "Riley")},
            "dependent.relationship_code",
            "01 spouse, 19 child, G8 other relationship",
        ),
        ({"interchange_control": 0}, "interchange_control", "from 1 to 999,999,999"),
        ({"group_control": 1_000_000_000}, "group_control", "from 1 to 999,999,999"),
        ({"transaction_control": "12"}, "transaction_control", "4 to 9 letters or digits"),
        ({"created_at": datetime(2026, 3, 10, 9, 15)}, "created_at", "with a time zone"),
        ({"usage": "X"}, "usage", "P (production) or T (test)"),
        ({"sender_id": "S" * 16}, "sender_id", "at most 15"),
        ({"trace_number": ""}, "trace_number", "trace number is missing"),
    ],
)
def test_unsendable_values_are_refused_with_the_field_and_a_fix(changes, field, fragment):
    with pytest.raises(X12BuildError) as refused:
        build_270(request(**changes))
    assert refused.value.field == field
    assert fragment in refused.value.message
    assert isinstance(refused.value, RuleError)


def test_clean_text_removes_only_what_x12_cannot_carry():
    assert clean_text("  d'Artagnan-Smith, Jr. ") == "D'ARTAGNAN-SMITH, JR."
    assert clean_text("Ñúñez\u200b") == "NUNEZ"


@settings(max_examples=150, deadline=None)
@given(last=st.text(max_size=80), first=st.text(max_size=50), payer=st.text(max_size=80))
def test_any_names_either_build_a_readable_270_or_are_refused(last, first, payer):
    try:
        text = build_270(
            request(subscriber=Person(last, first), payer_name=payer, created_at=datetime(2026, 1, 1, tzinfo=UTC))
        )
    except X12BuildError as refused:
        assert refused.field in ("subscriber.last_name", "subscriber.first_name", "payer_name")
        return
    assert text.isascii()
    read_back(text)
    assert all(line.count("~") == 1 for line in text.splitlines())
