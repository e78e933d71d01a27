"""What a merge keeps: field by field, and who may see the result. Pure: no Flask, no SQLAlchemy.

Merging folds a duplicate inquiry into a survivor. Nothing the patient told us may be lost and
no protection may be lowered, so:

- **Details**: for each detail that differs, staff choose which inquiry's value the survivor
  keeps (`Keep`). By default a blank takes the other's value; the stricter contact preference
  wins ("do not leave messages" over "may leave", the more discreet contact method, see
  `DISCRETION`); free text and substances keep both. The merged-away inquiry stays as a record
  with every value it had.
- **Protection** (`protection`): the survivor is restricted if either was. A restricted
  record is seen by its assignee and administrators, so the survivor's assignee must be someone
  who could already see both: the same person on both, or the restricted record's assignee
  taking an unassigned survivor. Otherwise the merge is refused, naming what to change first;
  it never silently takes a case from one person or shows a restricted record to another.
- **Coverage ranks** (`coverage_ranks`): a survivor holds one primary and one secondary
  coverage; the duplicate's coverages take the ranks still free, primary first, or the merge
  is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from coordinator.domain.insurance import CoverageRank
from coordinator.domain.intake import ContactMethod, Urgency
from coordinator.domain.labelled import LabelledStrEnum


class Keep(LabelledStrEnum):
    SURVIVOR = "survivor", "Keep the surviving inquiry's"
    DUPLICATE = "duplicate", "Take the merged inquiry's"
    BOTH = "both", "Keep both"


class Kind(Enum):
    VALUE = "value"  # one value or the other
    TEXT = "text"  # free text: both may be kept, one after the other
    LIST = "list"  # several choices (substances): both may be kept, as their union
    NO_MESSAGES = "no_messages"  # may_leave_message: "no" is the stricter wish
    CONTACT = "contact"  # preferred contact method: the more discreet is stricter
    URGENCY = "urgency"  # the more urgent wins by default
    REGIMEN = "regimen"  # the opioid regimen: one inquiry's lines or the other's, whole


@dataclass(frozen=True)
class MergeField:
    name: str
    label: str
    kind: Kind = Kind.VALUE

    @property
    def keeps_both(self) -> bool:
        return self.kind in (Kind.TEXT, Kind.LIST)


FIELDS = (
    MergeField("caller_name", "Caller's name"),
    MergeField("caller_relationship", "Caller's relationship"),
    MergeField("caller_phone", "Caller's phone"),
    MergeField("caller_email", "Caller's email"),
    MergeField("preferred_contact", "Preferred contact", Kind.CONTACT),
    MergeField("may_leave_message", "Messages", Kind.NO_MESSAGES),
    MergeField("contact_instructions", "Contact instructions", Kind.TEXT),
    MergeField("patient_name", "Patient's name"),
    MergeField("patient_dob", "Patient's date of birth"),
    MergeField("patient_sex", "Patient's sex"),
    MergeField("patient_location", "Patient's location"),
    MergeField("patient_phone", "Patient's phone"),
    MergeField("patient_email", "Patient's email"),
    MergeField("presenting_concerns", "Presenting concerns", Kind.TEXT),
    MergeField("substances", "Substances", Kind.LIST),
    MergeField("pain_conditions", "Pain conditions", Kind.TEXT),
    MergeField("prior_treatment", "Prior treatment", Kind.TEXT),
    MergeField("urgency", "Urgency", Kind.URGENCY),
    MergeField("regimen", "Opioid regimen", Kind.REGIMEN),
)
BY_NAME = {field.name: field for field in FIELDS}
# Most discreet first: a person who asked for email asked us not to call; a text can be read
# on a locked screen but not overheard; a call can be. No preference is the least strict.
DISCRETION = (ContactMethod.EMAIL, ContactMethod.TEXT, ContactMethod.PHONE, None)
URGENCY_ORDER = (Urgency.URGENT, Urgency.SOON, Urgency.ROUTINE, None)


def blank(value: object) -> bool:
    return value is None or value == "" or value == () or value == []


def differs(survivor: object, duplicate: object) -> bool:
    if isinstance(survivor, list | tuple) or isinstance(duplicate, list | tuple):
        return set(survivor or ()) != set(duplicate or ())
    if blank(survivor) and blank(duplicate):
        return False
    return survivor != duplicate


def default_keep(field: MergeField, survivor: object, duplicate: object) -> Keep:
    """What the survivor keeps unless staff choose otherwise."""
    if field.kind is Kind.NO_MESSAGES:
        return Keep.SURVIVOR if not survivor else Keep.DUPLICATE  # "no messages" wins
    if field.kind is Kind.CONTACT:
        stricter = min((survivor, duplicate), key=DISCRETION.index)
        return Keep.SURVIVOR if stricter == survivor else Keep.DUPLICATE
    if field.kind is Kind.URGENCY:
        return Keep.SURVIVOR if URGENCY_ORDER.index(survivor) <= URGENCY_ORDER.index(duplicate) else Keep.DUPLICATE
    if blank(survivor):
        return Keep.DUPLICATE
    if blank(duplicate):
        return Keep.SURVIVOR
    return Keep.BOTH if field.keeps_both else Keep.SURVIVOR


def combine(field: MergeField, survivor: object, duplicate: object, keep: Keep, duplicate_label: str) -> object:
    """The value the survivor ends with."""
    if keep is Keep.SURVIVOR:
        return survivor
    if keep is Keep.DUPLICATE or blank(survivor):
        return duplicate
    if blank(duplicate):
        return survivor
    if field.kind is Kind.LIST:
        return [*survivor, *(item for item in duplicate if item not in survivor)]
    return f"{survivor}\n\n[{duplicate_label}]\n{duplicate}"


@dataclass(frozen=True)
class Side:
    """One inquiry's protection: restricted or not, and who it is assigned to."""

    restricted: bool
    assignee_id: int | None


@dataclass(frozen=True)
class Protection:
    restricted: bool
    assignee_id: int | None
    refusal: str | None = None  # a problem code when no assignee can keep both safe

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def protection(survivor: Side, duplicate: Side) -> Protection:
    """The survivor's protection after the merge: the stricter of the two, with an assignee who
    could already see both records (or a refusal code)."""
    if not (survivor.restricted or duplicate.restricted):
        return Protection(False, survivor.assignee_id)
    if survivor.assignee_id == duplicate.assignee_id:
        if survivor.assignee_id is None:
            return Protection(True, None, "merge_restricted_unassigned")
        return Protection(True, survivor.assignee_id)
    if not survivor.restricted and survivor.assignee_id is None:
        # An unassigned, open survivor: everyone could see it, including the restricted
        # record's assignee, who takes it on (nobody else loses or gains anything).
        if duplicate.assignee_id is None:
            return Protection(True, None, "merge_restricted_unassigned")
        return Protection(True, duplicate.assignee_id)
    if not duplicate.restricted and duplicate.assignee_id is None:
        return Protection(True, survivor.assignee_id)
    return Protection(True, survivor.assignee_id, "merge_restricted_other_assignee")


def coverage_ranks(survivor_ranks: set[CoverageRank], duplicate_ranks: list[CoverageRank]) -> list[CoverageRank] | None:
    """The rank each of the duplicate's coverages takes on the survivor (in the order given,
    primary first), or None when there are not enough free ranks."""
    free = [rank for rank in CoverageRank if rank not in survivor_ranks]
    if len(duplicate_ranks) > len(free):
        return None
    order = sorted(range(len(duplicate_ranks)), key=lambda i: list(CoverageRank).index(duplicate_ranks[i]))
    result: list[CoverageRank] = list(duplicate_ranks)
    for slot, index in zip(free, order, strict=False):
        result[index] = slot
    return result
