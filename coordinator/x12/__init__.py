"""X12 005010X279A1 eligibility: build a 270 inquiry, read a 271 response, draft a verification.

Pure code: no database, no Flask. `build270` writes the request, `parse271` reads the response
(pyx12 tokenizes, the loop logic is ours; the reader's layers are `envelope`, `loops`, `drafts`,
`elements` and `results`), `mapping` turns a response into a verification draft per service line
(with `service_lines` and `line_fields`), and `codes` holds the code tables (DOMAIN.md Part 2,
section 6).
"""

from coordinator.x12.build270 import (
    EligibilityRequest,
    Person,
    X12BuildError,
    build_270,
)
from coordinator.x12.codes import SUD_INQUIRY_SERVICE_TYPES
from coordinator.x12.mapping import LineDraft, VerificationDraft, draft_from_271
from coordinator.x12.parse271 import (
    Benefit,
    EligibilityResponse,
    Entity,
    Member,
    Party,
    Rejection,
    TraceNumber,
    X12ParseError,
    parse_271,
)

__all__ = [
    "SUD_INQUIRY_SERVICE_TYPES",
    "Benefit",
    "EligibilityRequest",
    "EligibilityResponse",
    "Entity",
    "LineDraft",
    "Member",
    "Party",
    "Person",
    "Rejection",
    "TraceNumber",
    "VerificationDraft",
    "X12BuildError",
    "X12ParseError",
    "build_270",
    "draft_from_271",
    "parse_271",
]
