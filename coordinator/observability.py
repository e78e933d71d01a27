"""Request ids and structured logs that carry no patient data.

Every request gets an id (taken from a trusted proxy's X-Request-ID when it looks like
one, otherwise made here). It goes into every log line, every audit row and the response
header, so a user's "error reference" leads straight to the logs. Access log lines hold
the method, the matched URL rule (`/admin/users/<int:user_id>`, not the path: paths can
carry secret link tokens), the status, the time taken and the user id: never form data,
query strings or names.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("coordinator.access")


def current_request_id() -> str | None:
    if has_request_context():
        return g.get("request_id")
    return None


def current_ip() -> str | None:
    if has_request_context():
        return (request.remote_addr or "")[:45] or None
    return None


class RequestContextFilter(logging.Filter):
    """Adds the request id to every record logged while handling a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


# An exception line from the database driver or SQLAlchemy: its message may quote what was
# stored or typed ("Failing row contains (...)", "invalid input syntax ... \"<value>\"").
_DATABASE_ERROR = re.compile(r"^((?:psycopg|sqlalchemy|sqlite3)[\w.]*\.\w+): ")
_CHAIN_BREAK = ("The above exception", "During handling of the above exception", "Traceback (most recent")
WITHHELD = "(the database's message is withheld from logs: it may quote patient data)"


def scrub_traceback(text: str) -> str:
    """A formatted traceback with every database error's message replaced, keeping the frames and
    the SQL statement (placeholders only), so a log line never carries a bound or stored value."""
    out: list[str] = []
    withholding = False
    for line in text.splitlines():
        match = _DATABASE_ERROR.match(line)
        if match:
            out.append(f"{match.group(1)}: {WITHHELD}")
            withholding = True
            continue
        if withholding:
            if line.startswith(_CHAIN_BREAK) or not line.strip():
                withholding = False
            elif line.startswith("[SQL: ") or line.startswith("(Background on this error"):
                out.append(line)
                continue
            else:
                continue
        out.append(line)
    return "\n".join(out)


class ScrubbingFormatter(logging.Formatter):
    """Text log lines whose tracebacks carry no database error messages."""

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return scrub_traceback(super().formatException(ei))


class JsonFormatter(ScrubbingFormatter):
    """One JSON object per line, for log shippers."""

    EXTRA_FIELDS = ("method", "path", "status", "duration_ms", "user_id")

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        for field in self.EXTRA_FIELDS:
            if hasattr(record, field):
                payload[field] = getattr(record, field)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def configure_logging(app: Flask) -> None:
    """Send the app's logs to stderr, as JSON in production, as text on a laptop."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestContextFilter())
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"))
    root = logging.getLogger("coordinator")
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    root.propagate = False
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(app.config["LOG_LEVEL"])


def register_request_ids(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_and_tag(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if request.endpoint != "static":
            from flask_login import current_user  # late: the login manager is set up by then

            started = g.get("request_started")
            user_id = current_user.get_id() if current_user and current_user.is_authenticated else None
            rule = request.url_rule.rule if request.url_rule else "(unmatched)"
            access_log.info(
                "%s %s %s",
                request.method,
                rule,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": rule,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                    "user_id": user_id,
                },
            )
        return response
