"""The pipeline board (GET), moving a card (POST: the record page's lifecycle use case), and an
admissions user going on or off duty. Thin: each view parses a form and calls one service."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.board import bp
from coordinator.blueprints.board.forms import BoardFilterForm, MoveForm, OnDutyForm
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.contracts.pipeline import BoardFilter
from coordinator.errors import ValidationFailed
from coordinator.models import utcnow
from coordinator.roles import Role
from coordinator.services import board, inquiries, inquiry_access, pipeline, speed_to_lead

READ_ROLES = tuple(inquiry_access.READERS)
EDIT_ROLES = tuple(inquiry_access.EDITORS)


def _assignee_choices() -> list[tuple[str, str]]:
    people = [(str(u.id), u.full_name) for u in inquiries.assignable_users()]
    return [("", "Anyone"), ("me", "Me"), ("none", "Nobody")] + people


def _parse_filters(data: dict) -> BoardFilter:
    try:
        return BoardFilter.parse(data, source="form")
    except ValidationFailed:
        flash("Some filters were not understood and were ignored.", "warning")
        return BoardFilter.parse({}, source="form")


def _filter_args(filters: BoardFilter) -> dict:
    """The filters as query arguments (only what was parsed: never a raw posted value)."""
    args = {"assignee": filters.assignee, "source": filters.source.value if filters.source else None}
    if filters.closed:
        args["closed"] = "y"
    return {name: value for name, value in args.items() if value}


def _render(filters: BoardFilter, status: int = 200, failed: tuple[int, MoveForm] | None = None):
    form = BoardFilterForm(formdata=None, data=_filter_args(filters))
    form.assignee.choices = _assignee_choices()
    user = me()
    shown = board.read_board(user, filters, current_app.config["BOARD_CARDS_PER_COLUMN"])
    return render_template(
        "board/index.html",
        form=form,
        board=shown,
        now=utcnow(),
        back=_filter_args(filters),
        failed=failed,
        can_move=user.role in inquiry_access.EDITORS,
        on_duty_form=OnDutyForm() if user.role is Role.ADMISSIONS else None,
        on_duty_count=len(speed_to_lead.on_duty_users()),
        round_robin=speed_to_lead.round_robin_enabled(),
        target_of=board.target_of,
    ), status


@bp.route("/")
@security.roles(*READ_ROLES)
def index():
    return _render(_parse_filters(request.args.to_dict()))


@bp.route("/<int:inquiry_id>/move", methods=["POST"])
@security.roles(*EDIT_ROLES)
def move(inquiry_id: int):
    inquiry = inquiry_access.require_visible(me(), inquiry_id, edit=True, purpose="opened_for_change")
    form = MoveForm()
    filters = _parse_filters(
        {"assignee": form.back_assignee.data, "source": form.back_source.data, "closed": form.back_closed.data}
    )
    if form.validate_on_submit() and submit(form, pipeline.transition, me(), inquiry):
        flash(f"Inquiry #{inquiry.id} is now in “{inquiry.status.label}”.", "success")
        return redirect(url_for("board.index", **_filter_args(filters)) + f"#card-{inquiry.id}")
    return _render(filters, 400, failed=(inquiry_id, form))


@bp.route("/on-duty", methods=["POST"])
@security.roles(Role.ADMISSIONS)
def on_duty():
    form = OnDutyForm()
    if not form.validate_on_submit() or form.on_duty.data not in ("on", "off"):
        flash("That did not work: please try again from the board.", "warning")
        return redirect(url_for("board.index"))
    speed_to_lead.set_on_duty(me(), form.on_duty.data == "on")
    word = "on duty: new web and API inquiries come to you" if me().on_duty else "off duty"
    flash(f"You are {word}.", "success")
    return redirect(url_for("board.index"))
