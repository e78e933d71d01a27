"""Input contract for the notification list's filter."""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.values.cursor import list_cursor
from coordinator.domain.labelled import LabelledStrEnum

MAX_PAGE = 100000


class NotificationShow(LabelledStrEnum):
    """Which of one's notifications the list shows."""

    ALL = "all", "All"
    UNREAD = "unread", "Unread only"


class NotificationFilterInput(Contract):
    """The notification list's filter and page."""

    show: values.choice(NotificationShow, default=NotificationShow.ALL)
    page: values.whole_number(what="page", minimum=1, maximum=MAX_PAGE)  # old links; pages are cursors now
    cursor: list_cursor()
