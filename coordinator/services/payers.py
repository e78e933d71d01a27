"""Payers: reference data kept by administrators (name, X12 payer id, phone, notes)."""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.contracts.base import problem
from coordinator.contracts.payers import PayerInput
from coordinator.domain.audit import AuditAction
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Payer, User
from coordinator.services import audit, records


def all_payers() -> list[Payer]:
    return list(db.session.scalars(sa.select(Payer).order_by(Payer.is_active.desc(), sa.func.lower(Payer.name))))


def load(payer_id: int) -> Payer:
    """The payer with this id, or NotFound."""
    return records.load(Payer, payer_id)


def _check_unique_name(data: PayerInput, payer: Payer | None) -> None:
    clash = db.session.scalar(sa.select(Payer.id).where(sa.func.lower(Payer.name) == data.name.lower()))
    if clash is not None and (payer is None or clash != payer.id):
        raise ValidationFailed([problem("name", "payer_name_taken")])


def create_payer(actor: User, data: PayerInput) -> Payer:
    """Add a payer (its name unique, in any case); the caller commits."""
    _check_unique_name(data, None)
    payer = Payer(**data.model_dump())
    db.session.add(payer)
    db.session.flush()
    audit.record(actor, AuditAction.PAYER_CREATED, "payer", payer.id)
    return payer


def update_payer(actor: User, payer: Payer, data: PayerInput) -> Payer:
    """Change a payer's details; the caller commits."""
    _check_unique_name(data, payer)
    for field, value in data.model_dump().items():
        setattr(payer, field, value)
    db.session.flush()
    audit.record(actor, AuditAction.PAYER_UPDATED, "payer", payer.id)
    return payer
