"""What the staff page and /healthz know about reminders: search, counts, "stuck", queues, workers.

Everything here reads; nothing changes a reminder (retry and cancel are in services/reminders.py).
Database reads run a fixed number of statements whatever the number of rows. Queue depths and
worker heartbeats come from Redis with short timeouts, and an unreachable Redis is a state to
show, never an exception.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import redis
import sqlalchemy as sa

from coordinator.domain.reminders import DeliveryStatus, ReminderKind
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Reminder, ReminderDelivery, User
from coordinator.roles import Role
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services.pagination import Page, paginate
from coordinator.services.settings import CLINICAL_LEAD_ROLE, CLINICAL_LEAD_USER, get_value, set_value

log = logging.getLogger(__name__)

# A pending reminder this long past its due time should already have been relayed.
PENDING_GRACE = timedelta(minutes=5)
STUCK = "stuck"  # a filter value beside the statuses: late pending or long-queued rows
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
}

# Who receives a reminder with no named recipient (outbox/recipients.recipients).
RECIPIENT_RULES = {
    ReminderKind.FIRST_CONTACT_DUE: "The assignee, else the admissions team",
    ReminderKind.SAFETY_FLAG: "The clinical lead",
    ReminderKind.AUTH_REVIEW_DUE: "The billing team",
    ReminderKind.AUTH_ENDING: "The billing team",
    ReminderKind.INSTALLMENT_OVERDUE: "The billing team",
}


@dataclass(frozen=True)
class ReminderFilters:
    status: str | None = None  # a ReminderStatus value or STUCK
    kind: ReminderKind | None = None
    due_from: date | None = None  # whole days in the clinic's time zone, inclusive
    due_to: date | None = None

    @classmethod
    def from_form(cls, data: dict) -> ReminderFilters:
        """Read validated filter-form data (blank strings mean "any")."""
        status = data.get("status") or None
        kind = data.get("kind") or None
        return cls(
            status=status if status in _STATUS_FILTERS else None,
            kind=ReminderKind(kind) if kind in ReminderKind._value2member_map_ else None,
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
        )


_STATUS_FILTERS = frozenset({s.value for s in ReminderStatus} | {STUCK})


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
        return self.reminder.status in (ReminderStatus.FAILED, ReminderStatus.PENDING, ReminderStatus.QUEUED)

    @property
    def can_cancel(self) -> bool:
        return self.reminder.status in (ReminderStatus.FAILED, ReminderStatus.PENDING, ReminderStatus.QUEUED)


@dataclass(frozen=True)
class ProblemCounts:
    stuck: int
    failed: int


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


def search(
    filters: ReminderFilters, page: int, per_page: int, *, now: datetime, lease: timedelta, zone: ZoneInfo
) -> Page:
    """Reminders matching the filters, most urgent first: a COUNT and one SELECT, whatever the rows."""
    sent = (
        sa.select(ReminderDelivery.reminder_id, sa.func.count().label("sent"))
        .where(ReminderDelivery.status == DeliveryStatus.SENT)
        .group_by(ReminderDelivery.reminder_id)
        .subquery()
    )
    statement = (
        sa.select(Reminder, User.full_name, sa.func.coalesce(sent.c.sent, 0))
        .outerjoin(User, User.id == Reminder.recipient_user_id)
        .outerjoin(sent, sent.c.reminder_id == Reminder.id)
    )
    if filters.status == STUCK:
        statement = statement.where(_stuck_condition(now, lease))
    elif filters.status:
        statement = statement.where(Reminder.status == ReminderStatus(filters.status))
    if filters.kind is not None:
        statement = statement.where(Reminder.kind == filters.kind)
    if filters.due_from is not None:
        statement = statement.where(Reminder.due_at >= _day_start(filters.due_from, zone))
    if filters.due_to is not None:
        statement = statement.where(Reminder.due_at < _day_start(filters.due_to + timedelta(days=1), zone))
    # Failed, then stuck (someone must act), then the rest by due time, latest first.
    statement = statement.order_by(
        sa.case((Reminder.status == ReminderStatus.FAILED, 0), (_stuck_condition(now, lease), 1), else_=2),
        Reminder.due_at.desc(),
        Reminder.id.desc(),
    )
    result = paginate(statement, page, per_page, scalars=False)
    rows = [
        ReminderRow(reminder, name, sent_count, is_stuck(reminder, now, lease))
        for reminder, name, sent_count in result.items
    ]
    return Page(items=rows, page=result.page, per_page=result.per_page, total=result.total)


def status_counts() -> dict[ReminderStatus, int]:
    """How many reminders are in each status (every status present, zero included): one GROUP BY."""
    counts = dict(db.session.execute(sa.select(Reminder.status, sa.func.count()).group_by(Reminder.status)).all())
    return {status: counts.get(status, 0) for status in ReminderStatus}


def problem_counts(now: datetime, lease: timedelta) -> ProblemCounts:
    """Stuck (late pending, or queued past the lease) and failed reminders: one statement."""
    stuck, failed = db.session.execute(
        sa.select(
            sa.func.count().filter(_stuck_condition(now, lease)),
            sa.func.count().filter(Reminder.status == ReminderStatus.FAILED),
        ).select_from(Reminder)
    ).one()
    return ProblemCounts(stuck=stuck or 0, failed=failed or 0)


# --- Redis: queue depths and worker heartbeats --------------------------------------------------


@dataclass(frozen=True)
class WorkerInfo:
    name: str
    state: str
    queues: list[str]
    last_heartbeat: datetime | None
    stale: bool


@dataclass(frozen=True)
class QueueOverview:
    configured: bool
    reachable: bool | None = None  # None when Redis is not configured
    headline: str | None = None  # e.g. "Redis unreachable", when it could not be read
    problem: str | None = None  # what that means for reminders
    depths: list[tuple[str, int]] = field(default_factory=list)
    workers: list[WorkerInfo] = field(default_factory=list)


def queue_overview(redis_url: str | None, queue_names: list[str], now: datetime) -> QueueOverview:
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


# --- the clinical lead: who hears about PHQ-9 item-9 safety flags -------------------------------

DEFAULT_LEAD_ROLE = Role.CLINICIAN
LEAD_BY_USER, LEAD_BY_ROLE = "user", "role"


@dataclass(frozen=True)
class ClinicalLead:
    user: User | None  # a chosen person (perhaps deactivated since); None means "by role"
    role: Role  # everyone active in this role, when no person is chosen

    @property
    def choice(self) -> str:
        return LEAD_BY_USER if self.user is not None else LEAD_BY_ROLE


def clinical_lead() -> ClinicalLead:
    """The current setting, with the default role when none was ever chosen."""
    raw_user, raw_role = get_value(CLINICAL_LEAD_USER), get_value(CLINICAL_LEAD_ROLE)
    user = db.session.get(User, int(raw_user)) if raw_user and raw_user.isdecimal() and len(raw_user) < 10 else None
    role = Role(raw_role) if raw_role in Role._value2member_map_ else DEFAULT_LEAD_ROLE
    return ClinicalLead(user=user, role=role)


def lead_candidates() -> list[User]:
    """Active staff, by name: the people an administrator may choose as clinical lead."""
    return list(
        db.session.scalars(
            sa.select(User).where(User.is_active.is_(True)).order_by(sa.func.lower(User.full_name), User.id)
        )
    )


def active_counts_by_role() -> dict[Role, int]:
    """Active accounts per role (roles with none are absent): one GROUP BY."""
    return dict(
        db.session.execute(
            sa.select(User.role, sa.func.count()).where(User.is_active.is_(True)).group_by(User.role)
        ).all()
    )


def set_clinical_lead(actor: User, *, choice: str | None, user_id: str | None, role: str | None) -> ClinicalLead:
    """Choose one active person, or a role, as clinical lead; audited. The caller commits."""
    if choice == LEAD_BY_USER:
        user = _active_user(user_id)
        set_value(actor, CLINICAL_LEAD_USER, str(user.id))
        return ClinicalLead(user=user, role=clinical_lead().role)
    if choice == LEAD_BY_ROLE:
        if not role or role not in Role._value2member_map_:
            raise ValidationFailed.single("role", "Choose one of the roles listed.")
        if not active_counts_by_role().get(Role(role)):
            # The sender would fall back to administrators; better to choose someone on purpose.
            raise ValidationFailed.single(
                "role", f"Nobody active has the role {Role(role).label}. Choose a role with at least one active person."
            )
        set_value(actor, CLINICAL_LEAD_USER, None)
        set_value(actor, CLINICAL_LEAD_ROLE, Role(role).value)
        return ClinicalLead(user=None, role=Role(role))
    raise ValidationFailed.single("choice", "Choose a person or a role.")


def _active_user(user_id: str | None) -> User:
    if not user_id or not str(user_id).isdecimal() or len(str(user_id)) > 9:
        raise ValidationFailed.single("user_id", "Choose the person who should receive safety flags.")
    user = db.session.get(User, int(user_id))
    if user is None:
        raise ValidationFailed.single("user_id", "That account does not exist.")
    if not user.is_active:
        raise ValidationFailed.single("user_id", f"{user.full_name}'s account is deactivated: choose an active person.")
    return user
