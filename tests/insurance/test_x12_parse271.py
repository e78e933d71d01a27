"""parse_271: fixtures read into the expected values; broken files give precise messages; and
no input at all makes it raise anything but X12ParseError.

Pure tests: no app, no database. Segment numbers in messages count the ISA as segment 1.
"""

import contextlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator.rules.errors import RuleError
from coordinator.x12 import (
    EligibilityRequest,
    Person,
    TraceNumber,
    X12ParseError,
    build_270,
    draft_from_271,
    parse_271,
)

FIXTURES = Path(__file__).parent / "x12_fixtures"
ACTIVE = (FIXTURES / "active_ppo.x12").read_text()
ACTIVE_LINES = ACTIVE.splitlines(keepends=True)


def fixture(name: str):
    return parse_271((FIXTURES / f"{name}.x12").read_bytes())


def wrap(*body: str) -> str:
    """A 271 around `body` (the segments after ST and before SE), with correct counts."""
    transaction = ["ST*271*0001*005010X279A1", "BHT*0022*11*REF1*20260310*0915", *body]
    transaction.append(f"SE*{len(transaction) + 1}*0001")
    return "".join(
        s + "~\n"
        for s in [
            (
                "ISA*00*          *00*          *ZZ*ACMEHEALTH     *ZZ*COORDINATOR    *260310*0915*^*"
                "00501*000000001*0*P*:"
            ),
            "GS*HB*ACMEHEALTH*COORDINATOR*20260310*0915*1*X*005010X279A1",
            *transaction,
            "GE*1*1",
            "IEA*1*000000001",
        ]
    )


PARTIES = (
    "HL*1**20*1",
    "NM1*PR*2*ACME HEALTH PLAN*****PI*60054",
    "HL*2*1*21*1",
    "NM1*1P*2*HARBOR RECOVERY CENTER*****XX*1234567893",
)
SUBSCRIBER = (*PARTIES, "HL*3*2*22*0", "NM1*IL*1*RIVERA*JORDAN****MI*XJH123456789")


def refused(data) -> X12ParseError:
    with pytest.raises(X12ParseError) as caught:
        parse_271(data)
    return caught.value


# --- fixtures -------------------------------------------------------------------------------


def test_active_ppo_envelope_parties_and_member():
    response = fixture("active_ppo")
    assert (response.sender_id, response.receiver_id) == ("ACMEHEALTH", "COORDINATOR")
    assert response.interchange_control == 4521 and response.transaction_control == "0001"
    assert response.created_at == datetime(2026, 3, 10, 9, 15, 2)
    assert response.reference == "TRC20260310A"
    assert response.payer.name == "ACME HEALTH PLAN" and response.payer.id == "60054"
    assert response.payer.contacts == ("PROVIDER SERVICES: phone 800-555-0100, website WWW.ACMEHEALTH.EXAMPLE",)
    assert response.receiver.name == "HARBOR RECOVERY CENTER"
    assert response.receiver.id == "1234567893"
    member = response.subscriber
    assert (member.last_name, member.first_name, member.member_id) == ("RIVERA", "JORDAN", "XJH123456789")
    assert (member.birth_date, member.gender) == (date(1989, 4, 12), "M")
    assert (member.group_number, member.plan_number) == ("GRP-88120", "PPO-GOLD-2026")
    assert member.relationship_code == "18"
    assert member.dates == {"346": (date(2026, 1, 1), None), "347": (date(2026, 12, 31), None)}
    assert member.trace_numbers == (
        TraceNumber("2", "TRC20260310A", "9000001234"),
        TraceNumber("1", "ACME-7731-0042", "9600540000"),
    )
    assert response.dependent is None and response.rejections == ()
    assert len(response.benefits) == 16


def test_active_ppo_benefits_keep_every_element_as_decimal_or_code():
    benefits = fixture("active_ppo").benefits
    deductible = benefits[1]
    assert (deductible.code, deductible.label, deductible.coverage_level) == ("C", "Deductible", "IND")
    assert deductible.service_types == ("30",) and deductible.insurance_type == "PR"
    assert deductible.time_period == "23" and deductible.amount == Decimal(1500)
    assert deductible.in_network == "Y" and deductible.member_level == "subscriber"
    coinsurance = next(b for b in benefits if b.code == "A")
    assert coinsurance.percent == Decimal("0.2") and coinsurance.amount is None
    assert coinsurance.auth_required == "Y"
    assert coinsurance.messages == ("PRIOR AUTHORIZATION REQUIRED BEFORE ADMISSION",)
    limit = next(b for b in benefits if b.code == "F")
    assert (limit.quantity_qualifier, limit.quantity, limit.time_period) == ("DY", Decimal(30), "23")
    assert all(not isinstance(b.amount, float) for b in benefits)


def test_inactive():
    response = fixture("inactive")
    (benefit,) = response.benefits
    assert (benefit.code, benefit.label) == ("6", "Inactive")
    assert benefit.dates == {"357": (date(2025, 12, 31), None)}
    assert benefit.messages == ("COVERAGE TERMINATED; MEMBER MAY HAVE NEW COVERAGE",)
    assert response.subscriber.dates["356"] == (date(2023, 1, 1), None)


def test_carve_out_reads_the_2120_entity_between_ls_and_le():
    response = fixture("carve_out")
    carve_out = next(b for b in response.benefits if b.code == "U")
    assert carve_out.service_types == ("AI", "CI", "CJ")
    assert carve_out.entity.entity_code == "PR"
    assert carve_out.entity.name == "MINDBRIDGE BEHAVIORAL HEALTH"
    assert carve_out.entity.identifier == "MBH01"
    assert carve_out.entity.contacts == ("phone 888-555-0142, website WWW.MINDBRIDGE.EXAMPLE",)
    after = response.benefits[-1]
    assert after.code == "B" and after.service_types == ("88",) and after.entities == ()
    assert response.subscriber.dates["291"] == (date(2026, 1, 1), date(2026, 12, 31))


def test_rejected_at_subscriber_level():
    response = fixture("rejected")
    (rejection,) = response.rejections
    assert rejection.level == "subscriber" and rejection.code == "72"
    assert rejection.reason == "Invalid/Missing Subscriber/Insured ID"
    assert (rejection.follow_up_code, rejection.follow_up) == ("C", "Please Correct and Resubmit")
    assert response.subscriber.rejections == (rejection,)
    assert response.benefits == ()


def test_rejected_at_payer_level_may_stop_before_the_subscriber():
    response = fixture("rejected_payer")
    (rejection,) = response.rejections
    assert (rejection.level, rejection.code, rejection.reason) == ("payer", "42", "Unable to Respond at Current Time")
    assert rejection.follow_up == "Resubmission Allowed"
    assert response.subscriber is None and response.receiver.id == "1234567893"


def test_several_service_types_in_one_eb03():
    first = fixture("several_service_types").benefits[0]
    assert first.service_types == ("30", "AI", "AK", "CI", "CJ", "MH", "RT", "88")
    assert first.plan_description == "OPEN ACCESS PLUS" and first.insurance_type == "C1"


def test_family_and_dependent():
    response = fixture("family_and_dependent")
    assert response.subscriber.member_id == "XJH445566778"
    dependent = response.dependent
    assert (dependent.last_name, dependent.first_name, dependent.member_id) == ("HALL", "RILEY", None)
    assert dependent.relationship_code == "19" and dependent.birth_date == date(2008, 9, 20)
    assert dependent.trace_numbers[1] == TraceNumber("1", "ACME-7731-0099", "9600540000")
    assert {b.member_level for b in response.benefits} == {"dependent"}
    assert {b.coverage_level for b in response.benefits} == {"IND", "FAM"}


def test_domain_example_lines_with_elements_in_their_tr3_positions():
    """DOMAIN.md 6.2's examples, the last two corrected: as printed there, 0.2 falls in EB07
    and VS in EB10 (one '*' too few / too many)."""
    response = parse_271(
        wrap(
            *SUBSCRIBER,
            "EB*C*IND*30***23*1500*****Y",
            "EB*B*IND*AI***27*25*****Y",
            "EB*A*IND*CI*****0.2****Y",
            "EB*F*IND*CI***22***VS*30**Y",
        )
    )
    deductible, copay, coinsurance, limit = response.benefits
    assert (deductible.time_period, deductible.amount, deductible.in_network) == ("23", Decimal(1500), "Y")
    assert (copay.time_period, copay.amount) == ("27", Decimal(25))
    assert (coinsurance.percent, coinsurance.in_network) == (Decimal("0.2"), "Y")
    assert (limit.quantity_qualifier, limit.quantity, limit.time_period) == ("VS", Decimal(30), "22")


def test_domain_limitation_example_as_printed_is_refused():
    error = refused(wrap(*SUBSCRIBER, "EB*F*IND*CI***22****VS*30*Y"))
    assert error.message == "Segment 11 (EB): EB10 'VS' is not a quantity."


@pytest.mark.parametrize(
    "variant",
    [
        lambda text: text.encode(),
        lambda text: b"\xef\xbb\xbf" + text.encode(),
        lambda text: "\r\n  " + text.replace("\n", "\r\n"),
        lambda text: text.replace("\n", ""),
        lambda text: text.replace("*", "|").replace("~", "\x1c").replace("^", "!"),
    ],
)
def test_encodings_line_endings_and_other_delimiters_read_the_same(variant):
    assert parse_271(variant(ACTIVE)) == parse_271(ACTIVE)


def test_a_segment_with_a_leading_space_or_trailing_separator_is_tolerated():
    text = ACTIVE.replace("\nINS*Y*18~", "\n INS*Y*18*~")
    assert parse_271(text).subscriber.relationship_code == "18"


# --- broken files ---------------------------------------------------------------------------


def without(*numbers: int) -> str:
    """ACTIVE without the given segments (1-based file positions)."""
    return "".join(line for n, line in enumerate(ACTIVE_LINES, start=1) if n not in numbers)


TWO_TRANSACTIONS = "".join(ACTIVE_LINES[:40] + ACTIVE_LINES[2:40] + ACTIVE_LINES[40:]).replace("GE*1*", "GE*2*")


@pytest.mark.parametrize(
    "data, message, number",
    [
        (b"", "The file is empty.", None),
        (b" \r\n\t", "The file is empty.", None),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            (
                "This file is not text: byte 0x89 at position 0 is not valid "
                "UTF-8. Is it a PDF, a picture or a compressed file?"
            ),
            None,
        ),
        ("hello, world", "This is not an X12 file: it must start with an ISA segment.", None),
        (
            "ISA*00*",
            ("Segment 1 (ISA): the file is too short to hold the 106-character ISA segment; it may have been cut off."),
            1,
        ),
        (
            ACTIVE.replace("ACMEHEALTH     ", "ACMEHEALTH", 1),
            (
                "Segment 1 (ISA): the ISA must be exactly 106 characters with fixed-width elements "
                "(ISA06 and ISA08 padded with spaces to 15 characters)."
            ),
            1,
        ),
        (
            ACTIVE.replace("*^*00501*", "*:*00501*"),
            (
                "Segment 1 (ISA): the element, component, repetition and segment delimiters declared in "
                "the ISA must be different punctuation characters."
            ),
            1,
        ),
        (
            ACTIVE.replace("RIVERA", "RIV\x00ERA"),
            ("Segment 13 contains the control character U+0000: this looks like binary data, not an X12 text file."),
            13,
        ),
        (ACTIVE[: len(ACTIVE) // 2], "The file ends in the middle of a segment ('INS'): it may have been cut off.", 19),
        (
            without(41, 42),
            ("The file is incomplete: it ends without the GE and IEA trailer segments (was it cut off?)."),
            None,
        ),
        (without(42), ("The file is incomplete: it ends without the IEA trailer segment (was it cut off?)."), None),
        (ACTIVE.replace("SE*38*0001", "SE*12*0001"), "Segment 40 (SE): says 12 segments, the transaction has 38.", 40),
        (ACTIVE.replace("SE*38*0001", "SE*38*0002"), "The transaction control numbers in ST02 and SE02 differ.", 40),
        (ACTIVE.replace("GE*1*4521", "GE*1*4522"), "The group control numbers in GS06 and GE02 differ.", 41),
        (
            ACTIVE.replace("GE*1*4521", "GE*3*4521"),
            "Segment 41 (GE): GE01 says 3 transaction sets, the group has 1.",
            41,
        ),
        (
            ACTIVE.replace("IEA*1*000004521", "IEA*1*000004522"),
            "The interchange control numbers in ISA13 and IEA02 differ.",
            42,
        ),
        (
            ACTIVE.replace("IEA*1*", "IEA*2*"),
            "Segment 42 (IEA): IEA01 says 2 functional groups, the interchange has 1.",
            42,
        ),
        (
            build_270(
                EligibilityRequest(
                    sender_id="COORD",
                    receiver_id="ACME",
                    interchange_control=1,
                    group_control=1,
                    transaction_control="0001",
                    created_at=datetime.fromisoformat("2026-03-10T09:15+00:00"),
                    payer_name="ACME",
                    payer_id="60054",
                    provider_name="HARBOR",
                    provider_npi="1234567893",
                    subscriber=Person("RIVERA", "JORDAN"),
                    dependent=None,
                    member_id="X1",
                    group_number=None,
                    trace_number="T1",
                )
            ),
            "This is a 270 (an eligibility request), not a 271 response.",
            2,
        ),
        (ACTIVE.replace("ST*271", "ST*270"), "This is a 270 (an eligibility request), not a 271 response.", 3),
        (ACTIVE.replace("ST*271", "ST*837"), "This is transaction set 837, not a 271 eligibility response.", 3),
        (
            ACTIVE.replace("*00501*", "*00401*").replace("005010X279A1", "004010X092A1"),
            "Expected implementation guide 005010X279A1 in GS08, found 004010X092A1.",
            2,
        ),
        (ACTIVE.replace("*00501*", "*00401*"), "Segment 1 (ISA): ISA12 is 00401, but 005010X279A1 requires 00501.", 1),
        (
            ACTIVE.replace("GS*HB", "GS*HC"),
            (
                "Segment 2 (GS): GS01 is 'HC', but a 271 eligibility response travels in a functional "
                "group with GS01 HB."
            ),
            2,
        ),
        (
            ACTIVE.replace("BHT*0022*11", "BHT*0022*13"),
            "Segment 4 (BHT): BHT02 is '13'; a 271 has 11 (response) or 06 (confirmation).",
            4,
        ),
        (
            ACTIVE.replace("*20260310*091502~", "*20260310*2561~"),
            "Segment 4 (BHT): BHT05 '2561' is not a time (HHMM or HHMMSS).",
            4,
        ),
        (
            "".join(ACTIVE_LINES[:4] + [ACTIVE_LINES[21]] + ACTIVE_LINES[4:21] + ACTIVE_LINES[22:]),
            "Segment 5 (EB) appears before any subscriber (HL*…*22) loop.",
            5,
        ),
        (ACTIVE.replace("*23*1500*", "*23*abc*"), "Segment 23 (EB): EB07 'abc' is not an amount.", 23),
        (ACTIVE.replace("*23*1500*", "*23*1,500*"), "Segment 23 (EB): EB07 '1,500' is not an amount.", 23),
        (ACTIVE.replace("*23*1500*", "*23*NaN*"), "Segment 23 (EB): EB07 'NaN' is not an amount.", 23),
        (
            ACTIVE.replace("****0.2*", "****20*"),
            "Segment 33 (EB): EB08 '20' is not a percent between 0 and 1 (X12 writes 20% as 0.2).",
            33,
        ),
        (ACTIVE.replace("*DY*30*", "*DY*thirty*"), "Segment 35 (EB): EB10 'thirty' is not a quantity.", 35),
        (
            ACTIVE.replace("EB*1*IND*30", "EB*ZZ*IND*30"),
            "Segment 22 (EB): EB01 'ZZ' is not an eligibility or benefit code.",
            22,
        ),
        (ACTIVE.replace("0.2***Y*Y", "0.2***Q*Y"), "Segment 33 (EB): EB11 'Q' must be Y, N or U.", 33),
        (ACTIVE.replace("*1500*****Y", "*1500*****X"), "Segment 23 (EB): EB12 'X' must be Y, N, W or U.", 23),
        (ACTIVE.replace("EB*B*IND*AI", "EB*B*IND*A!I"), "Segment 32 (EB): EB03 'A!I' is not a service type code.", 32),
        (
            ACTIVE.replace("DTP*346*D8*20260101", "DTP*346*D8*20261301"),
            "Segment 20 (DTP): DTP03 '20261301' is not a date (CCYYMMDD).",
            20,
        ),
        (
            ACTIVE.replace("DTP*346*D8*20260101", "DTP*346*RD8*20261231-20260101"),
            "Segment 20 (DTP): DTP03 '20261231-20260101' ends before it starts.",
            20,
        ),
        (
            ACTIVE.replace("DTP*346*D8*20260101", "DTP*346*DT*202601010000"),
            "Segment 20 (DTP): DTP02 'DT' must be D8 (a date) or RD8 (a date range).",
            20,
        ),
        (
            TWO_TRANSACTIONS,
            (
                "Segment 41 (ST): this file holds more than one transaction set (ST); Coordinator reads "
                "exactly one 271 transaction per file, so split the batch first."
            ),
            41,
        ),
        (
            ACTIVE + ACTIVE,
            (
                "Segment 43 (ISA): this file holds more than one interchange (ISA); Coordinator reads "
                "exactly one 271 transaction per file, so split the batch first."
            ),
            43,
        ),
        (
            ACTIVE.replace("HL*3*2*22*0~\n", "HL*3*2*22*0~\nNM1*IL*1*A*B~\nHL*4*2*22*0~\n"),
            (
                "Segment 12 (HL): this response has more than one subscriber (HL*…*22); Coordinator "
                "reads one of each per 271."
            ),
            12,
        ),
        (ACTIVE + "EB*1~\n", "Segment 43 (EB) comes after the IEA trailer, which must end the file.", 43),
        (
            ACTIVE.replace("GE*1*4521~\n", "GE*1*4521~\nGE*1*4521~\n"),
            ("Segment 42 (GE) could not be read: the envelope (ISA, GS, ST ... SE, GE, IEA) is out of order."),
            42,
        ),
        (ACTIVE.replace("BHT*", "SE*1*0001~\nBHT*"), "Segment 4 (SE): out of order: expected BHT here.", 4),
        (
            ACTIVE.replace("MSG*GENERIC", "msg*GENERIC"),
            (
                "Segment 38: 'msg' is not a segment identifier (a capital letter and one or two more "
                "capitals or digits)."
            ),
            38,
        ),
        (
            ACTIVE.replace("INS*Y*18~", "INS*Y*18~~"),
            "Segment 20 is empty: two segment terminators ('~') follow each other.",
            20,
        ),
        (
            ACTIVE.replace("INS*Y*18~", "MSG*HELLO~"),
            "Segment 19 (MSG) is not allowed in the subscriber loop 2000C/2100C.",
            19,
        ),
        (
            ACTIVE.replace("NM1*IL*", "NM1*QC*"),
            "Segment 13 (NM1): the subscriber's name segment must be NM1*IL, found NM1*QC.",
            13,
        ),
        (
            without(13).replace("SE*38", "SE*37"),
            "Segment 39 (SE): the subscriber loop that starts at segment 10 has no NM1 name segment.",
            39,
        ),
        (
            ACTIVE.replace("HL*3*2*22*0", "HL*3*1*22*0"),
            (
                "Segment 10 (HL): a subscriber (HL03 22) must sit under the information receiver level "
                "(HL03 21); HL02 is '1'."
            ),
            10,
        ),
        (
            ACTIVE.replace("HL*3*2*22*0", "HL*4*2*22*0"),
            ("Segment 10 (HL): HL01 is '4' but this is HL number 3 of the transaction (HL01 counts 1, 2, 3...)."),
            10,
        ),
        (
            ACTIVE.replace("HL*3*2*22*0", "HL*3*2*19*0"),
            (
                "Segment 10 (HL): HL03 '19' is not a 271 level (20 information source, 21 information "
                "receiver, 22 subscriber, 23 dependent)."
            ),
            10,
        ),
        (
            ACTIVE.replace("AAA", "XXX").replace("MSG*GENERIC", "AAA*Q**72"),
            "Segment 38 (AAA): AAA01 'Q' must be Y or N (valid request indicator).",
            38,
        ),
        (
            ACTIVE.replace("TRN*2*TRC20260310A", "TRN*3*TRC20260310A"),
            ("Segment 11 (TRN): a TRN needs TRN01 1 (current) or 2 (referenced) and a trace number in TRN02."),
            11,
        ),
    ],
)
def test_broken_files_get_a_precise_message(data, message, number):
    error = refused(data)
    assert error.message == message
    assert error.segment_number == number
    assert error.field == "file" and isinstance(error, RuleError)


CARVE_OUT = (FIXTURES / "carve_out.x12").read_text()


@pytest.mark.parametrize(
    "text, message",
    [
        (
            CARVE_OUT.replace("LE*2120~\n", "").replace("SE*23", "SE*22"),
            "Segment 23 (EB): the LS loop opened at segment 20 is not closed by LE.",
        ),
        (
            CARVE_OUT.replace("LE*2120", "LE*2121"),
            "Segment 23 (LE): LE01 '2121' does not match LS01 '2120' of segment 20.",
        ),
        (
            CARVE_OUT.replace("LS*2120~\n", "").replace("SE*23", "SE*22"),
            "Segment 20 (NM1) is not allowed in an eligibility or benefit loop (2110C/D, after an EB).",
        ),
        (
            CARVE_OUT.replace("LE*2120~\n", "LE*2120~\nMSG*LATE~\n").replace("SE*23", "SE*24"),
            ("Segment 24 (MSG) is not allowed in the place after an LE, where only EB, HL or SE may follow."),
        ),
        (
            CARVE_OUT.replace("NM1*PR*2*MINDBRIDGE BEHAVIORAL HEALTH*****PI*MBH01~\n", "").replace("SE*23", "SE*22"),
            "Segment 21 (PER): a PER inside an LS loop must follow the NM1 it belongs to.",
        ),
    ],
)
def test_broken_benefit_entity_loops(text, message):
    assert refused(text).message == message


@pytest.mark.parametrize(
    "body, message",
    [
        (PARTIES[:2], "Segment 7 (SE): the response has no information receiver (HL*…*21) loop."),
        (PARTIES, "Segment 9 (SE): the response has no subscriber (HL*…*22) loop."),
        ((), "Segment 5 (SE): the response has no information source (HL*1**20) loop."),
        (
            (*SUBSCRIBER, "HL*4*3*23*0", "NM1*IL*1*HALL*RILEY"),
            "Segment 12 (NM1): the dependent's name segment must be NM1*03, found NM1*IL.",
        ),
        (
            (*SUBSCRIBER, "NM1*IL*1*RIVERA*JORDAN"),
            "Segment 11 (NM1): the subscriber loop already has its NM1 name segment.",
        ),
        (("NM1*PR*2*ACME",), ("Segment 5 (NM1) is not allowed in the transaction header (before the first HL).")),
        (("HL*1*1*20*1",), ("Segment 5 (HL): the information source (HL03 20) is the top level: HL02 must be empty.")),
        ((*SUBSCRIBER, "DMG*XX*19890412"), "Segment 11 (DMG): DMG01 is 'XX'; a birth date must be D8 (CCYYMMDD)."),
        ((*SUBSCRIBER, "REF*6P"), ("Segment 11 (REF): a REF needs a qualifier in REF01 and a value in REF02.")),
        ((*SUBSCRIBER, "AAA*N"), "Segment 11 (AAA): AAA03 (reject reason) is missing."),
        ((*SUBSCRIBER, "EB"), "Segment 11 (EB): EB01 (eligibility or benefit code) is missing."),
    ],
)
def test_broken_loops(body, message):
    assert refused(wrap(*body)).message == message


def test_codes_outside_our_tables_are_kept_without_a_label():
    response = parse_271(wrap(*SUBSCRIBER, "EB*1*XYZ*ZZ^60*QQ*PLAN*99", "AAA*Y**Q9*Z"))
    benefit = response.benefits[0]
    assert (benefit.coverage_level, benefit.service_types, benefit.insurance_type) == ("XYZ", ("ZZ", "60"), "QQ")
    assert benefit.time_period == "99"
    (rejection,) = response.rejections
    assert (rejection.level, rejection.reason, rejection.follow_up) == ("benefit", "Reject reason Q9", None)


# --- no input makes it fail any other way ---------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_only_ever_raise_x12_parse_error(data):
    with contextlib.suppress(X12ParseError):
        parse_271(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=300))
def test_garbage_after_a_valid_isa_only_ever_raises_x12_parse_error(tail):
    with contextlib.suppress(X12ParseError):
        parse_271(ACTIVE_LINES[0].encode() + tail)


def _mutate(text: str, data) -> str:
    """One random edit: a character changed, inserted or removed, or a segment dropped,
    doubled or moved."""
    kind = data.draw(st.sampled_from(["replace", "insert", "delete", "drop", "double", "move"]))
    if kind in ("replace", "insert", "delete"):
        at = data.draw(st.integers(0, len(text) - 1))
        char = data.draw(st.sampled_from("*~^:\n0123456789ABEHLSZ -.\x00é"))
        tail = text[at + 1 :] if kind != "insert" else text[at:]
        return text[:at] + ("" if kind == "delete" else char) + tail
    lines = text.splitlines(keepends=True)
    at = data.draw(st.integers(0, len(lines) - 1))
    if kind == "drop":
        return "".join(lines[:at] + lines[at + 1 :])
    if kind == "double":
        return "".join(lines[: at + 1] + lines[at:])
    moved = lines.pop(at)
    lines.insert(data.draw(st.integers(0, len(lines))), moved)
    return "".join(lines)


FIXTURE_TEXTS = [path.read_text() for path in sorted(FIXTURES.glob("*.x12"))]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIXTURE_TEXTS), st.data())
def test_mutated_fixtures_parse_and_map_or_raise_x12_parse_error(text, data):
    for _ in range(data.draw(st.integers(1, 3))):
        text = _mutate(text, data)
    try:
        response = parse_271(text)
    except X12ParseError:
        return
    draft_from_271(response)
