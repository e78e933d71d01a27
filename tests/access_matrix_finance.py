"""Matrix rows for the finance overview, billing's worklist, break-the-glass and the override;
merged into tests/access_matrix.MATRIX."""

from __future__ import annotations

from tests.access_matrix import ADMIN, FINANCE_READERS, Access

FINANCE_MATRIX: dict = {
    ("finance.index", "GET"): Access(FINANCE_READERS, "/finance/", expect=200),
    ("finance.search", "GET"): Access(FINANCE_READERS, "/finance/search?q=Harbor", expect=200),
    ("finance.inquiry", "GET"): Access(FINANCE_READERS, "/finance/inquiry/{inquiry}", expect=200),
    ("finance.break_glass", "POST"): Access(
        FINANCE_READERS, "/finance/inquiry/{inquiry}/break-glass", expect=400, data={"reason": ""}
    ),
    ("finance.override", "POST"): Access(
        ADMIN, "/finance/inquiry/{inquiry}/override", expect=400, data={"override_reason": "short"}
    ),
}
