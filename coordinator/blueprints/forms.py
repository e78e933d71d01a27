"""What every blueprint's forms share: running a use case for a posted form, showing its problems.

A form view reads "load, call, redirect":

    form = CoverageForm()
    if form.validate_on_submit() and submit(form, coverages.add_coverage, me(), inquiry):
        flash("Coverage added.", "success")
        return redirect(...)
    return render_template(..., form=form), 400 if form.errors else 200

WTForms renders the fields and checks the CSRF token; the form's `contract` (a Contract class)
parses what was posted, and the service enforces the rest. Either may refuse with
ValidationFailed: `submit` undoes the use case's changes (a savepoint), puts each problem next to
its field and returns None. The request still commits what the page itself did (its audit rows).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from wtforms import Form, StringField

from coordinator.clock import clinic_context
from coordinator.errors import ValidationFailed
from coordinator.extensions import db

_PATH_PART = re.compile(r"[.-]")


class ContractForm(FlaskForm):
    """A FlaskForm whose posted data is parsed by `contract` before the use case runs."""

    contract: ClassVar[type | None] = None

    def parse(self):
        """The contract built from this form's data (ValidationFailed when it cannot be)."""
        return self.contract.from_form(self, **clinic_context())

    def reword(self, failure: ValidationFailed) -> ValidationFailed:
        """The problems as this form's readers should read them (staff wording by default)."""
        return failure


def submit(form: Form, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run `operation(*args, [contract], **kwargs)` for a posted form, inside a savepoint.

    When the form has a `contract`, the parsed contract is passed as the last positional
    argument. Returns the operation's result (True when it returns None), or None after
    putting the problems on the form when the contract or the service refuses.
    """
    try:
        with db.session.begin_nested():
            if getattr(form, "contract", None) is not None:
                args = (*args, form.parse())
            result = operation(*args, **kwargs)
    except ValidationFailed as failure:
        apply_errors(form, form.reword(failure) if hasattr(form, "reword") else failure)
        return None
    return True if result is None else result


def apply_errors(form: Form, failure: ValidationFailed) -> None:
    """Show each problem next to the field its path names (`regimen-0-dose` reaches into a
    FieldList of FormFields, `insurance.member_id` into a FormField); otherwise above the form."""
    for field_path, message in failure.reasons:
        field = find_field(form, field_path)
        if field is not None:
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)


def find_field(form: Form, path: str | None):
    """The field a problem path names, or None."""
    if not path:
        return None
    node: Any = form
    for part in _PATH_PART.split(path):
        if part.isdigit():
            entries = getattr(node, "entries", None)
            if entries is None or int(part) >= len(entries):
                return None
            node = entries[int(part)]
        else:
            fields = getattr(getattr(node, "form", node), "_fields", None)
            if fields is None or part not in fields:
                return None
            node = fields[part]
    return node if hasattr(node, "errors") else None


def text_input(label: str, limit: int, description: str | None = None, **render: Any) -> StringField:
    """A text box that only renders (the contract checks the value): `maxlength` set to `limit`."""
    return StringField(label, description=description, render_kw={"maxlength": limit, **render})


def date_input(label: str, description: str | None = None, **render: Any) -> StringField:
    """A date box (`type=date`, sent as YYYY-MM-DD); the contract parses it, so a bad date reads
    the same on every form and in the API."""
    return StringField(label, description=description, render_kw={"type": "date", **render})


def datetime_input(label: str, description: str | None = None, **render: Any) -> StringField:
    """A date-and-time box in the clinic's time zone (`type=datetime-local`)."""
    return StringField(label, description=description, render_kw={"type": "datetime-local", **render})
