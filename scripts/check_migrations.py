"""Apply every migration to an empty SQLite file and an empty PostgreSQL database, then
run `flask db check` on each (it fails when the models and migrations have drifted).

Used by `make migrations-check` and CI. Goes through the real `flask` CLI, the same path
an operator takes in a release.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi:app"]


def flask(database_url: str, *args: str) -> None:
    env = dict(os.environ, DATABASE_URL=database_url, COORDINATOR_ENV="development")
    env.pop("REDIS_URL", None)
    print("$ flask", " ".join(args), flush=True)
    subprocess.run([*FLASK, *args], cwd=ROOT, env=env, check=True)


def check(database_url: str) -> None:
    flask(database_url, "db", "upgrade")
    flask(database_url, "db", "check")
    heads = (
        subprocess.run(
            [*FLASK, "db", "heads"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, DATABASE_URL=database_url),
        )
        .stdout.strip()
        .splitlines()
    )
    if len(heads) != 1:
        sys.exit(f"expected exactly one migration head, found {len(heads)}: {heads}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print("== SQLite (empty file)")
        check(f"sqlite:///{folder}/empty.db")

    server = make_url(
        os.environ.get("COORDINATOR_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    name = f"coordinator_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        print("== PostgreSQL (empty database)")
        check(server.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print("migrations OK on SQLite and PostgreSQL")


if __name__ == "__main__":
    main()
