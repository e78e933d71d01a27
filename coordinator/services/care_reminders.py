"""Reminders about an episode of care, written in the same transaction as their cause: the
level-of-care review, the expected transfer from the partner hospital, discharge planning
before an authorization or the planned stay ends (`rules/care_reminders` decides which).

`episode_changed` is called by whatever changes what they depend on — the admission, a move or
the discharge, a review assessment, the planned discharge date, an authorization of the
episode's inquiry, the review intervals — and makes the episode's open reminders exactly the
planned ones: those no longer planned are resolved (cancelled), the planned ones scheduled
(or reopened). The sender asks the same rule again just before sending (`outbox/recipients`,
through `dates_for`, loaded once per batch). Nothing here commits.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from flask import current_app

from coordinator.clock import clinic_today, clinic_zone
from coordinator.domain.care import AdmissionStatus, AssessmentOccasion
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import Admission, AsamAssessment, Authorization, CareSegment, Reminder
from coordinator.rules import care_reminders as rules
from coordinator.rules.level_moves import Segment
from coordinator.services import care_settings, reminders

CARE_KINDS = (ReminderKind.LEVEL_REVIEW_DUE, ReminderKind.TRANSFER_NOT_RECORDED, ReminderKind.DISCHARGE_PLANNING_DUE)


def care_morning(day: date) -> datetime:
    """CARE_REMINDER_HOUR on `day`, clinic time, as an aware datetime."""
    hour = min(current_app.config["CARE_REMINDER_HOUR"], 23)
    return datetime.combine(day, time(hour), tzinfo=clinic_zone())


def dates_for(admissions: list[Admission]) -> dict[int, rules.EpisodeDates]:
    """What decides each episode's reminders: three queries (segments, latest reviews, granted
    authorizations), whatever the number of episodes."""
    if not admissions:
        return {}
    ids = [a.id for a in admissions]
    segments: dict[int, list[CareSegment]] = {i: [] for i in ids}
    for segment in db.session.scalars(
        sa.select(CareSegment).where(CareSegment.admission_id.in_(ids)).order_by(CareSegment.starts_on, CareSegment.id)
    ):
        segments[segment.admission_id].append(segment)
    reviewed = dict(
        db.session.execute(
            sa.select(AsamAssessment.admission_id, sa.func.max(AsamAssessment.assessed_at))
            .where(AsamAssessment.admission_id.in_(ids), AsamAssessment.occasion == AssessmentOccasion.REVIEW)
            .group_by(AsamAssessment.admission_id)
        ).all()
    )
    by_inquiry: dict[int, list[rules.AuthorizationEnd]] = {a.inquiry_id: [] for a in admissions}
    for auth in db.session.scalars(
        sa.select(Authorization).where(
            Authorization.inquiry_id.in_(by_inquiry),
            Authorization.status.in_(reminders.GRANTED_AUTHORIZATIONS),
            Authorization.end_date.is_not(None),
        )
    ):
        by_inquiry[auth.inquiry_id].append(rules.AuthorizationEnd(auth.id, auth.level_of_care, auth.end_date))
    zone = clinic_zone()
    out = {}
    for admission in admissions:
        rows = segments[admission.id]
        last_review = reviewed.get(admission.id)
        out[admission.id] = rules.EpisodeDates(
            episode=admission.id,
            segments=tuple(
                Segment(s.level_of_care, s.program_id, s.starts_on, s.ends_on, s.on_leave, s.admission_id) for s in rows
            ),
            expected_transfer_on=rows[-1].expected_transfer_on if rows and rows[-1].ends_on is None else None,
            last_review_on=last_review.astimezone(zone).date() if last_review else None,
            planned_discharge_on=admission.planned_discharge_on,
            authorizations=tuple(by_inquiry[admission.inquiry_id]),
        )
    return out


def planned(dates: rules.EpisodeDates, today: date | None = None, review_days=None) -> tuple[rules.Planned, ...]:
    """The reminders the episode wants now, under the clinic's settings."""
    return rules.plan(
        dates,
        review_days if review_days is not None else care_settings.review_days(),
        current_app.config["DISCHARGE_PLANNING_NOTICE_DAYS"],
        today or clinic_today(),
    )


def next_review_on(admission: Admission, dates: rules.EpisodeDates | None = None) -> date | None:
    """When the current level's review is due (None when discharged or at the partner hospital)."""
    dates = dates or dates_for([admission])[admission.id]
    return rules.next_review_on(dates, care_settings.review_days())


def episode_changed(admission: Admission, today: date | None = None, review_days=None) -> list[Reminder]:
    """Make the episode's open reminders the planned ones (resolve the rest, schedule these).
    A discharged episode plans none, so its open reminders are resolved. The caller commits."""
    db.session.flush()
    wanted = (
        []
        if admission.status is not AdmissionStatus.ACTIVE
        else planned(dates_for([admission])[admission.id], today, review_days)
    )
    reason = "episode discharged" if admission.status is not AdmissionStatus.ACTIVE else "episode changed"
    reminders.cancel_where(
        reason,
        Reminder.admission_id == admission.id,
        Reminder.kind.in_(CARE_KINDS),
        Reminder.dedupe_key.not_in([p.key for p in wanted] or [""]),
    )
    return [
        reminders.schedule(
            p.kind, care_morning(p.due_on), p.key, admission_id=admission.id, authorization_id=p.authorization_id
        )
        for p in wanted
    ]


def authorizations_changed(inquiry_id: int, today: date | None = None) -> None:
    """An authorization of this inquiry was recorded or changed: its episode's discharge
    planning follows the new dates. The caller commits."""
    admission = db.session.scalar(sa.select(Admission).where(Admission.inquiry_id == inquiry_id))
    if admission is not None:
        episode_changed(admission, today)


def reschedule_active(today: date | None = None) -> int:
    """The review intervals changed: every active episode's reminders follow (the caller commits)."""
    review_days = care_settings.review_days()
    active = list(db.session.scalars(sa.select(Admission).where(Admission.status == AdmissionStatus.ACTIVE)))
    for admission in active:
        episode_changed(admission, today, review_days)
    return len(active)
