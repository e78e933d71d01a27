"""Production refuses a database role that could switch the guards off, and the documented app
role can neither delete break-the-glass grants nor reopen ended sessions: real PostgreSQL roles,
created here and dropped again."""

import secrets
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import exc

from coordinator import create_app
from coordinator.config import ConfigError
from coordinator.domain.intake import BreakGlassScope
from coordinator.extensions import db
from coordinator.models import BreakGlassAccess, UserSession, utcnow
from tests.fixtures.app import make_test_config
from tests.fixtures.database import create_empty_database, drop_database
from tests.fixtures.intake import make_inquiry
from tests.fixtures.roles import documented_app_grants, login_role, run_as, url_for


def production_app(database_url: str, **overrides):
    return create_app(
        make_test_config(
            database_url,
            COORDINATOR_ENV="production",
            DATABASE_URL_FROM_ENV=True,
            SESSION_COOKIE_SECURE=True,
            PASSWORD_HASH_PROFILE="owasp",
            SECRET_KEY=secrets.token_urlsafe(48),
            **overrides,
        )
    )


def _records(app, admin):
    """A break-the-glass grant, an ended session and an open one, written as the tables' owner."""
    inquiry = make_inquiry(app, None)
    now = utcnow()
    with app.app_context():
        grant = BreakGlassAccess(
            inquiry_id=inquiry.id,
            user_id=admin.id,
            reason="Assignee away, caller waiting",
            scope=BreakGlassScope.CLINICAL,
            expires_at=now + timedelta(hours=8),
        )
        ended = UserSession(user_id=admin.id, token_hash="e" * 64, ended_at=now, end_reason="logout")
        open_ = UserSession(user_id=admin.id, token_hash="o" * 64)
        db.session.add_all([grant, ended, open_])
        db.session.commit()
        return grant.id, ended.id, open_.id


def _refused(engine, statement: str, match: str, **params) -> None:
    with pytest.raises(exc.DBAPIError, match=match), engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def _allowed(engine, statement: str, **params) -> int:
    with engine.begin() as conn:
        return conn.execute(sa.text(statement), params).rowcount


def test_the_documented_app_role_starts_production_and_cannot_delete_grants_or_reopen_sessions(
    app, admin, create_user, app_role_database_url
):
    other_user = create_user()
    production_app(app_role_database_url)  # the start-up check passes for this role
    grant_id, ended_id, open_id = _records(app, admin)
    engine = sa.create_engine(app_role_database_url)
    try:
        # Grants: the app role may not delete grants or sessions, nor skip or disable triggers.
        _refused(engine, "DELETE FROM break_glass_access WHERE id = :id", "permission denied", id=grant_id)
        _refused(engine, "TRUNCATE break_glass_access", "permission denied")
        _refused(engine, "DELETE FROM user_session WHERE id = :id", "permission denied", id=ended_id)
        _refused(engine, "ALTER TABLE break_glass_access DISABLE TRIGGER ALL", "must be owner")
        _refused(engine, "SET session_replication_role = replica", "permission denied")
        # Triggers: who, which inquiry, why and when of a grant, and an ended session, stay as written.
        other_inquiry = make_inquiry(app, None).id
        for assignment in [
            "reason = 'Looking around for no reason'",
            f"user_id = {other_user.id}",
            f"inquiry_id = {other_inquiry}",
            "created_at = created_at - interval '1 day'",
            "expires_at = expires_at + interval '1 hour'",
            "scope = 'finance'",
        ]:
            _refused(
                engine, f"UPDATE break_glass_access SET {assignment} WHERE id = :id", "break_glass_access", id=grant_id
            )
        _refused(
            engine,
            "UPDATE user_session SET ended_at = NULL, end_reason = NULL WHERE id = :id",
            "stays ended",
            id=ended_id,
        )
        _refused(engine, "UPDATE user_session SET ended_at = now() WHERE id = :id", "stays ended", id=ended_id)
        # What the app does stays possible: review a grant, revoke it early, end an open session.
        assert (
            _allowed(
                engine,
                "UPDATE break_glass_access SET reviewed_at = now(), reviewed_by_id = :user WHERE id = :id",
                id=grant_id,
                user=admin.id,
            )
            == 1
        )
        assert _allowed(engine, "UPDATE break_glass_access SET expires_at = now() WHERE id = :id", id=grant_id) == 1
        assert (
            _allowed(
                engine, "UPDATE user_session SET ended_at = now(), end_reason = 'logout' WHERE id = :id", id=open_id
            )
            == 1
        )
    finally:
        engine.dispose()


def test_the_guards_hold_even_where_grants_would_allow(app, admin):
    # Connected as the tables' owner (here a superuser) the triggers still refuse, unless switched off.
    grant_id, ended_id, _ = _records(app, admin)
    with app.app_context():
        engine = db.engine
        _refused(engine, "DELETE FROM break_glass_access WHERE id = :id", "rows are kept", id=grant_id)
        _refused(engine, "TRUNCATE break_glass_access CASCADE", "rows are kept")
        _refused(
            engine,
            "UPDATE user_session SET ended_at = NULL, end_reason = NULL WHERE id = :id",
            "stays ended",
            id=ended_id,
        )
        assert db.session.get(BreakGlassAccess, grant_id) is not None


def test_production_refuses_a_superuser_database_role(database_url, _session_app):
    with pytest.raises(ConfigError, match="superuser") as refused:
        production_app(database_url)
    message = str(refused.value)
    assert "rolsuper" in message and "docs/OPERATIONS.md" in message and "MIGRATION_DATABASE_URL" in message


def test_production_refuses_a_role_that_owns_or_may_act_as_the_owner_of_a_guarded_table():
    from coordinator.database import check_database_role

    url = create_empty_database("coordinator_roles")
    admin_url = url.render_as_string(hide_password=False)
    try:
        with login_role(admin_url) as (owner, owner_password, _), login_role(admin_url) as (member, member_password, _):
            run_as(admin_url, "CREATE TABLE audit_event (id integer)", f"ALTER TABLE audit_event OWNER TO {owner}")
            for role, password in ((owner, owner_password), (member, member_password)):
                if role == member:
                    run_as(admin_url, f"GRANT {owner} TO {member}")
                engine = sa.create_engine(url_for(admin_url, role, password))
                with pytest.raises(ConfigError, match="owns \\(or is a member of the owner of\\) audit_event"):
                    check_database_role(engine)
    finally:
        drop_database(url)


def test_migrations_run_as_the_owner_while_the_app_runs_as_the_documented_app_role():
    # The whole of docs/OPERATIONS.md's PostgreSQL section, on a fresh database owned by a role
    # that is not a superuser: migrate with MIGRATION_DATABASE_URL, grant, start as the app role.
    with login_role() as (owner, owner_password, _), login_role() as (app_role, app_password, _):
        url = create_empty_database("coordinator_roles")
        admin_url = url.render_as_string(hide_password=False)
        try:
            run_as(admin_url, f'ALTER DATABASE "{url.database}" OWNER TO {owner}')
            owner_url, app_url = url_for(admin_url, owner, owner_password), url_for(admin_url, app_role, app_password)
            migrating = production_app(app_url, MIGRATION_DATABASE_URL=owner_url)
            with migrating.app_context():
                upgrade()
            run_as(owner_url, *documented_app_grants(app_role, owner))
            started = production_app(app_url)
            with started.app_context():
                assert db.session.scalar(sa.text("SELECT count(*) FROM user_account")) == 0
                owner_of_audit = db.session.scalar(
                    sa.text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'audit_event'")
                )
                db.session.remove()
                db.engine.dispose()
            assert owner_of_audit == owner
            with pytest.raises(ConfigError, match="owns"):
                production_app(owner_url)
        finally:
            drop_database(url)  # before the roles: one of them owns it


def test_production_refuses_a_role_that_may_skip_triggers(database_url, _session_app):
    from coordinator.database import check_database_role

    with login_role(database_url) as (role, password, _):
        run_as(database_url, f"GRANT SET ON PARAMETER session_replication_role TO {role}")
        engine = sa.create_engine(url_for(database_url, role, password))
        with pytest.raises(ConfigError, match="may SET session_replication_role"):
            check_database_role(engine)
