"""No value a person typed reaches a log line, even when the database refuses it.

A database error carries its SQL parameters and PostgreSQL's own detail ("Failing row contains
(...)", "invalid input syntax ... \"<the value>\""): patient names, notes, password hashes. The
engine hides parameters and the log formatters withhold database error messages; the statement
itself (placeholders only) is kept for whoever reads the log.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask import Flask

from coordinator import create_app, security
from coordinator.extensions import db
from tests.fixtures.app import make_test_config

MARKER = "Dana-Example-7c1f9e"


def _app_with_a_failing_page(database_url: str, log_format: str) -> Flask:
    app = create_app({**make_test_config(database_url), "LOG_FORMAT": log_format})

    @app.route("/__refused_by_the_database")
    @security.public
    def refused_by_the_database():
        # A value PostgreSQL refuses, bound as a parameter and quoted back in its own message.
        db.session.execute(sa.text("SELECT CAST(:value AS integer)"), {"value": MARKER})
        return "unreachable"

    @app.route("/__row_refused")
    @security.public
    def row_refused():
        db.session.execute(sa.text("INSERT INTO payer (name) VALUES (:name), (NULL)"), {"name": MARKER})
        return "unreachable"

    return app


@pytest.mark.parametrize("log_format", ["text", "json"])
@pytest.mark.parametrize("path", ["/__refused_by_the_database", "/__row_refused"])
def test_a_database_error_logs_no_bound_value(app, database_url, capfd, log_format, path):
    # (`app` has migrated the test database, so the second page fails on a real constraint)
    failing = _app_with_a_failing_page(database_url, log_format)
    response = failing.test_client().get(path)
    assert response.status_code == 500
    logged = capfd.readouterr().err
    assert "unhandled error" in logged and "Traceback" in logged or '"exc"' in logged
    assert MARKER not in logged
    if log_format == "json":
        lines = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
        assert any("withheld" in line.get("exc", "") for line in lines)
    with failing.app_context():
        db.engine.dispose()


def test_the_engine_never_renders_parameters(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    with app.app_context():
        assert db.engine.hide_parameters is True
