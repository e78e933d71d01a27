"""The screening forms' own fields. Questionnaire answers are whitelisted by services.screenings."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField
from wtforms.validators import Optional, ValidationError

EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input (minutes, as browsers send it) with a plain-language error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter the date and time, for example 2025-03-14 09:30.") from None


class AdministeredForm(FlaskForm):
    administered_at = LocalDateTimeField(
        "Given at",
        validators=[Optional()],
        description="Clinic time, not in the future. Change it when entering a screening given earlier.",
    )

    def validate_administered_at(self, field):
        # Out-of-range years overflow when converted between time zones.
        if field.data and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
            raise ValidationError("Enter a real date and time.")

    def administered_at_utc(self, zone: ZoneInfo) -> datetime | None:
        """The entered clinic time as an aware UTC datetime (None: now)."""
        if self.administered_at.data is None:
            return None
        return self.administered_at.data.replace(tzinfo=zone).astimezone(UTC)


class RegimenForm(FlaskForm):
    """Only the CSRF token: the rows are read and checked by services.screenings.set_regimen."""
