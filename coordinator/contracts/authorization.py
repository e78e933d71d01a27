"""Input contract for recording or updating an insurance authorization (utilization review).

Rules stated here (they need only the form's own fields):
- approved and partially approved authorizations need an authorization number, the approved
  units and a first covered day; "partially approved" is fewer units than requested (so the
  requested units are needed too) and "approved" with fewer than requested is refused with a
  hint; a denial carries no approved units;
- counted in days with no last covered day given, the last day is start + approved - 1 (day one
  is the start date): `last_covered_day`;
- no more units are approved than were requested, and no more days than the first to the last
  covered day hold (`@rule`s: they run even when other fields are wrong);
- the next review may not fall before the first covered day, nor after the last (a payer
  reviews while the authorization runs; an appeal after it ends is a new request).
Whether the coverage belongs to the inquiry, which status moves are allowed and "nothing
changed" are the service's checks.
"""

from __future__ import annotations

from datetime import date, timedelta

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem, rule
from coordinator.contracts.messages import define
from coordinator.domain.care import LevelOfCare
from coordinator.domain.insurance import AuthorizationUnit
from coordinator.rules.authorization_lifecycle import GRANTED, AuthorizationStatus

AUTH_NUMBER_LIMIT = 50
PAYER_CONTACT_LIMIT = 120
NOTE_LIMIT = 2000
MAX_UNITS = 10_000

define(
    {
        "authorization_level_required": "Choose the level of care authorized.",
        "authorization_status_required": "Choose the authorization's status.",
        "authorization_coverage_unknown": "Choose one of this inquiry's coverages, or none.",
        "authorization_number_required": "Enter the authorization number the payer gave.",
        "authorization_approved_required": "Enter how many {units} were approved.",
        "authorization_approved_zero": "An approval is for at least one {unit}; "
        "choose “Denied” if nothing was approved.",
        "authorization_start_required": "Enter the first covered day.",
        "authorization_requested_required": "Enter how many {units} were requested: "
        "a partial approval is fewer than requested.",
        "authorization_partial_not_fewer": "A partial approval is fewer {units} than requested ({requested}); "
        "choose “Approved” if all were granted.",
        "authorization_fewer_than_requested": "Fewer {units} were approved ({approved}) than requested "
        "({requested}): choose “Partially approved”.",
        "authorization_denial_approves": "A denial approves nothing: leave the approved number empty.",
        "authorization_dates_order": "The last covered day cannot be before the first.",
        "authorization_review_before_start": "The next review cannot be before the first covered day.",
        "authorization_review_too_late": "The next review cannot be after the last covered day ({end}).",
        "authorization_more_than_requested": "More {units} were approved ({approved}) than requested "
        "({requested}): check both numbers.",
        "authorization_more_days_than_dates": "{approved} days cannot fit between the first and the last covered "
        "day ({start} to {end} holds {days}).",
        "authorization_unchanged": "Nothing changed: change a field or add a review note.",
    }
)


class AuthorizationInput(Contract):
    """What the payer authorized for one level of care, and when it looks again."""

    level_of_care: values.choice(LevelOfCare, required="authorization_level_required")
    coverage_id: values.record_id(what="coverage")
    status: values.choice(AuthorizationStatus, required="authorization_status_required")
    auth_number: values.text(AUTH_NUMBER_LIMIT)
    unit: values.choice(AuthorizationUnit, default=AuthorizationUnit.DAYS)
    requested_units: values.whole_number(what="number requested", minimum=1, maximum=MAX_UNITS)
    approved_units: values.whole_number(what="number approved", minimum=0, maximum=MAX_UNITS)
    start_date: values.day(what="first covered day")
    end_date: values.day(what="last covered day")
    next_review_date: values.day(what="next review date")
    payer_contact: values.text(PAYER_CONTACT_LIMIT)
    note: values.text(NOTE_LIMIT, multiline=True)

    @property
    def last_covered_day(self) -> date | None:
        """The last covered day given, or worked out for days granted from a first day."""
        if (
            self.end_date is None
            and self.start_date is not None
            and self.status in GRANTED
            and self.unit is AuthorizationUnit.DAYS
            and self.approved_units
        ):
            return self.start_date + timedelta(days=self.approved_units - 1)
        return self.end_date

    @rule("approved_units", "requested_units", "unit")
    def approved_within_requested(self):
        approved, requested = self.approved_units, self.requested_units
        if approved and requested and approved > requested:
            yield problem(
                "approved_units",
                "authorization_more_than_requested",
                units=self.unit.value,
                approved=approved,
                requested=requested,
            )

    @rule("approved_units", "unit", "start_date", "end_date")
    def approved_within_dates(self):
        start, end, approved = self.start_date, self.end_date, self.approved_units
        if self.unit is AuthorizationUnit.DAYS and approved and start and end and end >= start:
            days = (end - start).days + 1
            if approved > days:
                yield problem(
                    "approved_units",
                    "authorization_more_days_than_dates",
                    approved=approved,
                    start=f"{start:%d %b %Y}",
                    end=f"{end:%d %b %Y}",
                    days=f"{days} day{'s' if days != 1 else ''}",
                )

    def problems(self):
        yield from super().problems()
        found = list(self._decision_problems())
        yield from found
        # Work the last day out only from a decision that holds together.
        end = self.end_date if found else self.last_covered_day
        start, review = self.start_date, self.next_review_date
        if start and end and end < start:
            yield problem("end_date", "authorization_dates_order")
        if review and start and review < start:
            yield problem("next_review_date", "authorization_review_before_start")
        elif review and end and review > end:
            yield problem("next_review_date", "authorization_review_too_late", end=f"{end:%d %b %Y}")

    def _decision_problems(self):
        units = self.unit.value
        approved, requested = self.approved_units, self.requested_units
        if self.status in GRANTED:
            if self.auth_number is None:
                yield problem("auth_number", "authorization_number_required")
            if approved is None:
                yield problem("approved_units", "authorization_approved_required", units=units)
            elif approved == 0:
                yield problem("approved_units", "authorization_approved_zero", unit=units.removesuffix("s"))
            if self.start_date is None:
                yield problem("start_date", "authorization_start_required")
        if self.status is AuthorizationStatus.PARTIALLY_APPROVED and approved:
            if requested is None:
                yield problem("requested_units", "authorization_requested_required", units=units)
            elif approved == requested:
                yield problem("approved_units", "authorization_partial_not_fewer", units=units, requested=requested)
        if self.status is AuthorizationStatus.APPROVED and approved and requested is not None and approved < requested:
            yield problem(
                "status", "authorization_fewer_than_requested", units=units, approved=approved, requested=requested
            )
        if self.status is AuthorizationStatus.DENIED and approved:
            yield problem("approved_units", "authorization_denial_approves")
