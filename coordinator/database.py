"""Engine set-up that differs by database."""

from __future__ import annotations

import select

import sqlalchemy as sa


def configure_engine_events(engine: sa.engine.Engine) -> None:
    """SQLite needs foreign keys switched on per connection, WAL for a worker beside the web, and
    its transactions begun by SQLAlchemy rather than by the driver, or SAVEPOINT (which
    `blueprints/forms.submit` uses to undo a refused form) does not work (SQLAlchemy's pysqlite
    notes, "Serializable isolation / Savepoints / Transactional DDL").

    PostgreSQL gets a free liveness check instead of a pre-ping (`_drop_closed_connections`)."""
    if is_postgresql(engine):
        sa.event.listen(engine, "checkout", _drop_closed_connections)
        return
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # the driver emits no BEGIN of its own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _sqlite_begin(connection):
        connection.exec_driver_sql("BEGIN")


def _drop_closed_connections(dbapi_connection, _record, _proxy) -> None:
    """Pool checkout: refuse a connection the server has already closed, without a round trip.

    An idle connection has nothing to read. If its socket is readable, the server has sent its
    goodbye (pg_terminate_backend, a restart, idle_session_timeout) or closed it: raising
    DisconnectionError makes the pool discard it and check out another (SQLAlchemy "Dealing
    with Disconnects", the custom pessimistic recipe), so the next request does not fail on
    it. This replaces `pool_pre_ping`, which costs a SELECT 1 round trip on every checkout. A
    connection that dies without a word (a network cut) is caught by the optimistic path:
    the statement fails, SQLAlchemy invalidates the pool, and the session check retries once
    (`transaction.retry_if_disconnected`)."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return
    try:
        poller = select.poll()
        poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
        ready = poller.poll(0)
    except Exception:  # no socket at all: the connection is closed
        raise sa.exc.DisconnectionError("connection closed") from None
    if ready:
        raise sa.exc.DisconnectionError("the server closed this connection")


def is_postgresql(engine_or_connection) -> bool:
    return engine_or_connection.dialect.name == "postgresql"


def render_migration_item(type_, obj, autogen_context):
    """Autogenerate hook: write our column types as plain SQLAlchemy types in migrations.

    Migration scripts must not import application code, which changes over time.
    """
    from coordinator.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Tables whose triggers keep records from being rewritten: the audit log (append-only), the
# break-the-glass grants (never deleted) and login sessions (an ended one stays ended). Whoever
# owns one of them, or may act as its owner, can switch its triggers off.
GUARDED_TABLES = ("audit_event", "break_glass_access", "user_session")
APP_ROLE_FIX = (
    "connect the app (DATABASE_URL) as the app role of docs/OPERATIONS.md (section PostgreSQL: "
    "it owns no table and has only the documented grants), and run migrations as the owner "
    "through MIGRATION_DATABASE_URL"
)

_ROLE_QUERY = sa.text(
    """
    SELECT r.rolname AS name, r.rolsuper AS superuser,
           has_parameter_privilege(r.rolname, 'session_replication_role', 'SET') AS skips_triggers,
           ARRAY(
               SELECT c.relname::text FROM pg_class c
               WHERE c.oid = ANY(ARRAY[to_regclass('audit_event'), to_regclass('break_glass_access'),
                                       to_regclass('user_session')]::oid[])
                 AND pg_has_role(r.rolname, c.relowner, 'MEMBER')
               ORDER BY c.relname
           ) AS owned
    FROM pg_roles r WHERE r.rolname = current_user
    """
)


def database_role_problems(connection) -> list[str]:
    """What makes the connected PostgreSQL role unsafe for the app: a superuser, a role that owns
    (or is a member of the owner of) a guarded table, or one allowed to set
    session_replication_role (which skips triggers; `has_parameter_privilege` needs PostgreSQL 15,
    the documented minimum). Empty when the role is fine."""
    row = connection.execute(_ROLE_QUERY).one()
    problems = []
    if row.superuser:
        problems.append(
            f"the database role {row.name!r} is a superuser (rolsuper): it can switch off the triggers "
            "that keep the audit log append-only"
        )
    else:
        if row.owned:
            problems.append(
                f"the database role {row.name!r} owns (or is a member of the owner of) {', '.join(row.owned)}: "
                "an owner can switch off their triggers"
            )
        if row.skips_triggers:
            problems.append(
                f"the database role {row.name!r} may SET session_replication_role, which skips every trigger"
            )
    return problems


def check_database_role(engine: sa.engine.Engine) -> None:
    """Refuse to start production as a database role that could undo the audit log's guards."""
    from coordinator.config import ConfigError

    if not is_postgresql(engine):
        return
    try:
        with engine.connect() as connection:
            problems = database_role_problems(connection)
    except sa.exc.DBAPIError as exc:
        raise ConfigError(
            "Refusing to start in production: cannot connect to the database to check its role "
            f"({type(exc.orig).__name__}); check DATABASE_URL and that PostgreSQL is reachable"
        ) from exc
    finally:
        engine.dispose()
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems) + f". Fix: {APP_ROLE_FIX}.")
