"""Payers: reference data kept by administrators (name, X12 payer id, phone, notes)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlalchemy as sa

from coordinator.domain.audit import AuditAction
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Payer, User
from coordinator.services import audit
from coordinator.services.intake import PHONE_RE

PAYER_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-]{0,79}$")
NOTES_LIMIT = 2000


def all_payers() -> list[Payer]:
    return list(db.session.scalars(sa.select(Payer).order_by(Payer.is_active.desc(), sa.func.lower(Payer.name))))


def _clean(data: Mapping, payer: Payer | None) -> dict:
    problems = []
    name = (data.get("name") or "").strip()
    if not name:
        problems.append(("name", "Enter the payer's name."))
    elif len(name) > 120:
        problems.append(("name", "Use at most 120 characters."))
    else:
        clash = db.session.scalar(sa.select(Payer.id).where(sa.func.lower(Payer.name) == name.lower()))
        if clash is not None and (payer is None or clash != payer.id):
            problems.append(("name", "Another payer already has this name."))
    code = (data.get("payer_code") or "").strip() or None
    if code and not PAYER_CODE_RE.match(code):
        problems.append(
            (
                "payer_code",
                "Use letters, digits, spaces, dots and dashes (at most 80), "
                "as the payer's id appears on its 271 responses.",
            )
        )
    phone = (data.get("phone") or "").strip() or None
    if phone and (not PHONE_RE.match(phone) or not 7 <= len(re.sub(r"\D", "", phone)) <= 15):
        problems.append(("phone", "Enter a phone number of 7 to 15 digits (spaces, +, - and brackets are fine)."))
    notes = (data.get("notes") or "").strip() or None
    if notes and len(notes) > NOTES_LIMIT:
        problems.append(("notes", f"Use at most {NOTES_LIMIT} characters (this has {len(notes)})."))
    if problems:
        raise ValidationFailed(problems)
    return {
        "name": name,
        "payer_code": code,
        "phone": phone,
        "notes": notes,
        "is_active": bool(data.get("is_active", True)),
    }


def create_payer(actor: User, data: Mapping) -> Payer:
    payer = Payer(**_clean(data, None))
    db.session.add(payer)
    db.session.flush()
    audit.record(actor, AuditAction.PAYER_CREATED, "payer", payer.id)
    return payer


def update_payer(actor: User, payer: Payer, data: Mapping) -> Payer:
    for field, value in _clean(data, payer).items():
        setattr(payer, field, value)
    db.session.flush()
    audit.record(actor, AuditAction.PAYER_UPDATED, "payer", payer.id)
    return payer
