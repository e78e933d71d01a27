"""p95 latency of the list pages at two data sizes, and how much it grows (issue 12).

    .venv/bin/python scripts/bench/lists.py \\
        postgresql+psycopg://postgres@127.0.0.1:5432/bench2k \\
        postgresql+psycopg://postgres@127.0.0.1:5432/bench200k --requests 40 --runs 3

Both databases are made by `scripts/bench/generate.py` (2,000 and 200,000 inquiries). The app
runs in this process (Flask test client, signed in through the real sign-in pages: an
admissions user for the inquiry list, a billing user for the finance worklist, an administrator
with the second factor for the audit log and the reminders list), so the figures are the
server's whole work for a page (session check, queries, audit row, template) without HTTP.
For each run and each page kind it times N requests against the small database, then N
against the large one (after a few untimed warm-up requests), and takes p95 of each; it prints
p95 at both sizes, their ratio per run and min/median/max of the ratios over the runs, and the
SQL statements one request runs at each size (they should be equal).

"page 50" and "oldest page" are found as a person would: by following the page's "Next" link
49 times, and its "Last" link (or, on a list without one, asking for a page past the end,
which shows the last page).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-not-for-production"
KINDS = (
    ("default", "admissions", "/inquiries/"),
    ("search", "admissions", "/inquiries/?q=quennell"),
    ("status", "admissions", "/inquiries/?status=admitted"),
    ("page50", "admissions", None),
    ("oldest", "admissions", None),
    ("audit", "admin", "/admin/audit"),
    ("finance", "billing", "/finance/"),
    ("reminders", "admin", "/admin/reminders"),
)
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_LINK = re.compile(r'<a class="page-link" href="([^"#]+)"[^>]*>\s*{}\s*</a>')


class Site:
    """One app on one database, with a signed-in client per role."""

    def __init__(self, url: str):
        from coordinator import create_app

        os.environ.update(DATABASE_URL=url, INPROCESS_REMINDERS="false", LOG_LEVEL="WARNING")
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        self.clients = {role: self._sign_in(role) for role in ("admissions", "billing", "admin")}
        self.statements = 0
        with self.app.app_context():
            from coordinator.extensions import db

            sa.event.listen(db.engine, "before_cursor_execute", self._count)
        self.urls = {kind: url for kind, _, url in KINDS if url}
        self.urls["page50"] = self._follow("/inquiries/", "Next", 49)
        self.urls["oldest"] = self._follow("/inquiries/", "Last", 1) or "/inquiries/?page=1000000"

    def _count(self, *_args, **_kwargs):
        self.statements += 1

    def _sign_in(self, role: str):
        email = f"{role.replace('_', '-')}1@bench.example.org"
        if role == "admin":
            self._enrol(email)
        client = self.app.test_client()
        token = _META.search(client.get("/auth/login").get_data(as_text=True)).group(1)
        response = client.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
        if response.status_code == 302 and response.headers["Location"].startswith("/auth/code"):
            token = _META.search(client.get("/auth/code").get_data(as_text=True)).group(1)
            response = client.post("/auth/code", data={"code": self._code(email), "csrf_token": token})
        assert response.status_code == 302, f"sign-in as {role} failed ({response.status_code})"
        return client

    def _enrol(self, email: str) -> None:
        """Give the administrator a second factor (once per database), as tests/support/mfa.py does."""
        from coordinator import totp
        from coordinator.contracts.mfa import CodeInput
        from coordinator.extensions import db
        from coordinator.models import User
        from coordinator.services import mfa

        with self.app.app_context():
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            if user.has_mfa:
                return
            secret = mfa.start_enrolment(user).secret
            mfa.confirm_enrolment(user, CodeInput.parse({"code": totp.code_at(secret, totp.step_at(time.time()))}))
            user.totp_last_step = None
            db.session.commit()

    def _code(self, email: str) -> str:
        from coordinator import totp
        from coordinator.extensions import db
        from coordinator.models import User
        from coordinator.services import mfa

        with self.app.app_context():
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            secret, last = mfa.secret_of(user), user.totp_last_step
        while True:
            now = totp.step_at(time.time())
            step = now - totp.WINDOW if last is None else max(now - totp.WINDOW, last + 1)
            if step <= now + totp.WINDOW:
                return totp.code_at(secret, step)
            time.sleep(totp.STEP_SECONDS - time.time() % totp.STEP_SECONDS + 0.05)

    def _follow(self, url: str, label: str, times: int) -> str | None:
        client = self.clients["admissions"]
        pattern = re.compile(_LINK.pattern.format(re.escape(label)))
        for _ in range(times):
            match = pattern.search(client.get(url).get_data(as_text=True))
            if match is None:
                return None
            url = html.unescape(match.group(1))
        return url

    def measure(self, kind: str, role: str, requests: int) -> tuple[float, int]:
        """p95 in ms of `requests` requests of this page kind, and statements per request."""
        client, url = self.clients[role], self.urls[kind]
        for _ in range(3):
            status = client.get(url).status_code
            assert status == 200, f"{kind} answered {status}"
        self.statements = 0
        client.get(url)
        statements = self.statements
        timings = []
        for _ in range(requests):
            began = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
        return statistics.quantiles(timings, n=20)[-1], statements


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("small", help="URL of the 2,000-inquiry database")
    parser.add_argument("large", help="URL of the 200,000-inquiry database")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", default=",".join(k for k, _, _ in KINDS), help="comma-separated page kinds")
    args = parser.parse_args(argv)
    wanted = args.kinds.split(",")
    small, large = Site(args.small), Site(args.large)
    results: dict[str, list[tuple[float, float, int, int]]] = {k: [] for k in wanted}
    for run in range(1, args.runs + 1):
        for kind, role, _ in KINDS:
            if kind not in wanted:
                continue
            p_small, s_small = small.measure(kind, role, args.requests)
            p_large, s_large = large.measure(kind, role, args.requests)
            results[kind].append((p_small, p_large, s_small, s_large))
            print(
                f"run {run} {kind:<10} p95 {p_small:7.1f} ms → {p_large:7.1f} ms  ×{p_large / p_small:5.2f}", flush=True
            )
    print()
    print(
        "| page | p95 at 2k (ms, median) | p95 at 200k (ms, median) | ratio min / median / max | statements 2k / 200k |"
    )
    print("| --- | --- | --- | --- | --- |")
    for kind in wanted:
        rows = results[kind]
        ratios = sorted(b / a for a, b, _, _ in rows)
        print(
            f"| {kind} | {statistics.median(a for a, _, _, _ in rows):.1f} | "
            f"{statistics.median(b for _, b, _, _ in rows):.1f} | "
            f"{ratios[0]:.2f} / {statistics.median(ratios):.2f} / {ratios[-1]:.2f} | {rows[0][2]} / {rows[0][3]} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
