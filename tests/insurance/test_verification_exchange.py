"""The electronic exchange: importing 271 files into drafts (every fixture, broken and oversized
files) and downloading a 270 for a coverage."""

from datetime import datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from markupsafe import escape

from coordinator.domain.insurance import CopayPer, LimitUnit, ServiceLine, VerificationMethod, VerificationStatus
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import BenefitVerification, Coverage
from coordinator.roles import Role
from coordinator.services import coverages, eligibility, verifications
from coordinator.x12.parse271 import X12ParseError, parse_271
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as
from tests.insurance.conftest import X12_FIXTURES, audit_actions, count, make_coverage, make_payer

FIXTURES = Path(X12_FIXTURES)
VALID_NPI = "1234567893"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.x12").read_bytes()


def upload(client, coverage_id: int, content: bytes, filename: str = "response.x12"):
    return client.post_form(
        f"/finance/coverages/{coverage_id}/271",
        {"file": (BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def the_verification(app) -> BenefitVerification:
    with app.app_context():
        return db.session.scalars(
            sa.select(BenefitVerification).options(sa.orm.selectinload(BenefitVerification.lines))
        ).one()


def lines_by_service(verification):
    return {line.service_line: line for line in verification.lines}


# --- 271 import ---------------------------------------------------------------------------------


def test_an_active_ppo_271_becomes_a_draft_that_staff_confirm(app, editor, editor_client):
    # The patient the file describes (RIVERA, JORDAN, born 12 Apr 1989), in the record's own spelling.
    inquiry = make_inquiry(app, editor, patient_name="Jordan Rivera", patient_dob="1989-04-12")
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="XJH123456789")
    page = editor_client.get(f"/finance/coverages/{coverage_id}/271")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(as_text=True)
    response = upload(editor_client, coverage_id, fixture_bytes("active_ppo"))
    assert response.status_code == 302
    draft = the_verification(app)
    assert response.headers["Location"] == f"/finance/verifications/{draft.id}"
    assert draft.is_draft and draft.verified_at is None and draft.created_by_id == editor.id
    assert (draft.status, draft.method, draft.currency) == (
        VerificationStatus.VERIFIED_ACTIVE,
        VerificationMethod.ELECTRONIC_271,
        "USD",
    )
    assert (draft.payer_reference, draft.plan_begin.isoformat(), draft.plan_end.isoformat()) == (
        "ACME-7731-0042",
        "2026-01-01",
        "2026-12-31",
    )
    assert draft.notes == "Plan on the 271: Preferred Provider Organization (PPO) — ACME PPO GOLD"
    assert draft.source_271 == fixture_bytes("active_ppo").decode()
    assert len(draft.findings) == 3 and draft.findings[0].endswith("PRIOR AUTHORIZATION REQUIRED BEFORE ADMISSION")
    lines = lines_by_service(draft)
    assert set(lines) == set(ServiceLine)
    residential = lines[ServiceLine.SUD_RESIDENTIAL]
    assert (
        residential.covered,
        residential.coinsurance_percent,
        residential.prior_auth_required,
        residential.limit_quantity,
        residential.limit_unit,
        residential.limit_period,
    ) == (True, Decimal("20"), True, 30, LimitUnit.DAYS, "calendar year")
    assert (
        residential.deductible_individual,
        residential.deductible_individual_met,
        residential.oop_individual,
        residential.oop_individual_met,
        residential.copay,
        residential.copay_per,
    ) == (
        Decimal("1500.00"),
        Decimal("900.00"),
        Decimal("5000.00"),
        Decimal("1250.00"),
        Decimal("25.00"),
        CopayPer.VISIT,
    )
    assert residential.notes.startswith("From ")
    assert lines[ServiceLine.PHARMACY].copay == Decimal("10.00")
    assert audit_actions(app, "benefit_verification") == ["verification_imported"]

    text = editor_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="draft-banner"' in text and 'data-testid="findings"' in text
    assert "PRIOR AUTHORIZATION REQUIRED BEFORE ADMISSION" in text
    assert '<details class="mt-3" data-testid="raw-271">' in text and "NM1*IL*1*RIVERA*JORDAN" in text
    assert "Electronic (271)" in text and "Not yet confirmed" in text
    assert 'data-testid="mismatches"' not in text  # the file is for this patient

    assert editor_client.post_form(f"/finance/verifications/{draft.id}/confirm", {"checked": "y"}).status_code == 302
    confirmed = the_verification(app)
    assert not confirmed.is_draft and confirmed.verified_by_id == confirmed.confirmed_by_id == editor.id
    assert 'data-testid="draft-banner"' not in editor_client.get(f"/finance/verifications/{draft.id}").get_data(
        as_text=True
    )


def test_an_inactive_271(app, editor, editor_client, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="W228871930")
    assert upload(editor_client, coverage_id, fixture_bytes("inactive")).status_code == 302
    draft = the_verification(app)
    assert draft.status is VerificationStatus.INACTIVE and draft.payer_reference is None
    assert {line.service_line: line.covered for line in draft.lines} == dict.fromkeys(ServiceLine, False)


def test_a_carve_out_is_shown_plainly(app, editor, editor_client, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="BVH00417761")
    assert upload(editor_client, coverage_id, fixture_bytes("carve_out")).status_code == 302
    draft = the_verification(app)
    lines = lines_by_service(draft)
    contact = "Contact MINDBRIDGE BEHAVIORAL HEALTH, phone 888-555-0142, website WWW.MINDBRIDGE.EXAMPLE"
    assert lines[ServiceLine.SUD_RESIDENTIAL].carve_out == contact
    assert lines[ServiceLine.SUD_OUTPATIENT].carve_out == contact
    assert lines[ServiceLine.MENTAL_HEALTH].carve_out is None
    assert any(finding.startswith("Carve-out: EB*U") for finding in draft.findings)
    text = editor_client.get(f"/finance/verifications/{draft.id}").get_data(as_text=True)
    assert 'data-testid="carve-outs"' in text and f"Substance use — residential / inpatient: {contact}" in text


@pytest.mark.parametrize(
    "name, rejection",
    [
        ("rejected", "Subscriber: Invalid/Missing Subscriber/Insured ID (AAA 72). Please Correct and Resubmit."),
        ("rejected_payer", "Payer: Unable to Respond at Current Time (AAA 42). Resubmission Allowed."),
    ],
)
def test_a_rejected_271_shows_the_rejection(app, editor, editor_client, inquiry, name, rejection):
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="XJH00000000")
    assert upload(editor_client, coverage_id, fixture_bytes(name)).status_code == 302
    draft = the_verification(app)
    assert draft.status is VerificationStatus.NEEDS_INFORMATION and draft.lines == []
    assert draft.findings[-1] == rejection or rejection in draft.findings
    text = editor_client.get(f"/finance/verifications/{draft.id}").get_data(as_text=True)
    assert str(escape(rejection)) in text and 'data-testid="findings"' in text


@pytest.mark.parametrize("name", ["several_service_types", "family_and_dependent"])
def test_other_fixtures_import(app, editor, editor_client, inquiry, name):
    coverage_id = make_coverage(app, editor, inquiry.id)
    assert upload(editor_client, coverage_id, fixture_bytes(name)).status_code == 302
    draft = the_verification(app)
    assert draft.status is VerificationStatus.VERIFIED_ACTIVE and draft.lines
    assert editor_client.get(f"/finance/verifications/{draft.id}").status_code == 200


def test_a_member_id_mismatch_is_imported_and_shown_not_refused(app, editor, editor_client):
    inquiry = make_inquiry(app, editor, patient_name="Jordan Rivera", patient_dob="1989-04-12")
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="OTHER-999")
    assert upload(editor_client, coverage_id, fixture_bytes("active_ppo")).status_code == 302
    draft = the_verification(app)
    with app.app_context():
        assert verifications.identity_mismatches(verifications.load_verification(draft.id)) == [
            "The 271 is for member id XJH123456789; this coverage has OTHER-999."
        ]
    text = editor_client.get(f"/finance/verifications/{draft.id}").get_data(as_text=True)
    assert 'data-testid="mismatches"' in text and "this coverage has OTHER-999" in text


@pytest.mark.parametrize("stored", ["XJH 1234 5678 9", "xjh123456789", " xjh 123456789 "])
def test_member_ids_compare_without_spaces_or_case(app, editor, editor_client, inquiry, stored):
    # Coverages from the web form and the API kept spaces before the one normaliser; a 271's id is
    # compact. Either way the same id is no mismatch.
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="PLACEHOLDER1")
    with app.app_context():
        db.session.execute(sa.update(Coverage).where(Coverage.id == coverage_id).values(member_id=stored))
        db.session.commit()
    assert upload(editor_client, coverage_id, fixture_bytes("active_ppo")).status_code == 302
    assert not any("member id" in finding for finding in the_verification(app).findings)
    page = editor_client.get(f"/finance/verifications/{the_verification(app).id}").get_data(as_text=True)
    assert "member id XJH123456789" not in page


def _parser_message(content: bytes) -> str:
    with pytest.raises(X12ParseError) as refused:
        parse_271(content)
    return refused.value.message


@pytest.mark.parametrize(
    "content",
    [
        fixture_bytes("active_ppo").replace(b"SE*38*0001", b"SE*37*0001"),
        fixture_bytes("active_ppo").replace(b"IEA*1*000004521", b"IEA*1*000009999"),
        fixture_bytes("active_ppo").replace(b"EB*A*IND*CI*PR****0.2", b"EB*A*IND*CI*PR****twenty"),
        b"hello, this is not a 271",
        b"\xff\xfe\x00garbage",
    ],
    ids=["segment-count", "control-number", "bad-percent", "text", "binary"],
)
def test_a_malformed_271_gets_the_parsers_message_and_changes_nothing(app, editor, editor_client, inquiry, content):
    coverage_id = make_coverage(app, editor, inquiry.id)
    message = _parser_message(content)
    response = upload(editor_client, coverage_id, content)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert str(escape(message)) in page and "Nothing was imported." in page
    assert count(app, BenefitVerification) == 0
    assert "verification_imported" not in audit_actions(app)


def test_the_service_refuses_a_malformed_271_on_the_file_field(app, editor, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id)
    with app.app_context():
        coverage = coverages.load_coverage(coverage_id)
        with pytest.raises(ValidationFailed) as refused:
            eligibility.import_271(editor, coverage, b"ISA*broken")
        assert [field for field, _ in refused.value.reasons] == ["file"]
    assert count(app, BenefitVerification) == 0


def test_oversized_empty_and_missing_files_are_refused(app, editor, editor_client, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id)
    app.config["X12_MAX_BYTES"] = 1024
    response = upload(editor_client, coverage_id, fixture_bytes("active_ppo"))
    assert response.status_code == 400
    assert "a 271 may be at most 1,024 bytes" in response.get_data(as_text=True)
    response = upload(editor_client, coverage_id, b"")
    assert response.status_code == 400 and "The file is empty." in response.get_data(as_text=True)
    response = editor_client.post_form(f"/finance/coverages/{coverage_id}/271", {}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose the 271 file the payer sent." in response.get_data(as_text=True)
    assert count(app, BenefitVerification) == 0


def test_case_managers_cannot_import(app, client, create_user, editor, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id)
    login_as(client, create_user(Role.CASE_MANAGER))
    assert client.get(f"/finance/coverages/{coverage_id}/271").status_code == 403
    assert upload(client, coverage_id, fixture_bytes("active_ppo")).status_code == 403
    assert client.get(f"/finance/coverages/{coverage_id}/270").status_code == 403
    assert count(app, BenefitVerification) == 0


# --- 270 download ---------------------------------------------------------------------------------


def clinic_today(app):
    return datetime.now(ZoneInfo(app.config["DISPLAY_TIMEZONE"])).date()


def test_a_270_downloads_for_a_coverage_with_a_kept_payer(app, editor, editor_client, inquiry):
    app.config["PROVIDER_NPI"] = VALID_NPI
    app.config["PROVIDER_NAME"] = "Harbor Recovery Center"
    payer_id = make_payer(app)
    coverage_id = make_coverage(app, editor, inquiry.id, payer_id=str(payer_id), group_number="GRP-88120")
    response = editor_client.get(f"/finance/coverages/{coverage_id}/270")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="270-{inquiry.id}-{clinic_today(app).isoformat()}.x12"'
    )
    text = response.get_data(as_text=True)
    assert text.startswith("ISA*00*")
    for segment in (
        "ST*270*",
        "NM1*PR*2*BLUE HARBOR HEALTH*****PI*BHH01~",
        "NM1*1P*2*HARBOR RECOVERY CENTER*****XX*1234567893~",
        "NM1*IL*1*EXAMPLE*DANIEL****MI*XYZ123456789~",
        "REF*6P*GRP-88120~",
        "DMG*D8*19750412*M~",
        f"DTP*291*D8*{clinic_today(app):%Y%m%d}~",
        "EQ*30^",
    ):
        assert segment in text, segment
    assert audit_actions(app, "coverage")[-1] == "eligibility_request_built"


def test_a_270_for_a_dependent_names_the_subscriber_and_the_patient(app, editor, editor_client, inquiry):
    app.config["PROVIDER_NPI"] = VALID_NPI
    payer_id = make_payer(app)
    coverage_id = make_coverage(
        app,
        editor,
        inquiry.id,
        payer_id=str(payer_id),
        relationship_to_subscriber="spouse",
        subscriber_name="Example, Maria Luisa",
        subscriber_dob="1977-09-30",
        subscriber_sex="female",
    )
    text = editor_client.get(f"/finance/coverages/{coverage_id}/270").get_data(as_text=True)
    assert "NM1*IL*1*EXAMPLE*MARIA LUISA****MI*XYZ123456789~" in text and "DMG*D8*19770930*F~" in text
    assert "NM1*03*1*EXAMPLE*DANIEL~" in text and "INS*N*01~" in text


@pytest.mark.parametrize(
    "setup, message",
    [
        ({"npi": None}, "The clinic&#39;s NPI is not set up (PROVIDER_NPI in the server settings)"),
        ({"payer_code": None}, "Add the payer&#39;s X12 id on Admin → Payers."),
        ({"typed_payer": True}, "Choose this coverage&#39;s payer from the payer list"),
        ({"member_id": None}, "Add the member id from the insurance card to this coverage."),
        ({"patient_name": "Daniel"}, "Enter the patient&#39;s first and last name on the inquiry"),
        ({"patient_dob": ""}, "Enter the patient&#39;s date of birth on the inquiry"),
        ({"npi": "1234567890"}, "The NPI 1234567890 fails its check digit"),
    ],
)
def test_a_270_that_cannot_be_built_explains_why(app, create_user, editor, editor_client, setup, message):
    if setup.get("npi", VALID_NPI):
        app.config["PROVIDER_NPI"] = setup.get("npi", VALID_NPI)
    inquiry = make_inquiry(
        app,
        editor,
        patient_name=setup.get("patient_name", "Daniel Example"),
        patient_dob=setup.get("patient_dob", "1975-04-12"),
    )
    payer_id = make_payer(app, payer_code=setup.get("payer_code", "BHH01"))
    coverage = (
        {"payer_name": "Typed Insurer", "payer_id": ""} if setup.get("typed_payer") else {"payer_id": str(payer_id)}
    )
    coverage_id = make_coverage(app, editor, inquiry.id, member_id=setup.get("member_id", "XYZ123456789"), **coverage)
    response = editor_client.get(f"/finance/coverages/{coverage_id}/270")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "eligibility_request_built" not in audit_actions(app)


@pytest.mark.parametrize(
    "name, parts",
    [
        ("Mary Ann Smith", ("Smith", "Mary Ann")),
        ("  Smith,   Mary Ann ", ("Smith", "Mary Ann")),
        ("Daniel Example", ("Example", "Daniel")),
        ("Daniel", None),
        ("Smith,", None),
        ("", None),
        (None, None),
    ],
)
def test_names_are_split_on_the_last_space_or_a_comma(name, parts):
    assert eligibility.split_name(name) == parts
