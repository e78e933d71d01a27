"""Fill a PostgreSQL database with realistic rows for the list-page benchmarks (issue 12).

    .venv/bin/python scripts/bench/generate.py postgresql+psycopg://postgres@127.0.0.1:5432/bench200k
    .venv/bin/python scripts/bench/generate.py postgresql+psycopg://postgres@127.0.0.1:5432/bench2k --inquiries 2000

It creates the database if it does not exist, builds the schema with the real migrations
(`flask db upgrade` against that URL, so the indexes are the production ones), then loads rows
with COPY: staff of every role, inquiries (about 5 % restricted, 1 % merged into an earlier
one) with regimen lines, screenings, timeline entries, tasks and reminders, about five audit
rows per inquiry, and coverages, billing accounts and ledger entries for about a third of them.
Arrivals are spread at about 180 a day, ending now. Exactly ten inquiries carry the patient
surname "Quennell" whatever the size, so a name search matches ten rows at every scale.

A database that already holds rows is refused unless `--force`, which drops and rebuilds
its `public` schema. Every staff account's password is `--password` (default below); the
names are invented (no real person).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-not-for-production"
MARKER_SURNAME = "Quennell"  # exactly ten inquiries, whatever the size
ARRIVALS_PER_DAY = 180

FIRST = [
    "Ada",
    "Alex",
    "Amir",
    "Ana",
    "Ben",
    "Bea",
    "Cal",
    "Cara",
    "Dan",
    "Dee",
    "Eli",
    "Ema",
    "Finn",
    "Fay",
    "Gus",
    "Gia",
    "Hal",
    "Ida",
    "Ian",
    "Ivy",
    "Jon",
    "Joy",
    "Kai",
    "Kim",
    "Leo",
    "Lia",
    "Max",
    "Mia",
    "Ned",
    "Noa",
    "Oli",
    "Ora",
    "Pat",
    "Pia",
    "Raj",
    "Rae",
    "Sam",
    "Sia",
    "Tom",
    "Tia",
    "Uma",
    "Val",
    "Vic",
    "Wes",
    "Wren",
    "Xan",
    "Yara",
    "Zed",
    "Zoe",
]
LAST = [
    "Abbott",
    "Ahern",
    "Baird",
    "Banks",
    "Barlow",
    "Beck",
    "Bishop",
    "Blake",
    "Boyle",
    "Brandt",
    "Burke",
    "Carver",
    "Chen",
    "Clarke",
    "Cobb",
    "Cole",
    "Conway",
    "Crane",
    "Dalton",
    "Dawes",
    "Drake",
    "Dunn",
    "Ellis",
    "Engel",
    "Farley",
    "Fisher",
    "Flynn",
    "Foster",
    "Garner",
    "Gibbs",
    "Glover",
    "Grant",
    "Hale",
    "Hardy",
    "Hayes",
    "Hobbs",
    "Holt",
    "Hughes",
    "Ingram",
    "Irwin",
    "Jensen",
    "Judd",
    "Kane",
    "Keller",
    "Knox",
    "Lamb",
    "Lang",
    "Larsen",
    "Lowe",
    "Lund",
    "Mace",
    "Marsh",
    "Mercer",
    "Moss",
    "Nash",
    "Neal",
    "Noble",
    "Nolan",
    "Ortiz",
    "Osei",
    "Page",
    "Parks",
    "Pike",
    "Pratt",
    "Quinn",
    "Rahman",
    "Reyes",
    "Rhodes",
    "Roth",
    "Rowe",
    "Sato",
    "Shaw",
    "Singh",
    "Stone",
    "Strand",
    "Tate",
    "Thorne",
    "Tran",
    "Underwood",
    "Vance",
    "Voss",
    "Wade",
    "Walsh",
    "Webb",
    "Wolfe",
    "Wu",
    "Yates",
    "Young",
    "Zane",
]
STATUSES = (
    ("new", 14),
    ("contacted", 12),
    ("screening", 8),
    ("verifying", 6),
    ("placement_offered", 4),
    ("admitted", 18),
    ("declined", 10),
    ("referred_out", 10),
    ("lost", 18),
)
CHANNELS = ("phone", "phone", "phone", "web_form", "web_form", "api")
SOURCES = (
    "self",
    "family",
    "physician",
    "hospital",
    "employer_assistance",
    "alumni",
    "web",
    "insurer",
    "court",
    "other",
)
URGENCIES = ("routine", "routine", "routine", "soon", "urgent")
DRUGS = (("oxycodone", "mg"), ("morphine", "mg"), ("hydrocodone", "mg"), ("methadone", "mg"), ("buprenorphine", "mg"))
AUDIT_ACTIONS = ("inquiry_viewed", "inquiries_listed", "inquiry_updated", "screening_recorded", "task_created")
ROLES = (("admin", 2), ("admissions", 12), ("case_manager", 6), ("clinician", 6), ("billing", 4))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="SQLAlchemy URL of the PostgreSQL database, e.g. postgresql+psycopg://...")
    parser.add_argument("--inquiries", type=int, default=200_000)
    parser.add_argument("--force", action="store_true", help="drop and rebuild a database that holds rows")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--password", default=PASSWORD, help="every generated account's password")
    args = parser.parse_args(argv)
    if args.inquiries < 20:
        parser.error("--inquiries must be at least 20")
    url = make_url(args.url)
    if not url.drivername.startswith("postgresql"):
        parser.error("a PostgreSQL URL is needed")
    started = time.monotonic()
    dsn = _dsn(url)
    _ensure_database(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        if _has_rows(conn):
            if not args.force:
                print("refusing: the database already holds rows (use --force to rebuild it)", file=sys.stderr)
                return 2
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
    _migrate(url)
    print(f"schema built by the migrations in {time.monotonic() - started:.1f}s", flush=True)
    with psycopg.connect(dsn) as conn:
        Loader(conn, args.inquiries, random.Random(args.seed), args.password).run()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"done in {time.monotonic() - started:.1f}s", flush=True)
    return 0


def _dsn(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _ensure_database(url) -> None:
    admin = _dsn(url.set(database="postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{url.database}"')


def _has_rows(conn) -> bool:
    tables = [row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    return any(
        conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{t}")').fetchone()[0] for t in tables if t != "alembic_version"
    )


def _migrate(url) -> None:
    env = dict(os.environ, DATABASE_URL=url.render_as_string(hide_password=False), FLASK_APP="wsgi:app")
    env.pop("MIGRATION_DATABASE_URL", None)
    flask = Path(sys.executable).with_name("flask")
    done = subprocess.run([str(flask), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit("flask db upgrade failed")


def _text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


class Loader:
    def __init__(self, conn, inquiries: int, rng: random.Random, password: str):
        self.conn, self.n, self.rng, self.password = conn, inquiries, rng, password
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.span = timedelta(days=max(1.0, inquiries / ARRIVALS_PER_DAY))
        self.users: dict[str, list[int]] = {}

    def run(self) -> None:
        for step in (
            self.staff,
            self.inquiries,
            self.regimen,
            self.screenings,
            self.activities,
            self.tasks,
            self.reminders,
            self.finance,
            self.audit,
        ):
            began = time.monotonic()
            rows = step()
            self.conn.commit()
            print(f"  {step.__name__:<12} {rows:>9,} rows  {time.monotonic() - began:5.1f}s", flush=True)
        self._sequences()
        self.conn.commit()

    def copy(self, table: str, columns: tuple[str, ...], rows) -> int:
        """COPY rows (tuples) into `table`, in chunks of text (no tabs, newlines or backslashes
        in the generated values)."""
        count = 0
        with self.conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(map(_text, row)))
                buffer.write("\n")
                count += 1
                if count % 20_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        return count

    def _sequences(self) -> None:
        for (table,) in self.conn.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id' "
            "AND column_default LIKE 'nextval%%'"
        ).fetchall():
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM \"{table}\"), 0) + 1, false)"
            )

    # --- the steps ------------------------------------------------------------------------------

    def staff(self) -> int:
        from coordinator.passwords import hash_password

        digest = hash_password(self.password, "owasp")
        rows, next_id = [], 1
        for role, count in ROLES:
            self.users[role] = []
            for n in range(1, count + 1):
                rows.append(
                    (
                        next_id,
                        f"{role.replace('_', '-')}{n}@bench.example.org",
                        f"Bench {role.replace('_', ' ').title()} {n}",
                        role,
                        "physician" if role == "clinician" else None,
                        digest,
                        False,
                        True,
                        self.now - timedelta(days=900),
                        self.now - timedelta(days=900),
                    )
                )
                self.users[role].append(next_id)
                next_id += 1
        columns = ("id", "email", "full_name", "role", "discipline", "password_hash")
        columns += ("must_change_password", "is_active", "created_at", "updated_at")
        return self.copy("user_account", columns, rows)

    def inquiries(self) -> int:
        rng, n = self.rng, self.n
        workers = self.users["admissions"] + self.users["case_manager"]
        creators = self.users["admissions"]
        markers = {round((i + 0.5) * n / 10) for i in range(10)}
        self.restricted: set[int] = set()
        self.arrived: dict[int, datetime] = {}
        self.status: dict[int, str] = {}
        statuses = [s for s, weight in STATUSES for _ in range(weight)]
        span = self.span.total_seconds()

        def rows():
            for i in range(1, n + 1):
                arrived = self.now - timedelta(seconds=span * (n - i) / n + rng.random() * 60)
                first, last = rng.choice(FIRST), MARKER_SURNAME if i in markers else rng.choice(LAST)
                name = f"{first} {last}"
                status = "new" if (self.now - arrived).days < 1 and rng.random() < 0.7 else rng.choice(statuses)
                restricted = rng.random() < 0.05
                merged = i > 100 and rng.random() < 0.01
                assignee = rng.choice(workers) if (restricted or rng.random() < 0.8) else None
                phone = f"555{rng.randrange(10**7):07d}"
                caller = rng.random() < 0.4
                caller_first, caller_last = rng.choice(FIRST), rng.choice(LAST)
                caller_name = f"{caller_first} {caller_last}" if caller else None
                caller_phone = f"555{rng.randrange(10**7):07d}" if caller else None
                email = f"{first}.{last}{i}@mail.example.org".lower()
                self.arrived[i] = arrived
                self.status[i] = status
                if restricted:
                    self.restricted.add(i)
                changed = arrived + timedelta(hours=rng.randrange(1, 200))
                yield (
                    i,
                    f"b{i:031x}",
                    status,
                    rng.choice(CHANNELS),
                    rng.choice(SOURCES),
                    caller_name,
                    "parent" if caller else None,
                    f"({caller_phone[:3]}) {caller_phone[3:6]}-{caller_phone[6:]}" if caller else None,
                    None,
                    False,
                    name,
                    f"({phone[:3]}) {phone[3:6]}-{phone[6:]}",
                    email,
                    '["prescribed_opioids"]',
                    rng.choice(URGENCIES),
                    assignee,
                    restricted,
                    arrived,
                    arrived + timedelta(hours=rng.randrange(1, 48)) if status != "new" else None,
                    min(changed, self.now),
                    rng.randrange(1, i) if merged else None,
                    rng.choice(creators),
                    arrived,
                    arrived,
                    name.casefold(),
                    caller_name.casefold() if caller_name else None,
                    caller_phone,
                    phone,
                    email,
                )

        columns = (
            "id",
            "public_id",
            "status",
            "channel",
            "referral_source",
            "caller_name",
            "caller_relationship",
            "caller_phone",
            "caller_email",
            "may_leave_message",
            "patient_name",
            "patient_phone",
            "patient_email",
            "substances",
            "urgency",
            "assigned_to_id",
            "is_restricted",
            "arrived_at",
            "first_contact_at",
            "status_changed_at",
            "merged_into_id",
            "created_by_id",
            "created_at",
            "updated_at",
            "patient_name_key",
            "caller_name_key",
            "caller_phone_digits",
            "patient_phone_digits",
            "patient_email_key",
        )
        return self.copy("inquiry", columns, rows())

    def regimen(self) -> int:
        rng = self.rng

        def rows():
            next_id = 1
            for i in range(1, self.n + 1):
                if rng.random() < 0.55:
                    for position in range(1, rng.choice((1, 1, 2, 3)) + 1):
                        drug, unit = rng.choice(DRUGS)
                        yield (next_id, i, position, drug, rng.choice((5, 10, 15, 20, 30)), unit, 3, "pain")
                        next_id += 1

        columns = ("id", "inquiry_id", "position", "drug", "dose", "unit", "doses_per_day", "purpose")
        return self.copy("opioid_regimen_line", columns, rows())

    def screenings(self) -> int:
        rng = self.rng
        clinicians = self.users["clinician"]

        def rows():
            next_id = 1
            for i in range(1, self.n + 1):
                if self.status[i] in ("new", "contacted"):
                    continue
                for kind, total in (("phq9", rng.randrange(28)), ("gad7", rng.randrange(22))):
                    when = self.arrived[i] + timedelta(hours=rng.randrange(2, 72))
                    answers = '{"answers": [1, 2, 0, 1, 3, 0, 1, 2, 1]}'
                    yield (next_id, i, kind, answers, total, "moderate", "[]", when, rng.choice(clinicians), when)
                    next_id += 1

        columns = ("id", "inquiry_id", "kind", "answers", "total", "band", "flags", "administered_at")
        return self.copy("screening", (*columns, "recorded_by_id", "created_at"), rows())

    def activities(self) -> int:
        rng = self.rng
        staff = self.users["admissions"]

        def rows():
            next_id = 1
            for i in range(1, self.n + 1):
                when = self.arrived[i]
                yield (next_id, i, "arrived", when, None, "Web form", None, None, None, None, "Inquiry arrived", when)
                next_id += 1
                for _ in range(rng.randrange(0, 5)):
                    when += timedelta(hours=rng.randrange(1, 30))
                    outcome = rng.choice(("reached", "left_message", "no_answer"))
                    actor = rng.choice(staff)
                    yield (next_id, i, "call", when, actor, None, "outbound", outcome, 5, None, "Call", when)
                    next_id += 1

        columns = ("id", "inquiry_id", "kind", "occurred_at", "actor_id", "actor_label", "direction", "outcome")
        columns += ("duration_minutes", "note", "summary", "created_at")
        return self.copy("inquiry_activity", columns, rows())

    def tasks(self) -> int:
        rng = self.rng
        staff = self.users["admissions"]
        self.tasks_of: dict[int, tuple[int, datetime, int]] = {}

        def rows():
            next_id = 1
            for i in range(1, self.n + 1):
                if rng.random() < 0.5:
                    due = self.arrived[i] + timedelta(hours=rng.randrange(4, 96))
                    done = due < self.now - timedelta(days=2) or rng.random() < 0.3
                    who = rng.choice(staff)
                    completed = min(due, self.now) if done else None
                    self.tasks_of[i] = (next_id, due, who)
                    yield (next_id, i, "Call back", due, who, who, self.arrived[i], completed, who if done else None)
                    next_id += 1

        columns = ("id", "inquiry_id", "title", "due_at", "assigned_to_id", "created_by_id", "created_at")
        return self.copy("follow_up_task", (*columns, "completed_at", "completed_by_id"), rows())

    def reminders(self) -> int:
        rng = self.rng

        def rows():
            next_id = 1
            for i in range(1, self.n + 1):
                due = self.arrived[i] + timedelta(hours=2)
                status = "pending" if due > self.now else rng.choice(("sent", "sent", "sent", "cancelled"))
                sent = due if status == "sent" else None
                cancelled, reason = (due, "contacted") if status == "cancelled" else (None, None)
                yield (next_id, "first_contact_due", status, f"first-contact-{i}", due, i, None, None)
                yield (0, sent, cancelled, reason, due, due)
                next_id += 1
                task = self.tasks_of.get(i)
                if task is not None:
                    task_id, task_due, who = task
                    status = "pending" if task_due > self.now else "sent"
                    key = f"task-due-{task_id}-{int(task_due.timestamp())}"
                    yield (next_id, "task_due", status, key, task_due, i, task_id, who)
                    yield (0, task_due if status == "sent" else None, None, None, task_due, task_due)
                    next_id += 1

        def joined():
            parts = rows()
            for head in parts:
                yield head + next(parts)

        columns = ("id", "kind", "status", "dedupe_key", "due_at", "inquiry_id", "task_id", "recipient_user_id")
        columns += ("attempts", "sent_at", "cancelled_at", "cancel_reason", "created_at", "updated_at")
        return self.copy("reminder", columns, joined())

    def finance(self) -> int:
        rng = self.rng
        billing = self.users["billing"]
        plans = ("ppo", "hmo", "epo", "pos", "hdhp")
        payers = ("Blue Harbor Health", "Cedar Mutual", "Summit Care Plan", "Northway Insurance")
        chosen = [i for i in range(1, self.n + 1) if rng.random() < 0.33]
        coverage = self.copy(
            "coverage",
            ("id", "inquiry_id", "rank", "payer_name", "plan_type", "member_id", "relationship_to_subscriber")
            + ("source", "created_by_id", "created_at", "updated_at"),
            (
                (k, i, "primary", rng.choice(payers), rng.choice(plans), f"M{rng.randrange(10**9):09d}", "self")
                + ("phone", rng.choice(billing), self.arrived[i], self.arrived[i])
                for k, i in enumerate(chosen, 1)
            ),
        )
        with_accounts = [i for i in chosen if rng.random() < 0.6]
        accounts = self.copy(
            "billing_account",
            ("id", "inquiry_id", "currency", "created_by_id", "created_at"),
            ((k, i, "USD", rng.choice(billing), self.arrived[i]) for k, i in enumerate(with_accounts, 1)),
        )

        def ledger():
            next_id = 1
            for account_id, i in enumerate(with_accounts, 1):
                when = self.arrived[i]
                day = when.date()
                who = rng.choice(billing)
                charge = rng.choice((4500, 9000, 18000))
                yield (
                    next_id,
                    account_id,
                    "charge",
                    "program_fee",
                    None,
                    False,
                    charge,
                    "USD",
                    day,
                    "Program fee",
                    who,
                    when,
                )
                next_id += 1
                if rng.random() < 0.7:
                    paid = charge if rng.random() < 0.5 else charge // 3
                    yield (next_id, account_id, "payment", None, "card", False, paid, "USD", day, "Payment", who, when)
                    next_id += 1

        columns = ("id", "account_id", "kind", "category", "method", "is_deposit", "amount", "currency", "entry_date")
        entries = self.copy("ledger_entry", (*columns, "description", "created_by_id", "created_at"), ledger())
        return coverage + accounts + entries

    def audit(self) -> int:
        """About five audit rows per inquiry, in time order (as the log grows)."""
        rng = self.rng
        staff = self.users["admissions"] + self.users["case_manager"] + self.users["clinician"]
        total = self.n * 5
        span = self.span.total_seconds()

        def rows():
            for k in range(1, total + 1):
                when = self.now - timedelta(seconds=span * (total - k) / total)
                inquiry = rng.randrange(1, self.n + 1)
                action = rng.choice(AUDIT_ACTIONS)
                actor = rng.choice(staff)
                yield (k, when, actor, f"user:{actor}", action, "inquiry", inquiry, "127.0.0.1", None)

        columns = ("id", "occurred_at", "actor_user_id", "actor_label", "action", "entity_type", "entity_id", "ip")
        return self.copy("audit_event", (*columns, "detail"), rows())


if __name__ == "__main__":
    raise SystemExit(main())
