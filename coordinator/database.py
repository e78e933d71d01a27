"""Engine set-up that differs by database."""

from __future__ import annotations

import sqlalchemy as sa


def configure_engine_events(engine: sa.engine.Engine) -> None:
    """SQLite needs foreign keys switched on per connection, WAL for a worker beside the web, and
    its transactions begun by SQLAlchemy rather than by the driver, or SAVEPOINT (which
    `blueprints/forms.submit` uses to undo a refused form) does not work (SQLAlchemy's pysqlite
    notes, "Serializable isolation / Savepoints / Transactional DDL")."""
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
