"""The baseline for `throughput.py` (not part of the app): bare Flask + SQLAlchemy doing only the
database work of two Coordinator requests, on the same database and the same gunicorn workers.

    DATABASE_URL=postgresql+psycopg://... gunicorn -w 2 -b 127.0.0.1:8101 scripts.bench.bare_app:app

- `GET /inquiries/` runs the inquiry list's two statements (the page's count and its 25 rows,
  newest first, merged records left out) in one transaction and renders the rows through a
  small cached Jinja template.
- `POST /api/v1/inquiries` reads the JSON body and INSERTs one inquiry row in one transaction,
  answering 201 with its public id.

No sign-in, session check, audit row, access policy or validation: the distance between these
and the real requests is what the app's own work costs.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask, jsonify, request

PAGE_SIZE = int(os.environ.get("INQUIRIES_PAGE_SIZE", "25"))
engine = sa.create_engine(os.environ["DATABASE_URL"], pool_pre_ping=False)
inquiry = sa.Table("inquiry", sa.MetaData(), autoload_with=engine)

visible = inquiry.c.merged_into_id.is_(None)
COUNT = sa.select(sa.func.count()).select_from(inquiry).where(visible)
ROWS = sa.select(inquiry).where(visible).order_by(inquiry.c.arrived_at.desc(), inquiry.c.id.desc()).limit(PAGE_SIZE)
PAGE = """<!doctype html><title>Inquiries</title><p>{{ total }} inquiries</p><table>
{% for row in rows %}<tr><td><a href="/inquiries/{{ row.id }}">{{ row.patient_name }}</a></td>
<td>{{ row.status }}</td><td>{{ row.caller_name }}</td><td>{{ row.arrived_at }}</td></tr>{% endfor %}
</table>"""

app = Flask(__name__)
template = app.jinja_env.from_string(PAGE)  # compiled once, as the app's file templates are


@app.get("/inquiries/")
def inquiry_list():
    with engine.begin() as connection:
        total = connection.execute(COUNT).scalar_one()
        rows = connection.execute(ROWS).all()
    return template.render(total=total, rows=rows)


@app.post("/api/v1/inquiries")
def create():
    body = request.get_json(force=True)
    now = datetime.now(UTC)
    public_id = secrets.token_urlsafe(12)
    values = {
        "public_id": public_id,
        "status": "new",
        "channel": "api",
        "referral_source": "self",
        "caller_name": str(body.get("caller_name", ""))[:160],
        "caller_relationship": "self",
        "caller_phone": body.get("caller_phone"),
        "patient_name": str(body.get("patient_name", ""))[:160],
        "patient_name_key": str(body.get("patient_name", "")).lower()[:160],
        "substances": [],
        "may_leave_message": False,
        "urgency": "routine",
        "is_restricted": False,
        "arrived_at": now,
        "status_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    values = {key: value for key, value in values.items() if key in inquiry.c}
    with engine.begin() as connection:
        connection.execute(inquiry.insert().values(values))
    return jsonify({"id": public_id, "status": "new"}), 201
