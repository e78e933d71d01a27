"""Who may see and change a person's insurance and private-pay records.

Admissions and billing edit; case managers read; clinicians see only whether the patient is
financially cleared (on the inquiry page, never the figures). A restricted inquiry's finances
are visible to its assignee and administrators; admissions, billing and case managers break
the glass for them with a reason (a grant names its scope, `services/break_glass.py`: one for the
clinical record does not open the finances). Every read and every refusal is audited. Only
administrators override financial clearance (`clearance.may_override`).
"""

from __future__ import annotations

from dataclasses import dataclass

from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import BreakGlassScope
from coordinator.errors import NotPermitted, RestrictedRecord
from coordinator.models import Inquiry, User
from coordinator.roles import Role
from coordinator.services import audit, clearance, inquiry_access

EDITORS = frozenset({Role.ADMIN, Role.ADMISSIONS, Role.BILLING})
READERS = EDITORS | {Role.CASE_MANAGER}
CLEARANCE_READERS = READERS | {Role.CLINICIAN}


@dataclass(frozen=True)
class FinanceAccess:
    inquiry: Inquiry
    visible: bool
    can_edit: bool


@dataclass(frozen=True)
class Permissions:
    """What the viewer of an inquiry's finances may do there, for the pages to show or hide."""

    edit: bool  # change insurance and private-pay records
    override: bool  # clear the person to admit without insurance or a deposit
    open_inquiry: bool  # open the inquiry's own record (billing never reads it)


def can_see(user: User, inquiry: Inquiry, glass_ids: frozenset[int] | None = None) -> bool:
    """Whether `user` may see the inquiry's finances (`glass_ids`: their open *finance*
    break-the-glass grants, when the caller already has them; looked up otherwise). The
    restricted-record rule is the clinical record's, with the finance roles; a grant for the
    clinical record does not open the finances, nor a finance grant the clinical record."""
    if user.role not in READERS:
        return False
    if glass_ids is None and inquiry.is_restricted:
        glass_ids = inquiry_access.open_break_glass_ids(user, BreakGlassScope.FINANCE)
    return inquiry_access.can_see(user, inquiry, glass_ids or frozenset(), readers=READERS)


def can_edit(user: User, inquiry: Inquiry) -> bool:
    """Whether `user`'s role changes finances and the inquiry is still worked on (not merged away);
    the caller has checked that the user may see them."""
    return user.role in EDITORS and inquiry.merged_into_id is None


def permissions(user: User, inquiry: Inquiry) -> Permissions:
    """What `user`, who may see the inquiry's finances, may do with them."""
    edit = can_edit(user, inquiry)
    return Permissions(
        edit=edit, override=edit and clearance.may_override(user), open_inquiry=opens_inquiry(user, inquiry)
    )


def opens_inquiry(user: User, inquiry: Inquiry) -> bool:
    """Whether `user` may open the inquiry's own (clinical) record, so a finance page may link
    to it: never billing; for a restricted record, only with access or a clinical grant."""
    return user.role in inquiry_access.READERS and inquiry_access.can_see(
        user, inquiry, _clinical_grants(user, inquiry)
    )


def _clinical_grants(user: User, inquiry: Inquiry) -> frozenset[int]:
    if not inquiry.is_restricted or user.role not in inquiry_access.READERS:
        return frozenset()
    return inquiry_access.open_break_glass_ids(user, BreakGlassScope.CLINICAL)


def open_for(user: User, inquiry_id: int, *, purpose: str = "viewed") -> FinanceAccess:
    """Load an inquiry's financial record for `user`, auditing the read (or the refusal)."""
    inquiry = inquiry_access.load(inquiry_id)
    if user.role not in READERS:
        audit.record_refusal(user, AuditAction.FINANCES_REFUSED, "inquiry", inquiry.id)
        raise NotPermitted("Your role does not give access to insurance and payment records.")
    visible = can_see(user, inquiry)
    if visible:
        audit.record(user, AuditAction(f"finances_{purpose}"), "inquiry", inquiry.id)
    else:
        audit.record_refusal(user, AuditAction.RESTRICTED_FINANCES_REFUSED, "inquiry", inquiry.id)
    return FinanceAccess(inquiry, visible, can_edit=visible and can_edit(user, inquiry))


def require(user: User, inquiry_id: int, *, edit: bool = False, purpose: str = "viewed") -> Inquiry:
    """The inquiry if `user` may see its finances (and change them, when asked); NotPermitted
    (RestrictedRecord for a restricted inquiry, offering break-the-glass) otherwise."""
    access = open_for(user, inquiry_id, purpose=purpose)
    if not access.visible:
        raise RestrictedRecord(
            "This inquiry is restricted. Break the glass with a reason to open it.",
            area="finances",
            record_id=inquiry_id,
        )
    if edit and user.role not in EDITORS:
        raise NotPermitted("Your role can read insurance and payment records but not change them.")
    if edit and access.inquiry.merged_into_id is not None:
        raise NotPermitted("This inquiry was merged into another; work on that one instead.")
    return access.inquiry
