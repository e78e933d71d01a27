"""Delivery channels: email over SMTP (or the log on a laptop) and in-app notifications.

A channel sends one message to one staff member and returns a reference (an SMTP Message-ID,
a notification id). Messages never carry treatment, program or clinical details: they say
that something needs attention and link back into the app, where access is checked.
A channel for SMS would implement the same `send`.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.charset import QP, Charset
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr
from typing import Protocol

import sqlalchemy as sa

from coordinator.domain.reminders import DeliveryChannel
from coordinator.extensions import db
from coordinator.models import Notification, User

log = logging.getLogger("coordinator.channels")


@dataclass(frozen=True)
class Message:
    subject: str  # for email: generic, no clinical details
    text: str  # for email: generic, with the link
    title: str  # in-app (behind sign-in, still minimal)
    body: str
    path: str  # a path in this app, e.g. /inquiries/12


class TransientDeliveryError(Exception):
    """The channel could not deliver now; try again later. `code` is safe to store and show."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class Channel(Protocol):
    name: DeliveryChannel

    def send(self, user: User, message: Message, *, reminder_id: int) -> str | None: ...


class InAppChannel:
    name = DeliveryChannel.IN_APP

    def send_many(self, items: list[tuple[User, Message, int]]) -> None:
        """Several notifications in one statement: (user, message, reminder id) each."""
        if items:
            db.session.execute(
                sa.insert(Notification.__table__),  # Core: one cached executemany, no ORM bulk bookkeeping
                [
                    {
                        "user_id": user.id,
                        "reminder_id": reminder_id,
                        "title": message.title[:200],
                        "body": message.body[:500],
                        "link": message.path[:300],
                    }
                    for user, message, reminder_id in items
                ],
            )

    def send(self, user: User, message: Message, *, reminder_id: int) -> str | None:
        notification = Notification(
            user_id=user.id,
            reminder_id=reminder_id,
            title=message.title[:200],
            body=message.body[:500],
            link=message.path[:300],
        )
        db.session.add(notification)
        db.session.flush()  # the unique (reminder, user) key refuses a second copy
        return str(notification.id)


def message_id(reminder_id: int, user: User, sender: str) -> str:
    """The same Message-ID for every attempt at one reminder to one person, so mail systems
    that drop repeated Message-IDs drop a resend, and duplicates can be counted by it:
    `<reminder-{id}.{recipient hash}@{sender's domain}>` (the hash names no one)."""
    recipient = hashlib.sha256(f"{user.id}:{(user.email or '').lower()}".encode()).hexdigest()[:16]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "coordinator.invalid"
    return f"<reminder-{reminder_id}.{recipient}@{domain}>"


_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable in the raw message, unlike base64


def build_email(sender: str, user: User, subject: str, text: str, reference: str) -> bytes | EmailMessage:
    """A plain-text email. The compat32 MIMEText (as bytes) costs a third of EmailMessage's
    default policy, which parses every header it is given; an address that is not ASCII gets
    an EmailMessage, which smtplib sends with SMTPUTF8."""
    if not (user.email.isascii() and sender.isascii()):
        email = EmailMessage()
        email["From"], email["To"], email["Subject"], email["Message-ID"] = (
            sender,
            formataddr((user.full_name, user.email)),
            subject,
            reference,
        )
        email.set_content(text)
        return email
    email = MIMEText(text, "plain", "us-ascii" if text.isascii() else _UTF8_QP)
    email["From"] = sender
    email["To"] = formataddr((user.full_name, user.email), charset="utf-8")
    email["Subject"] = subject if subject.isascii() else Header(subject, "utf-8").encode()
    email["Message-ID"] = reference
    return email.as_bytes()


class SmtpEmailChannel:
    """Email over SMTP; settings from the environment (SMTP_HOST, SMTP_PORT, ...)."""

    name = DeliveryChannel.EMAIL

    def __init__(self, config) -> None:
        self._smtp: smtplib.SMTP | None = None
        self.host, self.port = config["SMTP_HOST"], config["SMTP_PORT"]
        self.starttls, self.use_ssl = config["SMTP_STARTTLS"], config["SMTP_SSL"]
        self.username, self.password = config["SMTP_USERNAME"], config["SMTP_PASSWORD"]
        self.timeout, self.sender = config["SMTP_TIMEOUT_SECONDS"], config["MAIL_FROM"]
        self.base_url = config["PUBLIC_BASE_URL"]
        self.envelope_sender = parseaddr(self.sender)[1] or self.sender

    def send(self, user: User, message: Message, *, reminder_id: int) -> str | None:
        reference = message_id(reminder_id, user, self.sender)
        email = build_email(
            self.sender, user, message.subject, f"{message.text}\n\n{self.base_url}{message.path}\n", reference
        )
        try:  # returns once the server accepted it
            if isinstance(email, bytes):
                self._connection().sendmail(self.envelope_sender, [user.email], email)
            else:
                self._connection().send_message(email)
        except smtplib.SMTPResponseException as error:
            self.close()
            raise TransientDeliveryError(f"SMTP {error.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused:
            self.close()
            raise TransientDeliveryError("SMTP recipient refused") from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise TransientDeliveryError(type(error).__name__) from None
        return reference

    def _connection(self) -> smtplib.SMTP:
        """One connection for a batch of messages (a job delivers several reminders)."""
        if self._smtp is None:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            self._smtp = smtp
        return self._smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


class LoggedEmailChannel:
    """The laptop default without SMTP_HOST: the email is written to the log (subject and link only)."""

    name = DeliveryChannel.EMAIL

    def __init__(self, config) -> None:
        self.base_url = config["PUBLIC_BASE_URL"]

    def send(self, user: User, message: Message, *, reminder_id: int) -> str | None:
        log.info(
            "email (not sent: no SMTP_HOST) to user %s: %s %s%s", user.id, message.subject, self.base_url, message.path
        )
        return "logged"


def close_all(channels) -> None:
    for channel in channels:
        close = getattr(channel, "close", None)
        if close is not None:
            close()


def channels_for(config) -> list[Channel]:
    email = SmtpEmailChannel(config) if config["SMTP_HOST"] else LoggedEmailChannel(config)
    return [InAppChannel(), email]
