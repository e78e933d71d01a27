"""Private pay: fee periods, ledger entries, charges, payment methods and plan frequencies (quote
and plan statuses, with their transition tables, are in `rules/`).
"""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class FeePeriod(LabelledStrEnum):
    DAY = "day", "per day"
    WEEK = "week", "per week"
    MONTH = "month", "per month"
    EPISODE = "episode", "per episode"


class LedgerKind(LabelledStrEnum):
    CHARGE = "charge", "Charge"
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"


class ChargeCategory(LabelledStrEnum):
    PROGRAM_FEE = "program_fee", "Program fee"
    MEDICATION = "medication", "Medication"
    PSYCHIATRIC_CONSULTATION = "psychiatric_consultation", "Extra psychiatric consultation"
    HOSPITAL_VISIT = "hospital_visit", "Hospital visit"
    TRANSPORT = "transport", "Transport"
    OTHER = "other", "Other"


class PaymentMethod(LabelledStrEnum):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CARD = "card", "Card"
    CASH = "cash", "Cash"
    CHEQUE = "cheque", "Cheque"
    OTHER = "other", "Other"


class PlanFrequency(LabelledStrEnum):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
