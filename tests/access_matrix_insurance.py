"""Matrix rows for insurance pages (coverages, verifications, 270/271, authorizations, estimates); merged into tests/access_matrix.MATRIX.

Forms are open to finance editors (GET and POST); the verification page and the estimate to
finance readers (case managers included). POSTs send input that fails validation (400) or a
harmless action (confirming a verification that is already confirmed: 302 with a notice).
The 270 answers 400 with a clear page here: the test app has no PROVIDER_NPI."""

from __future__ import annotations

from tests.access_matrix import FINANCE_EDITORS, FINANCE_READERS, Access

INSURANCE_MATRIX: dict = {
    ("finance.new_coverage", "GET"): Access(FINANCE_EDITORS, "/finance/inquiry/{inquiry}/coverages/new", expect=200),
    ("finance.new_coverage", "POST"): Access(
        FINANCE_EDITORS, "/finance/inquiry/{inquiry}/coverages/new", expect=400, data={"rank": "primary"}
    ),
    ("finance.edit_coverage", "GET"): Access(FINANCE_EDITORS, "/finance/coverages/{ins_coverage}/edit", expect=200),
    ("finance.edit_coverage", "POST"): Access(
        FINANCE_EDITORS, "/finance/coverages/{ins_coverage}/edit", expect=400, data={"rank": "wizard"}
    ),
    ("finance.new_verification", "GET"): Access(
        FINANCE_EDITORS, "/finance/coverages/{ins_coverage}/verifications/new", expect=200
    ),
    ("finance.new_verification", "POST"): Access(
        FINANCE_EDITORS, "/finance/coverages/{ins_coverage}/verifications/new", expect=400, data={"status": ""}
    ),
    ("finance.verification", "GET"): Access(FINANCE_READERS, "/finance/verifications/{ins_verification}", expect=200),
    ("finance.edit_verification", "GET"): Access(
        FINANCE_EDITORS, "/finance/verifications/{ins_draft}/edit", expect=200
    ),
    ("finance.edit_verification", "POST"): Access(
        FINANCE_EDITORS, "/finance/verifications/{ins_draft}/edit", expect=400, data={"status": "nonsense"}
    ),
    ("finance.confirm_verification", "GET"): Access(
        FINANCE_EDITORS, "/finance/verifications/{ins_draft}/confirm", expect=200
    ),
    ("finance.confirm_verification", "POST"): Access(
        FINANCE_EDITORS, "/finance/verifications/{ins_verification}/confirm", expect=302
    ),
    ("finance.discard_verification", "GET"): Access(
        FINANCE_EDITORS, "/finance/verifications/{ins_draft}/discard", expect=200
    ),
    ("finance.discard_verification", "POST"): Access(
        FINANCE_EDITORS, "/finance/verifications/{ins_draft}/discard", expect=400, data={"reason": ""}
    ),
    ("finance.download_270", "GET"): Access(FINANCE_EDITORS, "/finance/coverages/{ins_coverage}/270", expect=400),
    ("finance.import_271", "GET"): Access(FINANCE_EDITORS, "/finance/coverages/{ins_coverage}/271", expect=200),
    ("finance.import_271", "POST"): Access(FINANCE_EDITORS, "/finance/coverages/{ins_coverage}/271", expect=400),
    ("finance.estimate", "GET"): Access(
        FINANCE_READERS, "/finance/verifications/{ins_verification}/estimate", expect=200
    ),
    ("finance.estimate", "POST"): Access(
        FINANCE_READERS, "/finance/verifications/{ins_verification}/estimate", expect=400, data={"days": "many"}
    ),
    ("finance.print_estimate", "GET"): Access(
        FINANCE_READERS,
        "/finance/verifications/{ins_verification}/estimate/print"
        "?service_line=sud_residential&daily_rate=1000&days=14&authorized_days=14",
        expect=200,
    ),
    ("finance.new_authorization", "GET"): Access(
        FINANCE_EDITORS, "/finance/inquiry/{inquiry}/authorizations/new", expect=200
    ),
    ("finance.new_authorization", "POST"): Access(
        FINANCE_EDITORS, "/finance/inquiry/{inquiry}/authorizations/new", expect=400, data={"level_of_care": ""}
    ),
    ("finance.edit_authorization", "GET"): Access(
        FINANCE_EDITORS, "/finance/authorizations/{ins_authorization}/edit", expect=200
    ),
    ("finance.edit_authorization", "POST"): Access(
        FINANCE_EDITORS, "/finance/authorizations/{ins_authorization}/edit", expect=400, data={"status": "wizard"}
    ),
}
