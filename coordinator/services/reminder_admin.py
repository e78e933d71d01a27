"""The staff's view of reminders and what staff may do to one: search, counts, "stuck", queues and
workers (also read by /healthz), retry and cancel.

Database reads run a fixed number of statements whatever the number of rows. Queue depths and
worker heartbeats come from Redis with short timeouts, and an unreachable Redis is a state to
show, never an exception. Retry and cancel follow `rules/reminder_lifecycle.py` and never
commit (the request does).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import redis
import sqlalchemy as sa

from coordinator.contracts.base import problem
from coordinator.contracts.reminders import CancelReminderInput, ReminderFilterInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.reminders import DeliveryStatus, ReminderKind, ReminderListStatus
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Reminder, ReminderDelivery, User, utcnow
from coordinator.outbox.queues import QUEUES
from coordinator.rules.reminder_lifecycle import LIFECYCLE, ReminderAction, ReminderStatus
from coordinator.services import audit, records
from coordinator.services.pagination import COUNT_CAP, Part, SeekPage, capped_count, seek

log = logging.getLogger(__name__)

# A pending reminder this long past its due time should already have been relayed.
PENDING_GRACE = timedelta(minutes=5)
REDIS_TIMEOUT_SECONDS = 0.5
# RQ refreshes an idle worker's heartbeat every worker_ttl - 15 s (420 s by default); older than
# this and the worker has probably died without deregistering.
HEARTBEAT_STALE_AFTER = timedelta(seconds=420 + 60)

# What a reminder is about, in words that name no patient and no clinical detail.
SUMMARIES = {
    ReminderKind.FIRST_CONTACT_DUE: "An inquiry needs first contact",
    ReminderKind.TASK_DUE: "A follow-up task is due",
    ReminderKind.TASK_OVERDUE: "A follow-up task is overdue",
    ReminderKind.SAFETY_FLAG: "A screening needs same-day clinical review",
    ReminderKind.DAILY_DIGEST: "Daily digest of overdue tasks",
    ReminderKind.AUTH_REVIEW_DUE: "An authorization's next review is coming up",
    ReminderKind.AUTH_ENDING: "An authorization's last covered day is coming up",
    ReminderKind.INSTALLMENT_OVERDUE: "A payment-plan installment is unpaid after its due date",
    ReminderKind.BREAK_GLASS: "Someone broke the glass on a restricted record",
    ReminderKind.NEW_INQUIRY: "A new web or API inquiry arrived",
    ReminderKind.WAITLIST_BED_FREE: "A bed is free and someone is first in line on the waitlist",
    ReminderKind.LEVEL_REVIEW_DUE: "An episode's level-of-care review is due",
    ReminderKind.TRANSFER_NOT_RECORDED: "A transfer from the partner hospital was expected and not recorded",
    ReminderKind.DISCHARGE_PLANNING_DUE: "An episode needs discharge planning (authorization or planned stay ending)",
}

# Who receives a reminder with no named recipient (outbox/recipients.recipients).
RECIPIENT_RULES = {
    ReminderKind.FIRST_CONTACT_DUE: "The assignee, else the admissions team",
    ReminderKind.SAFETY_FLAG: "The clinical lead",
    ReminderKind.AUTH_REVIEW_DUE: "The billing team",
    ReminderKind.AUTH_ENDING: "The billing team",
    ReminderKind.INSTALLMENT_OVERDUE: "The billing team",
    ReminderKind.BREAK_GLASS: "Administrators and the record's assignee",
    ReminderKind.NEW_INQUIRY: "The admissions users on duty (else the admissions team) and the assignee",
    ReminderKind.WAITLIST_BED_FREE: "The case managers (else administrators)",
    ReminderKind.LEVEL_REVIEW_DUE: "The case managers and the clinical lead",
    ReminderKind.TRANSFER_NOT_RECORDED: "The case managers",
    ReminderKind.DISCHARGE_PLANNING_DUE: "The case managers",
}


@dataclass(frozen=True)
class ReminderRow:
    reminder: Reminder
    recipient_name: str | None
    deliveries_sent: int
    stuck: bool

    @property
    def summary(self) -> str:
        return SUMMARIES.get(self.reminder.kind, self.reminder.kind.label)

    @property
    def recipient_label(self) -> str:
        """Who it goes to: a named person, or the rule the sender applies when it is sent."""
        if self.recipient_name:
            return self.recipient_name
        return RECIPIENT_RULES.get(self.reminder.kind, "—")

    @property
    def can_retry(self) -> bool:
        return LIFECYCLE.allows(self.reminder.status, ReminderAction.RETRY)

    @property
    def can_cancel(self) -> bool:
        return LIFECYCLE.allows(self.reminder.status, ReminderAction.CANCEL)


@dataclass(frozen=True)
class ProblemCounts:
    stuck: int
    failed: int
    late: int = 0  # open (pending or queued) and past due by more than `late_after`; 0 if not asked


def _stuck_condition(now: datetime, lease: timedelta):
    return sa.or_(
        sa.and_(Reminder.status == ReminderStatus.PENDING, Reminder.due_at < now - PENDING_GRACE),
        sa.and_(
            Reminder.status == ReminderStatus.QUEUED,
            sa.func.coalesce(Reminder.queued_at, Reminder.updated_at) < now - lease,
        ),
    )


def is_stuck(reminder: Reminder, now: datetime, lease: timedelta) -> bool:
    """The same test as the SQL condition, for a row already loaded."""
    if reminder.status == ReminderStatus.PENDING:
        return reminder.due_at < now - PENDING_GRACE
    if reminder.status == ReminderStatus.QUEUED:
        return (reminder.queued_at or reminder.updated_at) < now - lease
    return False


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def search(filters: ReminderFilterInput, per_page: int, *, now: datetime, lease: timedelta, zone: ZoneInfo) -> SeekPage:
    """Reminders matching the filters, most urgent first, by keyset pages (`pagination.seek`):
    failed (latest due first), stuck (someone must act; waiting longest first), the other open
    ones (pending or queued: soonest due first), then those sent or cancelled (latest first). A
    capped count, the page's rows (one statement per part) and their sent counts, whatever the
    rows."""
    statement = sa.select(Reminder, User.full_name).outerjoin(User, User.id == Reminder.recipient_user_id)
    if filters.status is ReminderListStatus.STUCK:
        statement = statement.where(_stuck_condition(now, lease))
    elif filters.status is not None:
        statement = statement.where(Reminder.status == ReminderStatus(filters.status.value))
    if filters.kind is not None:
        statement = statement.where(Reminder.kind == filters.kind)
    if filters.due_from is not None:
        statement = statement.where(Reminder.due_at >= _day_start(filters.due_from, zone))
    if filters.due_to is not None:
        statement = statement.where(Reminder.due_at < _day_start(filters.due_to + timedelta(days=1), zone))
    failed, stuck = Reminder.status == ReminderStatus.FAILED, _stuck_condition(now, lease)
    still_open = Reminder.status.in_([ReminderStatus.PENDING, ReminderStatus.QUEUED])
    soonest, latest = ((Reminder.due_at, False), (Reminder.id, False)), ((Reminder.due_at, True), (Reminder.id, True))

    def part(name: str, condition, keys) -> Part:
        return Part(name, statement.where(condition), keys, _keys_of, ("time", "id"), scalars=False)

    parts = [
        part("failed", failed, latest),
        part("stuck", sa.and_(~failed, stuck), soonest),  # waiting longest first
        part("open", sa.and_(still_open, ~stuck), soonest),  # soonest due first
        part("done", sa.and_(~failed, ~still_open), latest),  # sent or cancelled: latest first
    ]
    page = seek(parts, filters.cursor, per_page, sort="soonest", total=capped_count(statement))
    ids = [reminder.id for reminder, _ in page.items]
    sent = dict(
        db.session.execute(
            sa.select(ReminderDelivery.reminder_id, sa.func.count())
            .where(ReminderDelivery.reminder_id.in_(ids or [-1]), ReminderDelivery.status == DeliveryStatus.SENT)
            .group_by(ReminderDelivery.reminder_id)
        ).all()
    )
    rows = [ReminderRow(r, name, sent.get(r.id, 0), is_stuck(r, now, lease)) for r, name in page.items]
    return dataclasses.replace(page, items=rows)


def _keys_of(row) -> tuple:
    return (row[0].due_at, row[0].id)


def status_counts(cap: int = COUNT_CAP) -> dict[ReminderStatus, int]:
    """How many reminders are in each status (every status present, zero included), each counted
    no further than `cap` + 1 (the page shows "more than cap"): one statement, each count an
    index-only look at `ix_reminder_status_due`, so it does not grow with the sent ones."""
    counts = [
        sa.select(sa.func.count())
        .select_from(sa.select(sa.literal(1)).where(Reminder.status == status).limit(cap + 1).subquery())
        .scalar_subquery()
        for status in ReminderStatus
    ]
    return dict(zip(ReminderStatus, db.session.execute(sa.select(*counts)).one(), strict=True))


def problem_counts(now: datetime, lease: timedelta, late_after: timedelta | None = None) -> ProblemCounts:
    """Stuck (late pending, or queued past the lease), failed and (with `late_after`) late open
    reminders: one statement, over those three statuses only (by the status index; sent and
    cancelled rows are most of the table)."""
    late = (
        sa.and_(
            Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.QUEUED)), Reminder.due_at < now - late_after
        )
        if late_after is not None
        else sa.false()
    )
    stuck, failed, late_count = db.session.execute(
        sa.select(
            sa.func.count().filter(_stuck_condition(now, lease)),
            sa.func.count().filter(Reminder.status == ReminderStatus.FAILED),
            sa.func.count().filter(late),
        )
        .select_from(Reminder)
        .where(Reminder.status.in_([ReminderStatus.PENDING, ReminderStatus.QUEUED, ReminderStatus.FAILED]))
    ).one()
    return ProblemCounts(stuck=stuck or 0, failed=failed or 0, late=late_count or 0)


# --- Redis: queue depths and worker heartbeats --------------------------------------------------


@dataclass(frozen=True)
class WorkerInfo:
    name: str
    state: str
    queues: list[str]
    last_heartbeat: datetime | None
    stale: bool
    # How long its current job has run, when that is past the job's time limit (a hung horse:
    # RQ stops it and the relay hands its reminders out again); None otherwise.
    stuck_seconds: int | None = None


@dataclass(frozen=True)
class QueueOverview:
    configured: bool
    reachable: bool | None = None  # None when Redis is not configured
    headline: str | None = None  # e.g. "Redis unreachable", when it could not be read
    problem: str | None = None  # what that means for reminders
    depths: list[tuple[str, int]] = field(default_factory=list)
    workers: list[WorkerInfo] = field(default_factory=list)


def queue_overview(redis_url: str | None, now: datetime, queue_names: Sequence[str] = QUEUES) -> QueueOverview:
    """Jobs waiting per queue and each RQ worker's last heartbeat; never raises."""
    if not redis_url:
        return QueueOverview(configured=False)
    from rq import Queue, Worker

    client = None
    try:
        client = redis.Redis.from_url(
            redis_url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
        depths = [(name, Queue(name, connection=client).count) for name in queue_names]
        workers = [
            WorkerInfo(
                name=w.name,
                state=str(w.get_state()),
                queues=list(w.queue_names()),
                last_heartbeat=w.last_heartbeat,
                stale=w.last_heartbeat is None or now - w.last_heartbeat > HEARTBEAT_STALE_AFTER,
                stuck_seconds=_stuck_seconds(w, client, now),
            )
            for w in Worker.all(connection=client)
        ]
    except (redis.RedisError, OSError):
        log.warning("reminders page: redis unreachable")
        return QueueOverview(
            configured=True,
            reachable=False,
            headline="Redis unreachable",
            problem="Queue depths and workers cannot be read. Reminders are kept in the "
            "database and go out when Redis is back.",
        )
    except Exception:  # noqa: BLE001 - a status panel reports, it does not take the page down
        log.exception("reminders page: could not read queue state")
        return QueueOverview(
            configured=True,
            reachable=False,
            headline="Queue state unavailable",
            problem="It could not be read from Redis; the server log has the details.",
        )
    finally:
        if client is not None:
            client.close()
    workers.sort(key=lambda w: w.name)
    return QueueOverview(configured=True, reachable=True, depths=depths, workers=workers)


def _stuck_seconds(worker, client, now: datetime) -> int | None:
    """Seconds the worker's current job has run, if longer than its timeout (else None)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    job_id = worker.get_current_job_id()
    if not job_id:
        return None
    try:
        job = Job.fetch(job_id, connection=client, serializer=JSONSerializer)
    except NoSuchJobError:
        return None
    started = job.started_at
    if started is None or not job.timeout:
        return None
    running = (now - (started if started.tzinfo else started.replace(tzinfo=UTC))).total_seconds()
    return int(running) if running > float(job.timeout) else None


# --- staff actions ------------------------------------------------------------------------------


def load_reminder(reminder_id: int) -> Reminder:
    """The reminder with this id, or NotFound (a 404 page)."""
    return records.load(Reminder, reminder_id)


def retry(actor: User, reminder: Reminder) -> Reminder:
    """Send a failed (or waiting) reminder again now; deliveries already made are not repeated.
    Audited; the caller commits."""
    if not LIFECYCLE.allows(reminder.status, ReminderAction.RETRY):
        raise ValidationFailed([problem(None, "reminder_not_retryable", status=reminder.status.label.lower())])
    reminder.status = LIFECYCLE.next(reminder.status, ReminderAction.RETRY)
    reminder.due_at, reminder.attempts, reminder.failed_at = utcnow(), 0, None
    audit.record(actor, AuditAction.REMINDER_RETRIED, "reminder", reminder.id)
    return reminder


def cancel(actor: User, reminder: Reminder, change: CancelReminderInput) -> Reminder:
    """Cancel an open or failed reminder with the reason staff gave; audited. The caller commits."""
    if not LIFECYCLE.allows(reminder.status, ReminderAction.CANCEL):
        raise ValidationFailed([problem(None, "reminder_not_cancellable", status=reminder.status.label.lower())])
    reminder.status = LIFECYCLE.next(reminder.status, ReminderAction.CANCEL)
    reminder.cancelled_at, reminder.cancel_reason = utcnow(), change.reason
    audit.record(actor, AuditAction.REMINDER_CANCELLED, "reminder", reminder.id)
    return reminder
