"""Break-the-glass in the views: the restricted-record page with its form, the form's post, and
the banner of emergency access on every page of the record opened by a grant.

The inquiry page offers the clinical record first and the finance pages the finances; the form
lists only the scopes the viewer's role may ask for (billing: finances; clinicians: the clinical
record). A grant sends the viewer to the part it opens.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.blueprints.inquiries.forms import BreakGlassForm
from coordinator.clock import clinic_zone
from coordinator.domain.intake import BreakGlassScope
from coordinator.models import utcnow
from coordinator.services import break_glass

OPENS = {BreakGlassScope.CLINICAL: "inquiries.detail", BreakGlassScope.FINANCE: "finance.inquiry"}
# Pages of these blueprints show the finances of a record; every other page of a record, its clinical part.
FINANCE_BLUEPRINTS = frozenset({"finance"})


def form(preferred: BreakGlassScope) -> BreakGlassForm:
    """The form, offering the viewer's scopes, `preferred` chosen when it is one of them."""
    offered = break_glass.scopes_for(me())
    chosen = preferred if preferred in offered else (offered[0] if offered else None)
    built = BreakGlassForm() if request.method == "POST" else BreakGlassForm(scope=chosen and chosen.value)
    built.scope.choices = [(scope.value, scope.label) for scope in offered]
    return built


def restricted_page(inquiry_id: int, preferred: BreakGlassScope, status: int, built: BreakGlassForm | None = None):
    """The 403 page of a restricted record, offering break-the-glass (400 when a post was refused)."""
    finance = preferred is BreakGlassScope.FINANCE
    return render_template(
        "inquiries/restricted.html",
        inquiry_id=inquiry_id,
        form=built or form(preferred),
        action_url=url_for("finance.break_glass" if finance else "inquiries.break_glass", inquiry_id=inquiry_id),
        back_url=url_for("finance.index" if finance else "inquiries.index"),
        back_label="Back to the finance worklist" if finance else "Back to inquiries",
    ), status


def post(inquiry_id: int, preferred: BreakGlassScope):
    """Break the glass: a grant sends the viewer to what it opens; a refused form is audited."""
    built = form(preferred)
    hours = current_app.config["BREAK_GLASS_HOURS"]
    if built.validate_on_submit() and (granted := submit(built, break_glass.grant, me(), inquiry_id, hours=hours)):
        flash(
            f"Emergency access granted for {hours} hours: {granted.scope.label.lower()}. It is recorded, and "
            "administrators and the person the record is assigned to are told.",
            "warning",
        )
        return redirect(url_for(OPENS[granted.scope], inquiry_id=inquiry_id))
    if built.refusal is not None:
        break_glass.attempt_refused(me(), inquiry_id, built.refusal)
    return restricted_page(inquiry_id, preferred, 400, built)


def banner(inquiry) -> dict | None:
    """For templates: the emergency access through which the viewer sees this page of `inquiry`
    (its scope, when it ends, the minutes left), or None when they see it without a grant."""
    user = me()
    if inquiry is None or not getattr(inquiry, "is_restricted", False) or not user.is_authenticated:
        return None
    scope = BreakGlassScope.FINANCE if request.blueprint in FINANCE_BLUEPRINTS else BreakGlassScope.CLINICAL
    grant = break_glass.open_grant(user, inquiry, scope)
    if grant is None:
        return None
    seconds = max(int((grant.expires_at - utcnow()).total_seconds()), 0)
    hours, minutes = divmod((seconds + 59) // 60, 60)
    left = f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
    zone = clinic_zone()
    ends = grant.expires_at.astimezone(zone)
    same_day = ends.date() == utcnow().astimezone(zone).date()
    return {
        "scope": grant.scope,
        "left": left,
        "until": ends.strftime("%H:%M" if same_day else "%d %b %H:%M"),
        "inquiry_id": inquiry.id,
    }
