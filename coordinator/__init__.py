"""Coordinator: admissions and care coordination for chronic pain and opioid dependence care."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from coordinator.transaction import TransactionalFlask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings, extensions, access control, blueprints, CLI, errors.

    `config` overrides settings read from the environment (tests use it). Nothing here
    touches the database schema: migrations run as their own release step.
    """
    app = TransactionalFlask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    register_config(app, config)
    register_observability(app)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_error_pages(app)
    register_template_helpers(app)
    register_commands(app)
    register_background_work(app)
    return app


def register_config(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    from coordinator.config import load_settings, validate_settings

    app.config.update(load_settings(app.instance_path))
    if overrides:
        app.config.update(overrides)
    validate_settings(app.config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def register_observability(app: Flask) -> None:
    from coordinator.observability import configure_logging, register_request_ids

    configure_logging(app)
    register_request_ids(app)
    if app.config["TRUSTED_PROXY_COUNT"] > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        from coordinator.proxies import ForwardedHeaderWatch

        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        app.wsgi_app = ForwardedHeaderWatch(app.wsgi_app, hops)


def register_extensions(app: Flask) -> None:
    from coordinator import models  # noqa: F401  (every table joins the metadata)
    from coordinator.database import configure_engine_events, render_migration_item
    from coordinator.extensions import csrf, db, limiter, migrate
    from coordinator.sessions import init_sessions
    from coordinator.transaction import register_transaction

    # Bound values (patient names, notes, password hashes) never appear in an error's text.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "hide_parameters": True,
    }
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        compare_type=True,
        render_as_batch=True,
        render_item=render_migration_item,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    init_sessions(app)
    register_transaction(app)
    with app.app_context():
        configure_engine_events(db.engine)
        if app.config["COORDINATOR_ENV"] == "production":
            from coordinator.database import check_database_role

            check_database_role(db.engine)  # the one connection the factory makes


def register_security(app: Flask) -> None:
    from coordinator.headers import register_security_headers
    from coordinator.security import register_access_control

    register_access_control(app)
    register_security_headers(app)


def register_blueprints(app: Flask) -> None:
    from coordinator.routing import RecordIdConverter

    # Every <int:...> in a URL is a record id: one past PostgreSQL's integer range matches no
    # route (a plain 404), instead of reaching the database as an out-of-range parameter.
    app.url_map.converters["int"] = RecordIdConverter
    from coordinator.blueprints.account import bp as account_bp
    from coordinator.blueprints.admin import bp as admin_bp
    from coordinator.blueprints.api import bp as api_bp
    from coordinator.blueprints.auth import bp as auth_bp
    from coordinator.blueprints.board import bp as board_bp
    from coordinator.blueprints.care import bp as care_bp
    from coordinator.blueprints.finance import bp as finance_bp
    from coordinator.blueprints.inquiries import bp as inquiries_bp
    from coordinator.blueprints.main import bp as main_bp
    from coordinator.blueprints.notifications import bp as notifications_bp
    from coordinator.blueprints.ops import bp as ops_bp
    from coordinator.blueprints.public import bp as public_bp
    from coordinator.blueprints.screening import bp as screening_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(account_bp, url_prefix="/account")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(inquiries_bp, url_prefix="/inquiries")
    app.register_blueprint(board_bp, url_prefix="/board")
    app.register_blueprint(ops_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(screening_bp, url_prefix="/screening")
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(finance_bp, url_prefix="/finance")
    app.register_blueprint(care_bp, url_prefix="/care")


def register_error_pages(app: Flask) -> None:
    from coordinator.error_pages import register_error_handlers

    register_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from coordinator.templating import register_template_helpers as register

    register(app)


def register_background_work(app: Flask) -> None:
    from coordinator.outbox.inprocess import register_inprocess_reminders

    register_inprocess_reminders(app)


def register_commands(app: Flask) -> None:
    from coordinator.cli import register_cli

    register_cli(app)
