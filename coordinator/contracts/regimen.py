"""The opioid regimen as typed: a list of medicine lines, checked by the MME rule.

The contract checks each line's shape (JSON types from the API; text from a form) and then hands
the line to `rules/mme.RegimenLine`, which owns every clinical check (known drug, unit for that
drug, plausible dose, doses per day, purpose) and words its problems; they come back under
`regimen-<i>-<field>`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.messages import define
from coordinator.errors import Problem
from coordinator.rules import mme
from coordinator.rules.errors import RuleError

MAX_LINES = 10
LINE_FIELDS = ("drug", "dose", "unit", "doses_per_day", "purpose")

define(
    {
        "regimen_not_a_list": "Give the opioid regimen as a list of medicines.",
        "regimen_too_long": "List at most {limit} medicines.",
    }
)


class RegimenLineInput(Contract):
    """One medicine as taken: drug key, one dose, its unit, doses per day, and why it is taken."""

    drug: Annotated[values.text(40), WithJsonSchema({"type": "string", "enum": [d.key for d in mme.DRUGS]})]
    dose: Annotated[values.number(what="dose"), WithJsonSchema({"type": "number", "exclusiveMinimum": 0})]
    unit: Annotated[
        values.text(10),
        WithJsonSchema({"type": "string", "enum": list(dict.fromkeys(u for d in mme.DRUGS for u in d.units))}),
    ]
    doses_per_day: values.whole_number(what="doses per day", minimum=1, maximum=mme.MAX_DOSES_PER_DAY)
    purpose: values.choice(mme.Purpose, default=mme.Purpose.PAIN)

    schema_required = ("drug", "dose", "unit")

    def problems(self):
        try:
            self.as_rule_line()
        except RuleError as error:
            for field, message in error.errors:
                yield Problem(field, message, type(error).__name__)

    def as_rule_line(self) -> mme.RegimenLine:
        """This line for the MME rule (which checks it clinically and raises RuleError)."""
        # The dose goes as text, so the rule's messages quote it as typed ("not '-1'").
        dose = None if self.dose is None else format(self.dose, "f")
        return mme.RegimenLine(
            drug=self.drug, dose=dose, unit=self.unit, doses_per_day=self.doses_per_day, purpose=self.purpose
        )


def _check_list(value: object, info: ValidationInfo) -> object:
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        raise values.problem("regimen_not_a_list")
    if len(value) > MAX_LINES:
        raise values.problem("regimen_too_long", limit=MAX_LINES)
    return list(value)


# Declared "| None" so the JSON Schema says a null regimen is accepted; it becomes [] first.
Regimen = Annotated[
    list[RegimenLineInput] | None,
    BeforeValidator(_check_list),
    Field(
        default_factory=list,
        description="The current opioid regimen. Problems with line i are reported under "
        "`regimen-i-<field>` (for example `regimen-0-dose`).",
        json_schema_extra={"maxItems": MAX_LINES},
    ),
]


def rule_lines(lines: list[RegimenLineInput]) -> list[mme.RegimenLine]:
    """The lines as the MME rule's RegimenLine (already checked when the contract was parsed)."""
    return [line.as_rule_line() for line in lines]


def total(lines: list[RegimenLineInput]) -> mme.MmeResult | None:
    """The MME result of a checked regimen, or None for no medicines."""
    return mme.calculate_mme(rule_lines(lines), field_prefix="regimen") if lines else None


def form_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """Posted regimen rows without the wholly blank ones (a purpose alone is blank: it has a
    default), and the form row number of each kept line, for `renumbered`."""
    kept, numbers = [], []
    for number, row in enumerate(rows):
        if any(row.get(name) not in (None, "") for name in ("drug", "dose", "unit", "doses_per_day")):
            kept.append({name: row.get(name) for name in LINE_FIELDS})
            numbers.append(number)
    return kept, numbers


def renumbered(path: str | None, numbers: list[int]) -> str | None:
    """`regimen-i-field` pointing at form row `numbers[i]` instead of kept line i."""
    parts = path.split("-") if path else []
    if len(parts) >= 2 and parts[0] == "regimen" and parts[1].isdigit() and int(parts[1]) < len(numbers):
        return "-".join(["regimen", str(numbers[int(parts[1])]), *parts[2:]])
    return path
