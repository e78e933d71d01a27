"""Helpers shared by every blueprint's forms."""

from __future__ import annotations

from flask_wtf import FlaskForm

from coordinator.errors import ValidationFailed


def apply_errors(form: FlaskForm, failure: ValidationFailed) -> None:
    """Show a service's ValidationFailed reasons next to the matching form fields."""
    for field_name, message in failure.reasons:
        field = getattr(form, field_name, None) if field_name else None
        if field is not None and hasattr(field, "errors"):
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)
