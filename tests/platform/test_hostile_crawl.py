"""No input gives a 500 (issue 11, "done means"): a fresh crawl of every route, anonymous and as
every role, with NUL bytes, ids past 2**31 and far dates in paths, query strings and forms, and the
API with a valid key.

The routes come from the access matrix (which must list every rule of `app.url_map`); the records
its paths name are the ones tests/platform/test_access_control.py builds. See tests/support/crawl.py
for what is sent.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from coordinator.roles import Role
from tests.access_matrix import API_KEY, MATRIX, PUBLIC
from tests.fixtures.intake import spouse_call
from tests.fixtures.users import login_as
from tests.platform.test_access_control import matrix_records  # noqa: F401 (the records fixture)
from tests.support.crawl import FAR_DATES, NUL, OVERFLOW_IDS, PATH_VALUES, Failure, HostileCrawler

# Staff first, the anonymous visitor last: its hostile sign-in attempts must not throttle the
# staff sign-ins (the limits are raised for the crawl anyway).
PERSONAS = [role.value for role in Role] + ["anonymous"]
NO_LIMITS = {
    "API_RATE_LIMIT": "100000 per minute",
    "WEB_INQUIRY_LIMIT": "100000 per minute",
    "LOGIN_LIMIT_PER_IP": "100000 per minute",
    "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
}


def allowed(persona: str, allowed_roles) -> bool:
    return allowed_roles == PUBLIC or (persona != "anonymous" and Role(persona) in allowed_roles)


def matcher(app):
    adapter = app.url_map.bind("localhost")

    def match(path: str, method: str) -> tuple[str, dict] | None:
        """The URL rule a path matches, and its parameters' values (None: no rule, or a redirect)."""
        try:
            rule, args = adapter.match(path, method=method, return_rule=True)
        except HTTPException:
            return None
        return rule.rule, args

    return match


def crawl_as(app, client, persona: str, records: dict, tried: set) -> HostileCrawler:
    crawler = HostileCrawler(client, persona, matcher(app), client.csrf_token(), tried)
    bare_posts = []
    for (_endpoint, method), access in sorted(MATRIX.items()):
        if access.allowed == API_KEY or not allowed(persona, access.allowed):
            continue
        path = access.path.format(**records)
        # The route is matched on the path alone; the page is opened with the matrix's query string.
        crawler.crawl_route(*crawler.match(urlsplit(path).path, method), method, path, access.data)
        if method == "POST":
            bare_posts.append((path, access.data))
    crawler.attack_forms()
    for path, data in bare_posts:
        crawler.attack_bare_post(path, data)
    return crawler


def crawl_api(client, records: dict) -> list[Failure]:
    headers = {"Authorization": f"Bearer {records['api_key']}"}
    failures = []

    def check(response, method, path, sent):
        if response.status_code >= 500:
            failures.append(Failure("api client", method, path, sent, response.status_code))

    for value in PATH_VALUES["default"]:
        path = "/api/v1/inquiries/" + value.replace(NUL, "%00")
        check(client.get(path, headers=headers), "GET", path, "")
    base = spouse_call(regimen=[{"drug": "oxycodone", "dose": 20, "unit": "mg", "doses_per_day": 3}])
    base["insurance"] = {"insurer_name": "Blue Harbor Health", "member_id": "W123", "subscriber_birth_date": None}
    values = [NUL, "a\x00b", *FAR_DATES, 2147483648, 99999999999999999999, -(2**63), 10**400]
    for name in [*base, *(f"insurance.{key}" for key in base["insurance"]), "regimen.dose"]:
        for value in values:
            body = json.loads(json.dumps(base))
            if name.startswith("insurance."):
                body["insurance"][name.split(".", 1)[1]] = value
            elif name == "regimen.dose":
                body["regimen"][0]["dose"] = value
            else:
                body[name] = value
            try:
                raw = json.dumps(body)
            except ValueError:
                continue
            response = client.post("/api/v1/inquiries", data=raw, content_type="application/json", headers=headers)
            check(response, "POST", "/api/v1/inquiries", f"{name}={value!r}"[:120])
    return failures


def test_no_hostile_input_gives_a_500_to_anyone(app, new_client, create_user, request):
    app.config.update(NO_LIMITS)
    records = request.getfixturevalue("matrix_records")
    tried: set = set()
    failures: list[Failure] = []
    requests = 0
    for persona in PERSONAS:
        client = new_client()
        if persona != "anonymous":
            login_as(client, create_user(Role(persona)))
        crawler = crawl_as(app, client, persona, records, tried)
        failures += crawler.failures
        requests += crawler.requests
        if persona != "anonymous":  # the crawl kept its session: every page was really seen
            assert client.get("/").status_code == 200, f"{persona} was signed out during the crawl"
    failures += crawl_api(new_client(), records)
    assert requests > 1000
    assert not failures, f"{len(failures)} answers of 500:\n" + "\n".join(map(str, failures[:60]))


def test_the_crawl_finds_what_gives_a_500():
    """The crawler itself, on a small app with the three classic faults."""
    broken = Flask("broken")

    @broken.get("/items/<item_id>")
    def item(item_id):
        return str(int(item_id).to_bytes(2, "big"))  # OverflowError past 2**16

    @broken.get("/list")
    def listing():
        since = request.args.get("since")
        if since:
            date.fromisoformat(since) + timedelta(days=1)  # ValueError, OverflowError
        return (
            '<form method="get"><input type="date" name="since"></form>'
            '<form method="post" action="/notes"><textarea name="note"></textarea>'
            '<input type="hidden" name="after" value="1"></form><a href="/items/5">an item</a>'
        )

    @broken.post("/notes")
    def notes():
        if "\x00" in request.form["note"]:
            raise ValueError("a NUL byte reached the database")
        return "ok"

    crawler = HostileCrawler(broken.test_client(), "anyone", matcher(broken), csrf=None)
    crawler.crawl_route("/list", {}, "GET", "/list")
    crawler.crawl_route("/items/<item_id>", {"item_id": "5"}, "GET", "/items/5")
    crawler.attack_forms()
    found = {(f.method, f.path.split("/")[1], f.sent) for f in crawler.failures}
    assert ("GET", "list", repr({"since": "9999-12-31"})) in found
    assert ("GET", "list", repr({"since": "10000-01-01"})) in found
    assert ("GET", "items", "''") in found  # /items/2147483648
    assert any(method == "POST" and "'note': 'a\\x00b'" in sent for method, _, sent in found)
    assert len(found) == 5  # and the NUL in the date: nothing else


def test_the_crawl_sends_what_it_says():
    from tests.support.crawl import forms_on, path_variants

    variants = path_variants("/inquiries/<int:inquiry_id>/tasks/<int:task_id>", {"inquiry_id": 5, "task_id": 7})
    assert "/inquiries/2147483648/tasks/7" in variants and "/inquiries/5/tasks/%00" in variants
    assert f"/inquiries/5/tasks/{OVERFLOW_IDS[1]}" in variants
    html = (
        '<form method="post" action="/x?y=1"><input name="csrf_token" type="hidden" value="t">'
        '<input name="when" type="date" value="2026-01-01"><select name="who"><option value="">-</option>'
        '<option value="3" selected>Ann</option></select><textarea name="note">hi</textarea>'
        '<input type="checkbox" name="agree"><button type="submit">Go</button></form>'
    )
    (form,) = forms_on("/page", html)
    assert form.action == "/x" and form.method == "post"
    assert form.filled() == {"csrf_token": ["t"], "when": ["2026-01-01"], "who": ["3"], "note": ["hi"]}
    assert form.fields == [
        ("csrf_token", "hidden", "t"),
        ("when", "date", "2026-01-01"),
        ("who", "id", "3"),
        ("note", "textarea", "hi"),
        ("agree", "choice", None),
    ]
