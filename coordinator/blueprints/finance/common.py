"""What every finance view shares: the roles, and loading an inquiry's finances or refusing."""

from __future__ import annotations

from flask import abort, flash

from coordinator.blueprints.clinic import me
from coordinator.errors import NotFound, NotPermitted
from coordinator.extensions import db
from coordinator.services import finance_access

READ_ROLES = tuple(sorted(finance_access.READERS))
EDIT_ROLES = tuple(sorted(finance_access.EDITORS))


def inquiry_or_refuse(inquiry_id: int, *, edit: bool = False, purpose: str = "viewed"):
    """The inquiry whose finances the signed-in user may see (or change); None after flashing
    why not (the caller redirects to the finance overview, which offers break-the-glass).
    404 for an inquiry that does not exist."""
    try:
        return finance_access.require(me(), inquiry_id, edit=edit, purpose=purpose)
    except NotFound:
        abort(404)
    except NotPermitted as refusal:
        db.session.commit()  # keep the audit row of the refusal
        flash(refusal.message, "danger")
        return None
