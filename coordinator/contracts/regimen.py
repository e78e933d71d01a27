"""The opioid regimen as any form or body gives it: `RegimenLineInput` rows and the `regimen()`
normaliser for a contract field holding them (the screening regimen editor; intake later).

Rows come as a list, from a form's `FieldList(FormField(...))` (`regimen-N-field`) or a JSON
array. Wholly blank rows are dropped first (a purpose alone is blank: it has a default), and every
problem names the row as the person sees it (`regimen-3-dose` for the fourth row, even when rows
above it were blank). The row contract checks the shape of each value; the MME rule
(`rules/mme.RegimenLine`) is the one place that checks a medicine (known drug, its units, a
plausible dose, patches without doses per day) and words what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError, ValidationInfo, WithJsonSchema
from pydantic_core import InitErrorDetails, PydanticCustomError

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.messages import define
from coordinator.contracts.rule_problems import rule_line_errors
from coordinator.rules import mme
from coordinator.rules.errors import RuleError

MAX_LINES = 10
# Longest drug key or unit worth reading; the rule names what it does not know.
TEXT_LIMIT = 40
ROW_FIELDS = ("drug", "dose", "unit", "doses_per_day", "purpose")
# A row with none of these is blank (the purpose has a default, so it alone says nothing).
CONTENT_FIELDS = ("drug", "dose", "unit", "doses_per_day")

define({"regimen_too_many": "List at most {limit} medicines."})


class RegimenLineInput(Contract):
    """One medicine as typed: which drug, one dose and its unit, doses a day, and why it is taken."""

    # The JSON Schema lists the drugs and units the MME rule knows (the rule says what is wrong).
    drug: Annotated[values.text(TEXT_LIMIT), WithJsonSchema({"type": "string", "enum": [d.key for d in mme.DRUGS]})]
    dose: Annotated[values.number(what="dose"), WithJsonSchema({"type": "number", "exclusiveMinimum": 0})]
    unit: Annotated[
        values.text(TEXT_LIMIT),
        WithJsonSchema({"type": "string", "enum": list(dict.fromkeys(u for d in mme.DRUGS for u in d.units))}),
    ]
    doses_per_day: values.whole_number(what="doses per day", minimum=1, maximum=mme.MAX_DOSES_PER_DAY)
    purpose: values.choice(mme.Purpose, default=mme.Purpose.PAIN)

    schema_required = ("drug", "dose", "unit")

    def to_line(self) -> mme.RegimenLine:
        """The medicine as the MME rule checks and normalises it; RuleError names its fields."""
        # The dose goes to the rule as written, so its messages quote "-5", not Decimal('-5').
        dose = None if self.dose is None else format(self.dose, "f")
        return mme.RegimenLine(self.drug, dose, self.unit, self.doses_per_day, self.purpose)


@dataclass(frozen=True)
class RegimenRow:
    """A row that is not blank, with its place among the rows the person sees (from 0)."""

    number: int
    line: RegimenLineInput


@dataclass(frozen=True)
class Regimen:
    """A checked regimen: the rule's lines, the row each came from, and its MME/day (None when
    no medicine is listed)."""

    lines: tuple[mme.RegimenLine, ...] = ()
    rows: tuple[int, ...] = ()
    result: mme.MmeResult | None = None


def _is_blank(row: Mapping) -> bool:
    return all(
        value is None or (isinstance(value, str) and not value.strip()) for value in map(row.get, CONTENT_FIELDS)
    )


def _relocated(error: ValidationError, loc: tuple) -> list[InitErrorDetails]:
    return [
        InitErrorDetails(
            type=PydanticCustomError(item["type"], item["msg"], item.get("ctx") or {}),
            loc=(*loc, *item["loc"]),
            input=None,
        )
        for item in error.errors(include_url=False, include_input=False)
    ]


def _rows(value: object, info: ValidationInfo) -> tuple[list[RegimenRow], list[InitErrorDetails]]:
    """The rows that are not blank, parsed for shape, and the problems of those that are not usable."""
    if value is None or value == "":
        return [], []
    if not isinstance(value, list | tuple):
        raise values.problem("not_a_list")
    given = [
        (number, row)
        for number, row in enumerate(value)
        if isinstance(row, RegimenLineInput) or not isinstance(row, Mapping) or not _is_blank(row)
    ]
    if len(given) > MAX_LINES:
        raise values.problem("regimen_too_many", limit=MAX_LINES)
    rows, errors = [], []
    for number, row in given:
        if isinstance(row, RegimenLineInput):
            rows.append(RegimenRow(number, row))
        elif not isinstance(row, Mapping):
            errors.append(InitErrorDetails(type=values.problem("not_an_object"), loc=(number,), input=None))
        else:
            try:
                rows.append(RegimenRow(number, RegimenLineInput.model_validate(dict(row), context=info.context)))
            except ValidationError as error:
                errors += _relocated(error, (number,))
    return rows, errors


def _checked(rows: list[RegimenRow], errors: list[InitErrorDetails]) -> Regimen:
    """Each usable row through the MME rule, then the regimen's total (calculate_mme)."""
    lines = []
    for row in rows:
        try:
            lines.append(row.line.to_line())
        except RuleError as err:
            errors = [*errors, *rule_line_errors(err, (row.number,))]
    if errors:
        raise ValidationError.from_exception_data("regimen", sorted(errors, key=lambda e: e["loc"][0]))
    result = mme.calculate_mme(lines) if lines else None
    return Regimen(tuple(lines), tuple(row.number for row in rows), result)


def regimen(*, draft: bool = False) -> Any:
    """A list of regimen rows (at most MAX_LINES that are not blank), checked by the MME rule into
    a `Regimen`. A `draft` (the live preview's) is only parsed for shape: a tuple of RegimenRow,
    for the preview to check line by line and leave unfinished ones out."""

    def check(value: object, info: ValidationInfo) -> Regimen | tuple[RegimenRow, ...]:
        rows, errors = _rows(value, info)
        if not draft:
            return _checked(rows, errors)
        if errors:
            raise ValidationError.from_exception_data("regimen", errors)
        return tuple(rows)

    schema = {
        "type": ["array", "null"],
        "items": RegimenLineInput.model_json_schema(),
        "description": f"At most {MAX_LINES} medicines; problems with row i are reported as `regimen-i-<field>`.",
    }
    return Annotated[Any, BeforeValidator(check), WithJsonSchema(schema), Field(default=None, validate_default=True)]
