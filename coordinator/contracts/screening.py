"""Input contracts for screening: one per instrument, the regimen editor's, and the drafts the
live preview reads while a form is still being filled in.

Each check has one home. A contract checks the shape of what was given: which items an
instrument has (a questionnaire's fields are its rule's item keys), the options of a checklist,
a date, the time given in the clinic's zone. The instrument's pure rule in `coordinator/rules/`
scores the answers and refuses what it cannot score (an item left unanswered, a score the item
does not allow), in its own words; the service turns those refusals into field problems.

`RECORDED[kind]` is the contract a screening is recorded with, `DRAFTS[kind]` (kinds plus "mme")
the one its live preview parses: the same fields, but nothing is required yet.
"""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import create_model

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.messages import define
from coordinator.contracts.regimen import regimen
from coordinator.domain.labelled import LabelledStrEnum
from coordinator.rules import cows, dsm5_oud, gad7, medical_flags, phq9

# Longest answer worth handing to a rule (no allowed score comes near it).
ANSWER_LIMIT = 40

define(
    {
        "dsm5_supervision_required": "Say whether the opioid is taken as prescribed under medical supervision "
        "(yes or no).",
        "screening_in_future": "The time given cannot be in the future.",
        "screening_before_arrival": "The time given is before the inquiry arrived.",
    }
)


class Supervision(LabelledStrEnum):
    """Whether the opioid is taken as prescribed, under medical supervision (DSM-5's exclusion)."""

    YES = "yes", "Yes"
    NO = "no", "No"


class ScreeningInput(Contract):
    """What every screening has: the instrument (`kind`) and when it was given (blank: now)."""

    kind: ClassVar[str]
    administered_at: values.moment(what="time the screening was given")


class QuestionnaireInput(ScreeningInput):
    """A scored questionnaire: one field per item of its rule, each answer as given (or None)."""

    items: ClassVar[tuple[str, ...]] = ()

    def answers(self) -> dict[str, str | None]:
        """Item key -> answer, in the questionnaire's order, for the rule to score."""
        return {key: getattr(self, key) for key in self.items}

    def unanswered(self) -> tuple[str, ...]:
        """The items left blank so far."""
        return tuple(key for key in self.items if getattr(self, key) is None)

    def with_answers(self, answers: dict[str, str]) -> Self:
        """The same questionnaire with some answers filled in (the preview's floor)."""
        return self.model_copy(update=answers)


def _questionnaire(name: str, kind: str, items: tuple[str, ...], doc: str) -> type[QuestionnaireInput]:
    # The fields are the rule's own item keys, so a new item cannot be left out of the contract.
    fields = {key: values.text(ANSWER_LIMIT) for key in items}
    model = create_model(name, __base__=QuestionnaireInput, __module__=__name__, __doc__=doc, **fields)
    model.kind, model.items = kind, items
    return model


Phq9Input = _questionnaire(
    "Phq9Input", "phq9", tuple(key for key, _ in phq9.ITEMS), "PHQ-9: nine answers scored 0-3 (rules/phq9)."
)
Gad7Input = _questionnaire(
    "Gad7Input", "gad7", tuple(key for key, _ in gad7.ITEMS), "GAD-7: seven answers scored 0-3 (rules/gad7)."
)
CowsInput = _questionnaire(
    "CowsInput", "cows", tuple(item.key for item in cows.ITEMS), "COWS: eleven items, each its own scores (rules/cows)."
)


class Dsm5OudDraft(ScreeningInput):
    """DSM-5 opioid use disorder as far as it is answered: the supervision question may be open."""

    kind: ClassVar[str] = "dsm5_oud"
    taken_as_prescribed_under_supervision: values.choice(Supervision)
    criteria: values.choices(dsm5_oud.OudCriterion, what="DSM-5 criteria")
    behaviours: values.choices(dsm5_oud.OudBehaviour, what="behaviours")

    @property
    def supervised(self) -> bool | None:
        """The supervision answer as the rule takes it (None: not answered)."""
        answer = self.taken_as_prescribed_under_supervision
        return None if answer is None else answer is Supervision.YES


class Dsm5OudInput(Dsm5OudDraft):
    """DSM-5 opioid use disorder: the criteria met, the supervision answer, the behaviours seen."""

    taken_as_prescribed_under_supervision: values.choice(Supervision, required="dsm5_supervision_required")


class MedicalFlagsInput(ScreeningInput):
    """Medical flags for placement; the MME/day comes from the inquiry's regimen, not the form."""

    kind: ClassVar[str] = "medical_flags"
    flags: values.choices(medical_flags.MedicalFlag, what="medical flags")
    last_overdose_on: values.day(what="date of the last overdose")


class MedicalFlagsDraft(MedicalFlagsInput):
    """Medical flags being filled in; the page sends the inquiry's MME/day along for the preview."""

    mme_per_day: values.number(what="MME/day")


class RegimenInput(Contract):
    """The regimen editor: the inquiry's current opioid regimen, row by row."""

    kind: ClassVar[str] = "mme"
    regimen: regimen()


class RegimenDraft(Contract):
    """Regimen rows being typed: parsed for shape only, so the preview can leave unfinished rows out."""

    kind: ClassVar[str] = "mme"
    regimen: regimen(draft=True)


RECORDED: dict[str, type[ScreeningInput]] = {
    contract.kind: contract for contract in (Dsm5OudInput, Phq9Input, Gad7Input, CowsInput, MedicalFlagsInput)
}
DRAFTS: dict[str, type[Contract]] = RECORDED | {
    "dsm5_oud": Dsm5OudDraft,
    "medical_flags": MedicalFlagsDraft,
    "mme": RegimenDraft,
}
