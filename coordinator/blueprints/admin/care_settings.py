"""The clinic's care settings on the settings page: the detox-first placement thresholds and the
days between level-of-care reviews per level (`services/care_settings.py`)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from wtforms import StringField

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.clinic_details import settings_page
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import ContractForm, submit, text_input
from coordinator.contracts.care_settings import CareSettingsInput
from coordinator.domain.care import LevelOfCare
from coordinator.roles import Role
from coordinator.rules.care_reminders import DEFAULT_REVIEW_DAYS
from coordinator.rules.placement_thresholds import PlacementThresholds
from coordinator.services import care_settings

_DEFAULTS = {s.key: s for s in PlacementThresholds.defaults().settings()}


def _number(label: str, description: str) -> StringField:
    return text_input(label, 6, description, inputmode="numeric", autocomplete="off")


def _threshold(key: str, label: str, what: str) -> StringField:
    default = _DEFAULTS[key]
    return _number(label, f"{what} Default {default.default} · {default.source}.")


def _review(level: LevelOfCare, label: str) -> StringField:
    return _number(label, f"Default {DEFAULT_REVIEW_DAYS[level]} days.")


class CareSettingsForm(ContractForm):
    contract = CareSettingsInput

    very_high_mme = _threshold(
        "very_high_mme", "Very high opioid load (MME/day)", "At or above this, detox at the partner hospital first."
    )
    high_dose_long_acting_mme = _threshold(
        "high_dose_long_acting_mme",
        "High-dose long-acting opioid (MME/day)",
        "Methadone or a fentanyl patch at or above this: hospital detox first.",
    )
    detox_cows_score = _threshold(
        "detox_cows_score", "COWS score for hospital detox", "Withdrawal at or above this score (1–48)."
    )
    recent_overdose_months = _threshold(
        "recent_overdose_months",
        "Recent overdose (months)",
        "An overdose this recent sends a person to hospital detox first.",
    )
    review_days_residential = _review(LevelOfCare.RESIDENTIAL, "Residential")
    review_days_php = _review(LevelOfCare.PHP, "PHP")
    review_days_iop = _review(LevelOfCare.IOP, "IOP")
    review_days_virtual_iop = _review(LevelOfCare.VIRTUAL_IOP, "Virtual IOP")

    @classmethod
    def current(cls) -> CareSettingsForm:
        return cls(formdata=None, data=care_settings.current().form_data())


@bp.route("/settings/care", methods=["POST"])
@security.roles(Role.ADMIN)
def care_settings_save():
    form = CareSettingsForm()
    if form.validate_on_submit() and submit(form, care_settings.save, me()):
        flash("Care settings saved. Recommendations and review reminders use them from now on.", "success")
        return redirect(url_for("admin.reminder_settings") + "#care-settings")
    return settings_page(care_form=form, status=400)
