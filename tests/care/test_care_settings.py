"""Issue 14, items 3 and 7: the clinic's placement thresholds and review intervals are settings an
administrator edits (validated, audited); the placement recommendation uses the stored
thresholds and still shows each beside its default."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordinator.domain.care import LevelOfCare
from coordinator.extensions import db
from coordinator.models import AppSetting, AuditEvent
from coordinator.roles import Role
from coordinator.rules.care_reminders import DEFAULT_REVIEW_DAYS
from coordinator.rules.placement_thresholds import PlacementThresholds
from coordinator.services import care_settings, placement
from tests.fixtures.users import login_as

URL = "/admin/settings/care"
DEFAULTS = {
    "very_high_mme": "200",
    "high_dose_long_acting_mme": "90",
    "detox_cows_score": "25",
    "recent_overdose_months": "12",
    "review_days_residential": "7",
    "review_days_php": "14",
    "review_days_iop": "14",
    "review_days_virtual_iop": "14",
}


@pytest.fixture
def admin_client(client, create_user):
    return login_as(client, create_user(Role.ADMIN))


def stored(app) -> dict[str, str]:
    with app.app_context():
        return {row.key: row.value for row in db.session.scalars(sa.select(AppSetting))}


def test_the_settings_page_shows_the_thresholds_and_intervals_with_their_defaults(admin_client):
    page = admin_client.get("/admin/reminders/settings").get_data(as_text=True)
    assert 'data-testid="care-settings-form"' in page
    assert 'name="very_high_mme"' in page and 'value="200"' in page
    assert "Default 25" in page and "Default 7 days" in page and "Default 14 days" in page


def test_saving_stores_audits_and_the_recommendation_uses_the_stored_thresholds(app, admin_client):
    data = {**DEFAULTS, "very_high_mme": "150", "detox_cows_score": "20", "review_days_php": "10"}
    response = admin_client.post_form(URL, data)
    assert response.status_code == 302 and response.headers["Location"].endswith("#care-settings")
    assert stored(app) == {
        "placement_very_high_mme": "150",
        "placement_detox_cows_score": "20",
        "review_days_php": "10",
    }
    with app.app_context():
        audited = set(db.session.scalars(sa.select(AuditEvent.entity_id).where(AuditEvent.action == "setting_changed")))
        assert audited == {"placement_very_high_mme", "placement_detox_cows_score", "review_days_php"}
        thresholds = placement.thresholds()
        assert thresholds.very_high_mme == 150 and thresholds.detox_cows_score == 20
        shown = {s.key: (s.value, s.default) for s in thresholds.settings()}
        assert shown["very_high_mme"] == ("150", "200") and shown["detox_cows_score"] == ("20", "25")
        assert care_settings.review_days()[LevelOfCare.PHP] == 10
    page = admin_client.get("/admin/reminders/settings").get_data(as_text=True)
    assert 'value="150"' in page


def test_saving_the_same_values_again_changes_and_audits_nothing(app, admin_client):
    assert admin_client.post_form(URL, DEFAULTS).status_code == 302
    assert stored(app) == {}
    with app.app_context():
        assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "setting_changed")).all()


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("very_high_mme", "0", "from 1 to 5,000"),
        ("very_high_mme", "-5", "whole number"),
        ("very_high_mme", "5001", "from 1 to 5,000"),
        ("very_high_mme", "2147483648", "whole number"),
        ("very_high_mme", "", "Enter the very high opioid load"),
        ("detox_cows_score", "49", "from 1 to 48"),
        ("detox_cows_score", "2.5", "whole number"),
        ("recent_overdose_months", "121", "from 1 to 120"),
        ("review_days_residential", "0", "from 1 to 90"),
        ("review_days_iop", "91", "from 1 to 90"),
        ("review_days_php", "7\x00", "whole number"),
        ("review_days_virtual_iop", "1" * 100_000, "whole number"),
        ("high_dose_long_acting_mme", "250", "cannot be above the very high opioid load"),
    ],
)
def test_impossible_values_are_refused_with_a_clear_message_and_nothing_is_stored(
    app, admin_client, field, value, fragment
):
    response = admin_client.post_form(URL, {**DEFAULTS, field: value})
    assert response.status_code == 400
    assert fragment in response.get_data(as_text=True)
    assert stored(app) == {}


def test_stored_values_the_rules_would_refuse_read_as_the_defaults(app):
    with app.app_context():
        db.session.add_all(
            [
                AppSetting(key="placement_detox_cows_score", value="99"),
                AppSetting(key="review_days_residential", value="0"),
                AppSetting(key="review_days_php", value="x"),
            ]
        )
        db.session.commit()
        assert care_settings.thresholds() == PlacementThresholds.defaults()
        assert care_settings.review_days() == DEFAULT_REVIEW_DAYS


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.CASE_MANAGER, Role.BILLING, Role.ADMISSIONS])
def test_only_administrators_change_them(app, client, create_user, role):
    login_as(client, create_user(role))
    assert client.post_form(URL, {**DEFAULTS, "very_high_mme": "100"}).status_code == 403
    assert stored(app) == {}
