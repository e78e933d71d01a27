"""Random form posts at /inquire: the visitor sees the form again (400) or the thank-you page (302), never a 500."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from coordinator.blueprints.public.forms import WebInquiryForm
from coordinator.extensions import db
from coordinator.models import Inquiry
from tests.intake.test_public_form import URL, visitor_answers

# Every field a visitor's browser may post, as the page names them.
INQUIRY_FIELDS = [
    name
    for name, value in vars(WebInquiryForm).items()
    if isinstance(value, UnboundField) and name not in ("insurance", "website")
]
OTHER_KEYS = ["website", "is_restricted", "assigned_to_id", "status", "regimen", "regimen-0-dose", "csrf_token_x"]
TRICKY = [
    "",
    " ",
    "\x00",
    "2026-02-30",
    "1975-04-12",
    "9999-12-31",
    "y",
    "on",
    "false",
    "web",
    "urgent",
    "text",
    "email",
    "phone",
    "self",
    "alcohol",
    "prescribed_opioids",
    "x" * 5000,
    "😀" * 100,
    "\u202e",
    "a@b.example",
    "+1 555 010 2233",
    "<b>bold</b>",
    "'; DROP TABLE inquiry; --",
]
values = st.one_of(st.text(max_size=200), st.sampled_from(TRICKY))
field_values = st.one_of(values, st.lists(values, max_size=4))
random_form = st.dictionaries(
    st.one_of(st.sampled_from(list(INQUIRY_FIELDS) + OTHER_KEYS), st.text(max_size=15)), field_values, max_size=14
)
mutated_valid = st.builds(
    lambda changes: {**visitor_answers(), **changes},
    st.dictionaries(st.sampled_from(list(INQUIRY_FIELDS) + ["website"]), field_values, max_size=3),
)


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Inquiry))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.one_of(random_form, mutated_valid))
def test_random_form_posts_never_fail(app, client, form):
    app.config["WEB_INQUIRY_LIMIT"] = "100000 per hour"  # the app fixture restores the config afterwards
    form = {key: value for key, value in form.items() if key != "csrf_token"}
    before = count(app)
    response = client.post_form(URL, form)
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400), response.status_code
    saved = count(app) - before
    honeypot = form.get("website")
    honeypot_filled = any(v.strip() for v in honeypot) if isinstance(honeypot, list) else bool((honeypot or "").strip())
    if response.status_code == 400:
        assert saved == 0 and "Nothing has been sent yet" in response.get_data(as_text=True)
    else:
        assert response.headers["Location"] == "/inquire/thanks"
        assert saved == (0 if honeypot_filled else 1)
