"""`Contract`: the typed input of one use case, the same for every way in.

A staff form, the public form, the JSON API, a CLI command or a job builds the contract with
`parse` (or `from_form`); the service takes the contract, never a raw mapping. Parsing either
returns a frozen, fully normalised object or raises `ValidationFailed` naming every problem with
a field path (`regimen-0-dose`, `insurance.member_id`) and a code (see `messages.py`):

1. field by field, through the normalisers in `values.py` (unknown fields are refused);
2. then, only when every field is usable, the cross-field rules each contract states in
   `problems()` (nested contracts included), so a form shows all of them at once.

Rules that need the database (does this payer exist? is this person assignable?) stay in the
services, which raise `ValidationFailed` the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, tzinfo
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from coordinator.contracts.messages import message
from coordinator.errors import Problem, ValidationFailed

# pydantic's own error types, in our codes.
_PYDANTIC_CODES = {
    "extra_forbidden": "unknown_field",
    "missing": "required",
    "model_type": "not_an_object",
    "model_attributes_type": "not_an_object",
    "dict_type": "not_an_object",
    "list_type": "not_a_list",
    "tuple_type": "not_a_list",
    "too_long": "too_many_items",
}
KEY_ECHO_LIMIT = 64


class Contract(BaseModel):
    """Base of every input contract: strict about unknown fields, frozen once parsed."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_default=True,  # so a required field left out gets its own worded problem
        hide_input_in_errors=True,  # errors never carry what was typed (it may be a patient's)
        str_strip_whitespace=False,  # the normalisers strip, after checking the type
    )
    # Fields the JSON Schema lists as required (the normalisers say what "blank" means).
    schema_required: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def parse(
        cls,
        data: object,
        *,
        source: str = "form",
        today: date | None = None,
        zone: tzinfo | None = None,
    ) -> Self:
        """Validate `data` (a mapping) into this contract or raise ValidationFailed.

        `source` is "json" for API bodies (JSON types are then strict); `today` and `zone` are
        the clinic's calendar for "not in the future" and typed times (defaults: the clinic's).
        """
        if today is None or zone is None:
            from coordinator.clock import clinic_today, clinic_zone

            today = today or clinic_today()
            zone = zone or clinic_zone()
        if not isinstance(data, Mapping):
            raise ValidationFailed([Problem(None, message("not_an_object"), "not_an_object")])
        context = {"source": source, "today": today, "zone": zone}
        try:
            contract = cls.model_validate(dict(data), context=context)
        except PydanticValidationError as error:
            raise ValidationFailed(list(problems_from(error))) from None
        found = list(contract.all_problems())
        if found:
            raise ValidationFailed(found)
        return contract

    def problems(self) -> Iterable[Problem]:
        """Cross-field rules of this contract alone (paths relative to it); none by default."""
        return ()

    def all_problems(self, prefix: str = "") -> Iterator[Problem]:
        """This contract's cross-field problems and those of the contracts nested in it."""
        for found in self.problems():
            yield Problem(join_path(prefix, found.field), found.message, found.code)
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Contract):
                yield from value.all_problems(join_path(prefix, name))
            elif isinstance(value, list | tuple):
                for index, item in enumerate(value):
                    if isinstance(item, Contract):
                        yield from item.all_problems(join_path(prefix, f"{name}-{index}"))

    @classmethod
    def from_form(cls, form, **context: Any) -> Self:
        """Parse what a WTForms form holds; field names match (nested forms and lists too)."""
        return cls.parse(form_data(form, cls), source="form", **context)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        schema = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        schema.pop("title", None)
        required = [name for name in cls.schema_required if name in cls.model_fields]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
            if "default" in prop and prop["default"] is None:
                del prop["default"]
        return schema


def problem(field: str | None, code: str, **context: object) -> Problem:
    """A Problem worded from the message table, for `problems()` and services."""
    return Problem(field, message(code, **context), code)


def join_path(prefix: str, field: str | None) -> str | None:
    if not prefix:
        return field
    if not field:
        return prefix
    return f"{prefix}-{field}" if field[0].isdigit() else f"{prefix}.{field}"


def path_of(loc: tuple) -> str | None:
    """A pydantic location as a field path: ('regimen', 0, 'dose') -> 'regimen-0-dose',
    ('insurance', 'member_id') -> 'insurance.member_id'."""
    path = ""
    after_index = False
    for part in loc:
        if isinstance(part, int):
            path += f"-{part}"
            after_index = True
        else:
            name = str(part)
            name = name if len(name) <= KEY_ECHO_LIMIT else name[:KEY_ECHO_LIMIT] + "…"
            path += (f"-{name}" if after_index else f".{name}") if path else name
            after_index = False
    return path or None


def problems_from(error: PydanticValidationError) -> Iterator[Problem]:
    """pydantic's errors as coded Problems, in field order, one per field path."""
    seen: set[str | None] = set()
    for item in error.errors(include_url=False, include_input=False):
        field = path_of(tuple(part for part in item["loc"] if not _is_union_branch(part)))
        if field in seen:
            continue
        seen.add(field)
        kind = item["type"]
        if kind in _PYDANTIC_CODES:
            code = _PYDANTIC_CODES[kind]
            context = {"limit": (item.get("ctx") or {}).get("max_length", "")}
        else:
            code, context = kind, dict(item.get("ctx") or {})
        yield Problem(field, message(code, **context), code)


def _is_union_branch(part: object) -> bool:
    # pydantic names the branch of a union it tried ("function-before[...]", "list[...]").
    return isinstance(part, str) and ("[" in part or part in ("function-before", "function-after"))


def form_data(form, contract: type[Contract]) -> dict:
    """The values of a WTForms form for `contract`'s fields (FormField -> dict, FieldList -> list)."""
    data = {}
    fields = getattr(form, "_fields", {})
    for name in contract.model_fields:
        if name in fields:
            data[name] = _field_data(fields[name])
    return data


def _field_data(field) -> object:
    entries = getattr(field, "entries", None)
    if entries is not None:  # FieldList
        return [_field_data(entry) for entry in entries]
    subform = getattr(field, "form", None)
    if subform is not None and hasattr(subform, "_fields") and field.type == "FormField":
        return {name: _field_data(sub) for name, sub in subform._fields.items() if name != "csrf_token"}
    return field.data
