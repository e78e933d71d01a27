"""Flask commands: `flask create-user` for the first administrator, `flask reset-mfa` when an
account has lost its authenticator and no administrator can sign in to reset it, `flask seed-demo`
for laptops."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from coordinator.contracts.accounts import NewUserInput
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import User
from coordinator.roles import Discipline, Role
from coordinator.services import accounts, audit, mfa

DEMO_PASSWORD = "coordinator-demo"
DEMO_USERS = [
    ("admin@demo.coordinator.test", "Alex Admin", Role.ADMIN, None),
    ("admissions@demo.coordinator.test", "Ana Admissions", Role.ADMISSIONS, None),
    ("casemanager@demo.coordinator.test", "Casey Manager", Role.CASE_MANAGER, None),
    ("physician@demo.coordinator.test", "Dr. Priya Physician", Role.CLINICIAN, Discipline.PHYSICIAN),
    ("nurse@demo.coordinator.test", "Noor Nurse", Role.CLINICIAN, Discipline.NURSE),
    ("billing@demo.coordinator.test", "Bill Billing", Role.BILLING, None),
]


def _new_account(email, full_name, role, discipline, password) -> NewUserInput:
    """The account a command creates, through the same contract as the admin page (the
    password was already confirmed by the prompt)."""
    return NewUserInput.parse(
        {
            "email": email,
            "full_name": full_name,
            "role": role,
            "discipline": discipline,
            "password": password,
            "confirm_password": password,
        }
    )


@click.command("create-user")
@with_appcontext
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--discipline", type=click.Choice([d.value for d in Discipline]), default=None)
@click.option(
    "--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted for (hidden) when not given."
)
def create_user_command(email, full_name, role, discipline, password):
    """Create a staff account (use it for the first administrator)."""
    try:
        user = accounts.create_user(
            audit.CLI,
            _new_account(email, full_name, role, discipline, password),
            profile=current_app.config["PASSWORD_HASH_PROFILE"],
            must_change_password=False,
        )
    except ValidationFailed as failure:
        db.session.rollback()
        for field, message in failure.reasons:
            click.echo(f"error: {field or 'account'}: {message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email} (id {user.id}).")


@click.command("reset-mfa")
@with_appcontext
@click.option("--email", required=True)
def reset_mfa_command(email):
    """Remove an account's second factor (a lost phone, and no other administrator to do it on the
    Users page): its sessions end and it enrols again at its next sign-in. Audited as the CLI."""
    user = db.session.scalars(sa.select(User).where(User.email == email.strip().lower())).one_or_none()
    if user is None:
        click.echo("error: no account has that email address", err=True)
        sys.exit(1)
    try:
        mfa.reset_by_admin(audit.CLI, user)
    except ValidationFailed:
        db.session.rollback()
        click.echo("error: that account has no multi-factor sign-in to reset", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Multi-factor sign-in removed for {user.email}; it sets it up again at its next sign-in.")


@click.command("seed-demo")
# Where `flask run` will listen, so the address printed is the one that answers: the same
# environment variables `flask run` reads (the Makefile passes its HOST and PORT).
@click.option("--host", envvar="FLASK_RUN_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", envvar="FLASK_RUN_PORT", type=click.IntRange(1, 65535), default=5000, show_default=True)
@with_appcontext
def seed_demo_command(host: str, port: int):
    """Load demo accounts for every role, programs and a pipeline of inquiries (refused in production)."""
    if current_app.config["COORDINATOR_ENV"] == "production":
        click.echo("error: seed-demo never runs in production", err=True)
        sys.exit(1)
    created = 0
    for email, name, role, discipline in DEMO_USERS:
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            accounts.create_user(
                audit.CLI,
                _new_account(email, name, role, discipline, DEMO_PASSWORD),
                profile=current_app.config["PASSWORD_HASH_PROFILE"],
                must_change_password=False,
            )
            created += 1
    db.session.flush()
    from coordinator import demo

    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_([u[0] for u in DEMO_USERS])))}
    inquiries_created = demo.seed_pipeline(users)
    db.session.commit()
    click.echo(
        f"Demo data ready ({created} accounts and {inquiries_created} inquiries created). "
        f"Sign in at {_address(host, port)} with:"
    )
    for email, _name, role, discipline in DEMO_USERS:
        label = role.label + (f" ({discipline.label})" if discipline else "")
        click.echo(f"  {label:<42} {email:<38} password: {DEMO_PASSWORD}")
    click.echo(
        "The administrator sets up multi-factor sign-in at the first sign-in: scan the QR code with an "
        "authenticator app (or type the key; `oathtool --totp -b KEY` prints codes) and keep the "
        "recovery codes. Other roles may turn it on under 'Sign-in codes'."
    )


def _address(host: str, port: int) -> str:
    """The address a browser on this machine opens for a server listening on host:port."""
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"  # listening everywhere: this machine answers on loopback
    elif ":" in host:
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}"


def register_cli(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(reset_mfa_command)
    app.cli.add_command(seed_demo_command)
