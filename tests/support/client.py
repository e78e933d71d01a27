"""A test client that behaves like a browser with respect to CSRF tokens."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


class CoordinatorClient(FlaskClient):
    def csrf_token(self) -> str:
        """The CSRF token for this client's session, read from a page as a browser would: the
        change-password form, which reads no one's record (the sign-in page when signed out, the
        second-factor set-up when that comes first), so fetching a token writes no audit row."""
        response = self.get("/account/password", follow_redirects=True)
        match = _META.search(response.get_data(as_text=True))
        assert match, "no csrf-token meta tag on the page"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        """POST a form with a valid CSRF token, as the page's own form would."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def login(self, email: str, password: str, *, complete_mfa: bool = True, **kwargs):
        """Sign in as the page does; for an account with a second factor, also enter the code an
        authenticator app would show (tests/support/mfa.py), unless `complete_mfa` is False. The
        answer is the last step's (a redirect where the sign-in leads, or the refusing page)."""
        response = self.post_form("/auth/login", {"email": email, "password": password}, **kwargs)
        if complete_mfa and response.status_code == 302 and response.headers["Location"] == "/auth/code":
            from tests.support.mfa import next_code

            kwargs.pop("query_string", None)
            code = next_code(self.application, email)
            response = self.post_form("/auth/code", {"code": code}, **kwargs)
        return response

    def logout(self):
        return self.post_form("/auth/logout")
