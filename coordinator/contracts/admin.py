"""Input contracts for the administrators' pages: API clients, the audit log search and the
break-the-glass review log."""

from __future__ import annotations

import re

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.messages import define
from coordinator.contracts.values.cursor import list_cursor
from coordinator.domain.audit import AuditAction
from coordinator.domain.labelled import LabelledStrEnum

API_CLIENT_NAME_LIMIT = 120
AUDIT_TEXT_LIMIT = 64  # the longest entity type or id the audit log stores
AUDIT_WORDS_LIMIT = 200
ACTOR_LIMIT = 130
MAX_PAGE = 100000
# The actor filter's options: `user:<id>` for a staff account, `label:<label>` for the others
# (`label:anonymous` for failed sign-ins; `cli`, `api_client:<id>` and so on by address).
ACTOR_RE = re.compile(r"^user:(?P<user_id>[1-9][0-9]{0,9})$|^label:(?P<label>[a-z][a-z0-9_:.\-]{0,119})$")
ANONYMOUS_ACTOR = "label:anonymous"

define(
    {
        "api_client_name_required": "Enter a name for this client.",
        "api_client_name_taken": "An API client with this name already exists.",
        "api_client_already_revoked": "This API client's key was already revoked.",
        "audit_actor_unknown": "Choose an actor from the list.",
    }
)


class ApiClientInput(Contract):
    """A new API client: who will use the key."""

    name: values.text(API_CLIENT_NAME_LIMIT, required="api_client_name_required")
    reads_episodes: values.yes_no()  # the clinic's own systems only: reads patients' levels of care


class AuditFilterInput(Contract):
    """The audit log search: words and record numbers, actor, action, record, whole days in the
    clinic's calendar, page."""

    q: values.text(AUDIT_WORDS_LIMIT)
    actor: values.text(ACTOR_LIMIT)
    action: values.choice(AuditAction)
    entity_type: values.text(AUDIT_TEXT_LIMIT)
    entity_id: values.text(AUDIT_TEXT_LIMIT)
    date_from: values.day(what="first day")
    date_to: values.day(what="last day")
    page: values.whole_number(what="page", minimum=1, maximum=MAX_PAGE)  # old links; pages are cursors now
    cursor: list_cursor()

    def problems(self):
        match = ACTOR_RE.match(self.actor or "")
        if self.actor and (match is None or int(match.group("user_id") or 0) > values.MAX_RECORD_ID):
            yield problem("actor", "audit_actor_unknown")

    @property
    def actor_user_id(self) -> int | None:
        """The staff account the search is limited to, if any."""
        match = ACTOR_RE.match(self.actor or "")
        return int(match.group("user_id")) if match and match.group("user_id") else None

    @property
    def actor_label(self) -> str | None:
        """The non-staff actor (`anonymous`, `cli`...) the search is limited to, if any."""
        match = ACTOR_RE.match(self.actor or "")
        return match.group("label") if match else None


class BreakGlassShow(LabelledStrEnum):
    """Which break-the-glass entries the review log lists."""

    UNREVIEWED = "unreviewed", "Not yet reviewed"
    ALL = "all", "All"


class BreakGlassFilterInput(Contract):
    """The break-the-glass review log's filter and page."""

    show: values.choice(BreakGlassShow, default=BreakGlassShow.UNREVIEWED)
    page: values.whole_number(what="page", minimum=1, maximum=MAX_PAGE)  # old links; pages are cursors now
    cursor: list_cursor()
