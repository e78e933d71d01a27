"""Engine set-up that differs by database."""

from __future__ import annotations

import sqlalchemy as sa


def configure_engine_events(engine: sa.engine.Engine) -> None:
    """SQLite needs foreign keys switched on per connection, and WAL for a worker beside the web."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


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
