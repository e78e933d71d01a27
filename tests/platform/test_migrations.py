"""The schema comes only from migrations: one head, clean on SQLite and PostgreSQL, no drift."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from coordinator import PROJECT_ROOT, create_app
from coordinator.extensions import db
from tests.fixtures.database import create_empty_database, drop_database

EXPECTED_TABLES = {"user_account", "user_session", "audit_event", "alembic_version"}


def _script() -> ScriptDirectory:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(config)


def test_there_is_exactly_one_head():
    assert len(_script().get_heads()) == 1


def _drift(app) -> list:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def _migrated_app(url: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
    return app


def test_migrations_build_an_empty_sqlite_file_and_match_the_models(tmp_path):
    app = _migrated_app(f"sqlite:///{tmp_path / 'empty.db'}")
    with app.app_context():
        assert set(sa.inspect(db.engine).get_table_names()) >= EXPECTED_TABLES
    assert _drift(app) == []
    with app.app_context():
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
        db.engine.dispose()


def test_migrations_build_an_empty_postgresql_database_and_match_the_models():
    url = create_empty_database("coordinator_migrations")
    try:
        app = _migrated_app(url.render_as_string(hide_password=False))
        with app.app_context():
            assert set(sa.inspect(db.engine).get_table_names()) >= EXPECTED_TABLES
        assert _drift(app) == []
        with app.app_context():
            downgrade(revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
            upgrade()  # and back up again: downgrades must leave a database that upgrades
            db.engine.dispose()
    finally:
        drop_database(url)


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "migrations" / "versions").glob("*.py")), ids=lambda p: p.name)
def test_migration_scripts_do_not_import_the_application(path):
    # Application code changes; a migration must keep meaning what it meant when written.
    assert "import coordinator" not in path.read_text()
    assert "from coordinator" not in path.read_text()


def test_0006_stores_member_ids_and_group_numbers_without_white_space():
    url = create_empty_database("coordinator_migrations")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False), "TESTING": True})
        with app.app_context():
            upgrade(revision="0005")
            with db.engine.begin() as conn:
                cards = (("XQY 123456-789", "GRP 00\t42"), ("ABC123", None), (None, " G 1 "))
                for n, (member_id, group) in enumerate(cards):
                    inquiry_id = conn.execute(
                        sa.text(
                            "INSERT INTO inquiry (public_id, channel, arrived_at, status, status_changed_at,"
                            " patient_name, patient_name_key, referral_source, urgency, may_leave_message,"
                            " is_restricted, substances, created_at, updated_at) VALUES (:p, 'web_form', now(), 'new',"
                            " now(), 'A', 'a', 'web', 'routine', false, false, '[]', now(), now()) RETURNING id"
                        ),
                        {"p": f"p{n}"},
                    ).scalar_one()
                    conn.execute(
                        sa.text(
                            "INSERT INTO coverage (inquiry_id, rank, payer_name, member_id, group_number,"
                            " relationship_to_subscriber, source, created_at, updated_at)"
                            " VALUES (:i, 'primary', 'Aetna', :m, :g, 'self', 'web_form', now(), now())"
                        ),
                        {"i": inquiry_id, "m": member_id, "g": group},
                    )
            upgrade()
            with db.engine.connect() as conn:
                stored = conn.execute(sa.text("SELECT member_id, group_number FROM coverage ORDER BY id")).all()
            db.engine.dispose()
        assert [tuple(row) for row in stored] == [("XQY123456-789", "GRP0042"), ("ABC123", None), (None, "G1")]
    finally:
        drop_database(url)


def test_0009_gives_each_existing_break_glass_grant_one_scope():
    # Before 0009 one grant opened both parts of a record; each keeps one: billing's the finances
    # (all billing ever read), everyone else's the clinical record.
    url = create_empty_database("coordinator_migrations")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False), "TESTING": True})
        with app.app_context():
            upgrade(revision="0006")
            with db.engine.begin() as conn:
                inquiry_id = conn.execute(
                    sa.text(
                        "INSERT INTO inquiry (public_id, channel, arrived_at, status, status_changed_at,"
                        " patient_name, patient_name_key, referral_source, urgency, may_leave_message,"
                        " is_restricted, substances, created_at, updated_at) VALUES ('p0', 'phone', now(), 'new',"
                        " now(), 'A', 'a', 'web', 'routine', false, true, '[]', now(), now()) RETURNING id"
                    )
                ).scalar_one()
                for role in ("billing", "admissions", "case_manager"):
                    user_id = conn.execute(
                        sa.text(
                            "INSERT INTO user_account (email, full_name, role, password_hash, must_change_password,"
                            " is_active, created_at, updated_at) VALUES (:e, 'Someone', :r, 'x', false, true,"
                            " now(), now()) RETURNING id"
                        ),
                        {"e": f"{role}@example.org", "r": role},
                    ).scalar_one()
                    conn.execute(
                        sa.text(
                            "INSERT INTO break_glass_access (inquiry_id, user_id, reason, created_at, expires_at)"
                            " VALUES (:i, :u, 'Assignee away, caller waiting', now(), now() + interval '8 hours')"
                        ),
                        {"i": inquiry_id, "u": user_id},
                    )
            upgrade()
            with db.engine.connect() as conn:
                stored = conn.execute(
                    sa.text(
                        "SELECT u.role, g.scope FROM break_glass_access g JOIN user_account u ON u.id = g.user_id"
                        " ORDER BY g.id"
                    )
                ).all()
            db.engine.dispose()
        assert [tuple(row) for row in stored] == [
            ("billing", "finance"),
            ("admissions", "clinical"),
            ("case_manager", "clinical"),
        ]
    finally:
        drop_database(url)


def test_the_sqlite_guards_on_break_the_glass_grants_survive_later_migrations(tmp_path):
    # 0009 rebuilds break_glass_access on SQLite (batch mode), which drops 0007's triggers; they
    # are made again, and a grant's scope is one of the columns that never change.
    app = _migrated_app(f"sqlite:///{tmp_path / 'guards.db'}")
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO user_account (id, email, full_name, role, password_hash, must_change_password,"
                    " is_active, created_at, updated_at) VALUES (1, 'a@example.org', 'A', 'admissions', 'x', 0, 1,"
                    " '2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO inquiry (id, public_id, channel, arrived_at, status, status_changed_at,"
                    " patient_name, patient_name_key, referral_source, urgency, may_leave_message, is_restricted,"
                    " substances, created_at, updated_at) VALUES (1, 'p0', 'phone', '2026-01-01', 'new',"
                    " '2026-01-01', 'A', 'a', 'web', 'routine', 0, 1, '[]', '2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO break_glass_access (id, inquiry_id, user_id, reason, scope, created_at, expires_at)"
                    " VALUES (1, 1, 1, 'Assignee away, caller waiting', 'clinical', '2026-01-01 10:00:00',"
                    " '2026-01-01 18:00:00')"
                )
            )
        for statement in (
            "DELETE FROM break_glass_access",
            "UPDATE break_glass_access SET scope = 'finance'",
            "UPDATE break_glass_access SET expires_at = '2026-01-02 18:00:00'",
        ):
            with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as conn:
                conn.execute(sa.text(statement))
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE break_glass_access SET reviewed_at = '2026-01-01 12:00:00'"))
        db.engine.dispose()


def test_0018_rewrites_name_keys_without_accents_and_back():
    url = create_empty_database("coordinator_migrations")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False), "TESTING": True})
        with app.app_context():
            upgrade(revision="0013")
            with db.engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "INSERT INTO inquiry (public_id, channel, arrived_at, status, status_changed_at,"
                        " patient_name, patient_name_key, caller_name, caller_name_key, referral_source, urgency,"
                        " may_leave_message, is_restricted, substances, created_at, updated_at) VALUES ('p0',"
                        " 'phone', now(), 'new', now(), 'Zoë  Nguyễn', 'zoë nguyễn', 'Đặng', 'đặng', 'web', 'routine',"
                        " false, false, '[]', now(), now())"
                    )
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO referrer (kind, name, organization, name_key, created_at)"
                        " VALUES ('physician', 'Dr. Søren', 'Clínica', 'dr. søren | clínica', now())"
                    )
                )

            def keys():
                with db.engine.connect() as conn:
                    return (
                        tuple(conn.execute(sa.text("SELECT patient_name_key, caller_name_key FROM inquiry")).one()),
                        conn.execute(sa.text("SELECT name_key FROM referrer")).scalar_one(),
                    )

            upgrade()
            after = keys()
            downgrade(revision="0013")
            before = keys()
            db.engine.dispose()
        assert after == (("zoe nguyen", "dang"), "dr. soren | clinica")
        assert before == (("zoë nguyễn", "đặng"), "dr. søren | clínica")
    finally:
        drop_database(url)
