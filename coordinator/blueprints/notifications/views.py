"""Views of one's own notifications. Every lookup is by (id, signed-in user): others' ids are 404."""

from flask import flash, redirect, render_template, url_for

from coordinator import security
from coordinator.blueprints.clinic import me
from coordinator.blueprints.filters import read_filters
from coordinator.blueprints.forms import submit
from coordinator.blueprints.navigation import is_safe_next
from coordinator.blueprints.notifications import bp
from coordinator.blueprints.notifications.forms import ConfirmForm, NotificationFilterForm
from coordinator.services import notifications

PAGE_SIZE = 25


@bp.route("/")
@security.any_staff
def index():
    form, criteria = read_filters(NotificationFilterForm, "Some options were not understood and were ignored.")
    page = notifications.list_for(me(), criteria, PAGE_SIZE)
    return render_template(
        "notifications/index.html", form=form, page=page, confirm=ConfirmForm(), is_local=is_safe_next
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
@security.any_staff
def mark_read(notification_id: int):
    form = ConfirmForm()
    notification = form.validate_on_submit() and submit(form, notifications.mark_read, me(), notification_id)
    # Only a path on this site: a stored link must never send staff elsewhere.
    if notification and is_safe_next(notification.link):
        return redirect(notification.link)
    return redirect(url_for("notifications.index"))


@bp.route("/read-all", methods=["POST"])
@security.any_staff
def mark_all_read():
    form = ConfirmForm()
    count = form.validate_on_submit() and submit(form, notifications.mark_all_read, me())
    flash(
        f"{count} notification{'' if count == 1 else 's'} marked as read." if count else "Nothing was unread.",
        "success" if count else "info",
    )
    return redirect(url_for("notifications.index"))
