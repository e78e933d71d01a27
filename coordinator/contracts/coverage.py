"""Input contract for a coverage (an insurance policy on an inquiry) as staff add or edit it.

Member ids and group numbers go through `values.identifier`, the one normaliser every way in
uses: kept as printed minus spaces ("XYZ 1234 5678" -> "XYZ12345678"), so they go into a 270
unchanged and compare equal to a 271's. Whether the chosen payer exists and is still in use, and
whether the inquiry already has a coverage of this rank, are the service's checks.
"""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.messages import define
from coordinator.domain.insurance import CoverageRank, PlanType, SubscriberRelationship
from coordinator.domain.intake import Sex

NAME_LIMIT = 120
MEMBER_ID_LIMIT = 80
MEMBER_ID_SHORTEST = 2
GROUP_NUMBER_LIMIT = 50
SUBSCRIBER_NAME_LIMIT = 160
NOTES_LIMIT = 2000

define(
    {
        "coverage_rank_required": "Choose primary or secondary.",
        "coverage_payer_required": "Choose the insurer from the list, or type its name below if it is not there.",
        "coverage_payer_unknown": "Choose a payer from the list.",
        "coverage_rank_taken": "This inquiry already has a {rank} coverage: edit that one, or add this one as {other}.",
        "coverage_member_id_short": "Enter the whole member id as printed on the card (at least {shortest} characters).",
        "coverage_subscriber_name_required": "Enter the insured person's name: the patient is not the policy holder.",
        "coverage_subscriber_dob_required": "Enter the insured person's date of birth: payers match on it.",
        "coverage_ends_before_start": "The coverage cannot end before it starts.",
    }
)


class CoverageInput(Contract):
    """A coverage as staff type it from the card or the caller: a kept payer or the insurer's
    name, the plan, the ids, the insured person when it is not the patient, and the dates."""

    rank: values.choice(CoverageRank, required="coverage_rank_required")
    payer_id: values.record_id(what="payer")
    payer_name: values.text(NAME_LIMIT)
    plan_type: values.choice(PlanType)
    plan_name: values.text(NAME_LIMIT)
    member_id: values.identifier(MEMBER_ID_LIMIT, what="member id")
    group_number: values.identifier(GROUP_NUMBER_LIMIT, what="group number")
    relationship_to_subscriber: values.choice(SubscriberRelationship, default=SubscriberRelationship.SELF)
    subscriber_name: values.text(SUBSCRIBER_NAME_LIMIT)
    subscriber_dob: values.birth_date(what="insured person's date of birth")
    subscriber_sex: values.choice(Sex)
    effective_from: values.day(what="first day of coverage")
    effective_to: values.day(what="last day of coverage")
    notes: values.text(NOTES_LIMIT, multiline=True)

    @property
    def patient_is_insured(self) -> bool:
        return self.relationship_to_subscriber is SubscriberRelationship.SELF

    def problems(self):
        if self.payer_id is None and self.payer_name is None:
            yield problem("payer_id", "coverage_payer_required")
        if self.member_id is not None and len(self.member_id) < MEMBER_ID_SHORTEST:
            yield problem("member_id", "coverage_member_id_short", shortest=MEMBER_ID_SHORTEST)
        if not self.patient_is_insured:
            if self.subscriber_name is None:
                yield problem("subscriber_name", "coverage_subscriber_name_required")
            if self.subscriber_dob is None:
                yield problem("subscriber_dob", "coverage_subscriber_dob_required")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            yield problem("effective_to", "coverage_ends_before_start")
