"""Codes for test accounts with multi-factor sign-in, computed as an authenticator app would.

Each code works once (the account keeps the last step used) and the server accepts one step
either side of now, so a test may sign the same account in two or three times per 30 seconds; past
that the helper waits for the next step rather than reuse one. A code is only handed out
if the server will still take it MARGIN_SECONDS later (a loaded CI machine is slow).
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from coordinator import totp
from coordinator.contracts.mfa import CodeInput
from coordinator.extensions import db
from coordinator.models import User
from coordinator.services import mfa


def enrol(app, user_id: int) -> str:
    """Enrol an account through the real service; returns its secret. The step its confirming
    code used is forgotten afterwards, so the test can sign in at once with the current code."""
    with app.app_context():
        user = db.session.get(User, user_id)
        secret = mfa.start_enrolment(user).secret
        mfa.confirm_enrolment(user, CodeInput.parse({"code": totp.code_at(secret, totp.step_at(time.time()))}))
        user.totp_last_step = None
        db.session.commit()
    return secret


def secret_for(app, email: str) -> str | None:
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).one_or_none()
        return mfa.secret_of(user) if user is not None else None


def next_code(app, email: str) -> str:
    """A code the server will accept now for this account (never one it has seen), and will
    still accept for at least MARGIN_SECONDS, so a slow machine that submits it a few seconds
    later does not cross a step boundary and see it refused."""
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).one()
        secret, last = mfa.secret_of(user), user.totp_last_step
    while True:
        moment = time.time()
        now = totp.step_at(moment)
        first = now - totp.WINDOW if last is None else max(now - totp.WINDOW, last + 1)
        for step in range(first, now + totp.WINDOW + 1):
            # The server accepts `step` until its own current step passes step + WINDOW.
            accepted_until = (step + totp.WINDOW + 1) * totp.STEP_SECONDS
            if accepted_until - moment >= MARGIN_SECONDS:
                return totp.code_at(secret, step)
        time.sleep(totp.STEP_SECONDS - moment % totp.STEP_SECONDS + 0.05)


MARGIN_SECONDS = 12
