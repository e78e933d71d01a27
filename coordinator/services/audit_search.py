"""Searching the audit log by actor, action, record and days (`contracts/admin.AuditFilterInput`)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from coordinator.clock import clinic_zone
from coordinator.contracts.admin import ANONYMOUS_ACTOR, AuditFilterInput
from coordinator.contracts.values import start_of_day
from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import AuditEvent, User
from coordinator.services import audit
from coordinator.services.pagination import Part, SeekPage, capped_count, seek
from coordinator.services.user_directory import escape_like

MAX_WORDS = 8  # more words than this are not a search anyone types


def search(actor: User, criteria: AuditFilterInput, per_page: int) -> SeekPage:
    """One page of matching audit rows, newest first, each with its actor's name when it has one;
    days are whole days in the clinic's time zone. Keyset pages (`pagination.seek`) and a capped
    count, so a page costs the same with a million rows. The search itself is audited; the caller
    commits."""
    who = aliased(User)
    statement = sa.select(AuditEvent, who.full_name).outerjoin(who, who.id == AuditEvent.actor_user_id)
    for word in (criteria.q or "").casefold().split()[:MAX_WORDS]:
        statement = statement.where(_matches(word, who))
    if criteria.actor_user_id is not None:
        statement = statement.where(AuditEvent.actor_user_id == criteria.actor_user_id)
    if criteria.actor_label is not None:
        statement = statement.where(AuditEvent.actor_label == criteria.actor_label)
    if criteria.action is not None:
        statement = statement.where(AuditEvent.action == criteria.action.value)
    if criteria.entity_type:
        statement = statement.where(AuditEvent.entity_type == criteria.entity_type)
    if criteria.entity_id:
        statement = statement.where(AuditEvent.entity_id == criteria.entity_id)
    zone = clinic_zone()
    if criteria.date_from is not None:
        statement = statement.where(AuditEvent.occurred_at >= start_of_day(criteria.date_from, zone))
    if criteria.date_to is not None:
        statement = statement.where(AuditEvent.occurred_at < start_of_day(criteria.date_to + timedelta(days=1), zone))
    part = Part(
        "all",
        statement,
        ((AuditEvent.occurred_at, True), (AuditEvent.id, True)),
        lambda row: (row[0].occurred_at, row[0].id),
        ("time", "id"),
        scalars=False,
    )
    page = seek([part], criteria.cursor, per_page, sort="newest", total=capped_count(statement))
    audit.record(actor, AuditAction.AUDIT_LOG_VIEWED, "audit_event", None)
    return page


def _matches(word: str, who) -> sa.ColumnElement[bool]:
    """What one typed word finds: a number (or "#42") is a record number; a word is part of an
    action's name or wording ("viewed", "sign-in"), a record type ("inquiry"), or part of the
    acting person's name. Every word must find something in a row for the row to be listed."""
    number = word.removeprefix("#")
    if number.isdecimal():
        return AuditEvent.entity_id == number
    actions = [a.value for a in AuditAction if word in a.value or word in a.label.casefold()]
    found = [
        AuditEvent.entity_type == word,
        sa.func.lower(who.full_name).like(f"%{escape_like(word)}%", escape="\\"),
    ]
    if actions:
        found.append(AuditEvent.action.in_(actions))
    return sa.or_(*found)


def actor_choices() -> list[tuple[str, str]]:
    """Options for the actor filter: anyone, anonymous visitors, then every staff account."""
    users = db.session.execute(
        sa.select(User.id, User.full_name, User.email).order_by(sa.func.lower(User.full_name))
    ).all()
    return [("", "Anyone"), (ANONYMOUS_ACTOR, "Anonymous (failed sign-ins)")] + [
        (f"user:{uid}", f"{name} ({email})") for uid, name, email in users
    ]


def action_label(value: str) -> str:
    """How the audit page words a stored action (older rows may hold a name no longer in use)."""
    action = AuditAction.parse(value)
    return action.label if action is not None else value
