"""Views of one's own notifications. Every lookup is by (id, signed-in user): others' ids are 404."""

from flask import abort, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.clinic import me as _me
from coordinator.blueprints.navigation import is_safe_next
from coordinator.blueprints.notifications import bp
from coordinator.blueprints.notifications.forms import ConfirmForm, NotificationFilterForm
from coordinator.errors import NotFound
from coordinator.extensions import db
from coordinator.services import notifications

PAGE_SIZE = 25


@bp.route("/")
@security.any_staff
def index():
    form = NotificationFilterForm(request.args)
    if not form.validate():
        flash("Some options were not understood and were ignored.", "warning")
        form = NotificationFilterForm(formdata=None)
    page = notifications.list_for(_me(), form.page.data or 1, PAGE_SIZE, unread_only=form.show.data == "unread")
    return render_template(
        "notifications/index.html", form=form, page=page, confirm=ConfirmForm(), is_local=is_safe_next
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
@security.any_staff
def mark_read(notification_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        notification = notifications.mark_read(_me(), notification_id)
    except NotFound:
        abort(404)
    db.session.commit()
    # Only a path on this site: a stored link must never send staff elsewhere.
    if is_safe_next(notification.link):
        return redirect(notification.link)
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@security.any_staff
def mark_all_read():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = notifications.mark_all_read(_me())
    db.session.commit()
    flash(
        f"{count} notification{'' if count == 1 else 's'} marked as read." if count else "Nothing was unread.",
        "success" if count else "info",
    )
    return redirect(url_for("notifications.index"))
