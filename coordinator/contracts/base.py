"""`Contract`: the typed input of one use case, the same for every way in.

A staff form, the public form, the JSON API, a CLI command or a job builds the contract with
`parse` (or `from_form`); the service takes the contract, never a raw mapping. Parsing either
returns a frozen, fully normalised object or raises `ValidationFailed` naming every problem with
a field path (`regimen-0-dose`, `insurance.member_id`) and a code (see `messages.py`):

1. field by field, through the normalisers in `values.py` (unknown fields are refused);
2. then, once a contract's own fields are usable, the cross-field rules it states in
   `problems()`; a nested contract's rules are checked beside its siblings' fields, so a form
   shows every problem it can at once.

Rules that need the database (does this payer exist? is this person assignable?) stay in the
services, which raise `ValidationFailed` the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, tzinfo
from functools import cache
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationInfo, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

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
# Any other error type pydantic itself raises (ours are coded in messages.py or by the rules).
_PYDANTIC_NAMES = frozenset(
    {"bool_type", "int_type", "string_type", "decimal_type", "date_type", "datetime_type", "enum", "is_instance_of"}
)
KEY_ECHO_LIMIT = 64
RULE_FIELDS = "__rule_fields__"


class _Unusable:
    """What a rule sees for a field that did not parse (only rules not over it run)."""

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "<unusable>"


UNUSABLE = _Unusable()
_LOC_PART = re.compile(r"[.-]")


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
            return cls.model_validate(dict(data), context=context)
        except PydanticValidationError as error:
            raise ValidationFailed(list(problems_from(error))) from None

    def problems(self) -> Iterable[Problem]:
        """Cross-field rules of this contract alone (paths relative to it).

        By default: every method marked `@rule(...)`. A contract may override this instead, for
        rules that need every field; those run only when all of its fields are usable."""
        for check in type(self)._rule_methods():
            yield from check(self)

    @classmethod
    @cache
    def _rule_methods(cls) -> tuple:
        found: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):  # a subclass's rule replaces a parent's of that name
            found.update({name: member for name, member in vars(klass).items() if hasattr(member, RULE_FIELDS)})
        return tuple(found.values())

    @model_validator(mode="wrap")
    @classmethod
    def _apply_rules(cls, data: Any, handler, info: ValidationInfo) -> Self:
        try:
            contract = handler(data)
        except PydanticValidationError as error:
            # Some fields are unusable: still check the rules that need none of them, so one
            # answer lists every problem it can (a rule's problem on an unusable field is dropped).
            found = _partial_rule_problems(cls, data, error, info)
            if not found:
                raise
            raise _errors(cls, [*_as_details(error), *_problem_details(found)]) from None
        found = list(contract.problems())
        if found:
            raise _errors(cls, _problem_details(found))
        return contract

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


def rule(*fields: str):
    """Mark a contract method as a cross-field rule over `fields`: it yields Problems and runs
    whenever those fields are usable, even if others are not."""

    def mark(check):
        setattr(check, RULE_FIELDS, frozenset(fields))
        return check

    return mark


def _partial_rule_problems(cls, data, error: PydanticValidationError, info: ValidationInfo) -> list[Problem]:
    """The `@rule` problems computable from the fields that did parse (each checked alone)."""
    rules = cls._rule_methods()
    if not rules or not isinstance(data, Mapping):
        return []
    failed = {item["loc"][0] for item in error.errors() if item["loc"]}
    if failed - set(cls.model_fields):  # unknown fields or a broken shape: say only that
        return []
    values = {}
    for name, field in cls.model_fields.items():
        if name in failed:
            continue
        try:
            values[name] = _field_adapter(cls, name).validate_python(
                data.get(name, field.get_default(call_default_factory=True)), context=info.context
            )
        except PydanticValidationError:
            failed.add(name)
    # A field that did not parse was given (blank fields parse): it reads as "something".
    partial = cls.model_construct(**values, **dict.fromkeys(failed & set(cls.model_fields), UNUSABLE))
    return [
        found
        for check in rules
        if not (getattr(check, RULE_FIELDS) & failed)
        for found in check(partial)
        if loc_of(found.field)[:1] not in {(name,) for name in failed}
    ]


@cache
def _field_adapter(cls, name: str) -> TypeAdapter:
    field = cls.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation)


def _as_details(error: PydanticValidationError) -> list[InitErrorDetails]:
    return [
        InitErrorDetails(type=PydanticCustomError(item["type"], item["msg"]), loc=item["loc"], input=None)
        for item in error.errors(include_url=False, include_input=False)
    ]


def _problem_details(found: list[Problem]) -> list[InitErrorDetails]:
    return [
        InitErrorDetails(type=PydanticCustomError(p.code, p.message), loc=loc_of(p.field), input=None) for p in found
    ]


def _errors(cls, details: list[InitErrorDetails]) -> PydanticValidationError:
    return PydanticValidationError.from_exception_data(cls.__name__, details)


def problem(field: str | None, code: str, **context: object) -> Problem:
    """A Problem worded from the message table, for `problems()` and services."""
    return Problem(field, message(code, **context), code)


def loc_of(path: str | None) -> tuple:
    """A field path back as a pydantic location: 'regimen-0-dose' -> ('regimen', 0, 'dose')."""
    if not path:
        return ()
    return tuple(int(part) if part.isdigit() else part for part in _LOC_PART.split(path))


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
    return path if loc else None


def problems_from(error: PydanticValidationError) -> Iterator[Problem]:
    """pydantic's errors as coded Problems, in field order, one per field path."""
    seen: set[str | None] = set()
    for item in error.errors(include_url=False, include_input=False):
        loc = (
            item["loc"]
            if item["type"] == "extra_forbidden"
            else tuple(p for p in item["loc"] if not _is_union_branch(p))
        )
        field = path_of(loc)
        if field in seen:
            continue
        seen.add(field)
        kind = item["type"]
        if kind in _PYDANTIC_CODES:
            code = _PYDANTIC_CODES[kind]
            yield Problem(field, message(code, limit=(item.get("ctx") or {}).get("max_length", "")), code)
        elif kind in _PYDANTIC_NAMES:  # a type pydantic checked itself: say it in our words
            yield Problem(field, message("invalid"), "invalid")
        else:  # one of ours (a normaliser or a rule), already worded
            yield Problem(field, item["msg"], kind)


_BRANCH = re.compile(r"^[a-z][a-z_-]*\[.*\]$")


def _is_union_branch(part: object) -> bool:
    # pydantic names the branch of a union it tried ("function-before[...]", "list[...]").
    return isinstance(part, str) and (bool(_BRANCH.match(part)) or part in ("function-before", "function-after"))


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
