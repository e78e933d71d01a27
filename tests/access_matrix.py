"""Who may call which endpoint: the one table the authorization tests check every route against.

Each (endpoint, method) maps to an Access: the roles allowed (PUBLIC means anyone, signed
in or not) and a path, whose {placeholders} are filled from records the test creates.
Later issues add their endpoints here; a route missing from this table fails the suite.
"""

from __future__ import annotations

from dataclasses import dataclass

from coordinator.roles import Role

ALL_STAFF = frozenset(Role)
PUBLIC = "public"
# Only callers presenting an API key; everyone else, signed-in staff included, gets 401.
API_KEY = "api_key"


@dataclass(frozen=True)
class Access:
    allowed: frozenset | str
    path: str
    # What an allowed caller gets; None accepts any answer that is not a refusal.
    expect: int | None = None
    data: dict | None = None


def staff(*roles: Role) -> frozenset:
    return frozenset(roles)


ADMIN = staff(Role.ADMIN)
INQUIRY_READERS = staff(Role.ADMIN, Role.ADMISSIONS, Role.CASE_MANAGER, Role.CLINICIAN)
INQUIRY_EDITORS = staff(Role.ADMIN, Role.ADMISSIONS, Role.CASE_MANAGER)
# Insurance and private pay (coordinator/services/finance_access.py).
FINANCE_READERS = staff(Role.ADMIN, Role.ADMISSIONS, Role.BILLING, Role.CASE_MANAGER)
FINANCE_EDITORS = staff(Role.ADMIN, Role.ADMISSIONS, Role.BILLING)

MATRIX: dict[tuple[str, str], Access] = {
    ("static", "GET"): Access(PUBLIC, "/static/app.css", expect=200),
    ("ops.healthz", "GET"): Access(PUBLIC, "/healthz", expect=200),
    ("auth.login", "GET"): Access(PUBLIC, "/auth/login"),
    ("auth.login", "POST"): Access(PUBLIC, "/auth/login"),
    ("auth.logout", "POST"): Access(ALL_STAFF, "/auth/logout", expect=302),
    # Without a half sign-in (a right password first) the code step sends back to sign in.
    ("auth.code", "GET"): Access(PUBLIC, "/auth/code"),
    ("auth.code", "POST"): Access(PUBLIC, "/auth/code"),
    ("account.mfa", "GET"): Access(ALL_STAFF, "/account/mfa", expect=200),
    ("account.mfa", "POST"): Access(ALL_STAFF, "/account/mfa"),
    ("account.restart_mfa", "POST"): Access(ALL_STAFF, "/account/mfa/restart", expect=302),
    ("account.renew_recovery_codes", "POST"): Access(ALL_STAFF, "/account/mfa/recovery-codes", expect=302),
    ("account.disable_mfa", "POST"): Access(ALL_STAFF, "/account/mfa/off", expect=302),
    ("main.home", "GET"): Access(ALL_STAFF, "/", expect=200),
    ("main.login", "GET"): Access(PUBLIC, "/login", expect=301),
    ("account.change_password", "GET"): Access(ALL_STAFF, "/account/password", expect=200),
    ("account.change_password", "POST"): Access(ALL_STAFF, "/account/password", expect=200),
    ("admin.users", "GET"): Access(ADMIN, "/admin/users", expect=200),
    ("admin.new_user", "GET"): Access(ADMIN, "/admin/users/new", expect=200),
    ("admin.new_user", "POST"): Access(ADMIN, "/admin/users/new", expect=200),
    ("admin.edit_user", "GET"): Access(ADMIN, "/admin/users/{other_user}", expect=200),
    ("admin.edit_user", "POST"): Access(ADMIN, "/admin/users/{other_user}", expect=200),
    ("admin.deactivate_user", "POST"): Access(ADMIN, "/admin/users/{other_user}/deactivate", expect=302),
    ("admin.reactivate_user", "POST"): Access(ADMIN, "/admin/users/{other_user}/reactivate", expect=302),
    ("admin.reset_mfa", "POST"): Access(ADMIN, "/admin/users/{other_user}/mfa/reset", expect=302),
    ("admin.unlock_sign_in", "POST"): Access(ADMIN, "/admin/users/{other_user}/unlock", expect=302),
    ("admin.reset_password", "GET"): Access(ADMIN, "/admin/users/{other_user}/password", expect=200),
    ("admin.reset_password", "POST"): Access(ADMIN, "/admin/users/{other_user}/password", expect=200),
    ("admin.audit_log", "GET"): Access(ADMIN, "/admin/audit", expect=200),
    # Inquiries: the pipeline, records, tasks, restricted records; programs and break-glass review
    ("inquiries.index", "GET"): Access(INQUIRY_READERS, "/inquiries/", expect=200),
    # The pipeline board (issue 13, item 10): read by inquiry readers, cards moved by editors;
    # admissions users go on and off duty there (item 11).
    ("board.index", "GET"): Access(INQUIRY_READERS, "/board/", expect=200),
    ("board.move", "POST"): Access(INQUIRY_EDITORS, "/board/{inquiry}/move", expect=400, data={"action": ""}),
    ("board.on_duty", "POST"): Access(staff(Role.ADMISSIONS), "/board/on-duty", expect=302, data={"on_duty": "on"}),
    ("admin.round_robin", "POST"): Access(ADMIN, "/admin/reminders/round-robin", expect=302, data={"enabled": "on"}),
    ("inquiries.new", "GET"): Access(INQUIRY_EDITORS, "/inquiries/new", expect=200),
    ("inquiries.new", "POST"): Access(INQUIRY_EDITORS, "/inquiries/new", expect=400, data={"patient_name": ""}),
    ("inquiries.detail", "GET"): Access(INQUIRY_READERS, "/inquiries/{inquiry}", expect=200),
    ("inquiries.edit", "GET"): Access(INQUIRY_EDITORS, "/inquiries/{inquiry}/edit", expect=200),
    ("inquiries.edit", "POST"): Access(
        INQUIRY_EDITORS, "/inquiries/{inquiry}/edit", expect=400, data={"patient_name": ""}
    ),
    ("inquiries.break_glass", "POST"): Access(
        INQUIRY_READERS, "/inquiries/{inquiry}/break-glass", expect=400, data={"reason": ""}
    ),
    ("inquiries.change_status", "POST"): Access(
        INQUIRY_EDITORS, "/inquiries/{inquiry}/status", expect=302, data={"action": "record_contact"}
    ),
    ("inquiries.log_call", "POST"): Access(
        INQUIRY_EDITORS,
        "/inquiries/{inquiry}/calls",
        expect=302,
        data={"direction": "outbound", "outcome": "no_answer"},
    ),
    ("inquiries.log_email", "POST"): Access(
        INQUIRY_EDITORS,
        "/inquiries/{inquiry}/emails",
        expect=302,
        data={"direction": "outbound", "note": "Sent directions"},
    ),
    ("inquiries.add_note", "POST"): Access(
        INQUIRY_EDITORS, "/inquiries/{inquiry}/notes", expect=302, data={"note": "A note"}
    ),
    ("inquiries.add_task", "POST"): Access(
        INQUIRY_EDITORS, "/inquiries/{inquiry}/tasks", expect=400, data={"title": ""}
    ),
    # Any staff member may hold a task; someone who neither holds it nor works inquiries (billing,
    # clinicians) is answered 404, as for a task that does not exist (tests/intake/test_task_holders.py).
    ("inquiries.complete_task", "POST"): Access(ALL_STAFF, "/inquiries/tasks/{task}/done"),
    ("inquiries.reschedule_task", "POST"): Access(
        ALL_STAFF, "/inquiries/tasks/{task}/reschedule", data={"due_at": "not a time"}
    ),
    ("inquiries.dismiss_duplicate", "POST"): Access(
        INQUIRY_EDITORS, "/inquiries/{duplicate}/duplicates/{flag}/dismiss", expect=302
    ),
    ("inquiries.merge", "GET"): Access(
        INQUIRY_EDITORS, "/inquiries/{duplicate}/merge?survivor_id={inquiry}", expect=200
    ),
    ("inquiries.merge", "POST"): Access(
        INQUIRY_EDITORS, "/inquiries/{duplicate}/merge", expect=400, data={"survivor_id": "0"}
    ),
    ("admin.payers_list", "GET"): Access(ADMIN, "/admin/payers", expect=200),
    ("admin.new_payer", "GET"): Access(ADMIN, "/admin/payers/new", expect=200),
    ("admin.new_payer", "POST"): Access(ADMIN, "/admin/payers/new", expect=400, data={"name": ""}),
    ("admin.edit_payer", "GET"): Access(ADMIN, "/admin/payers/{payer}", expect=200),
    ("admin.edit_payer", "POST"): Access(ADMIN, "/admin/payers/{payer}", expect=400, data={"name": ""}),
    ("admin.programs_list", "GET"): Access(ADMIN, "/admin/programs", expect=200),
    ("admin.new_program", "GET"): Access(ADMIN, "/admin/programs/new", expect=200),
    ("admin.new_program", "POST"): Access(ADMIN, "/admin/programs/new", expect=400, data={"name": ""}),
    ("admin.edit_program", "GET"): Access(ADMIN, "/admin/programs/{program}", expect=200),
    ("admin.edit_program", "POST"): Access(ADMIN, "/admin/programs/{program}", expect=400, data={"name": ""}),
    ("admin.break_glass_log", "GET"): Access(ADMIN, "/admin/break-glass", expect=200),
    ("admin.review_break_glass", "POST"): Access(ADMIN, "/admin/break-glass/{grant}/reviewed", expect=302),
    # Screening: instruments, the opioid regimen, and the live preview (COWS's clinician-only
    # recording is checked per kind in tests/intake/test_screening_http.py)
    ("screening.overview", "GET"): Access(INQUIRY_READERS, "/screening/inquiry/{inquiry}", expect=200),
    ("screening.record", "GET"): Access(INQUIRY_READERS, "/screening/inquiry/{inquiry}/record/phq9", expect=200),
    ("screening.record", "POST"): Access(
        INQUIRY_READERS, "/screening/inquiry/{inquiry}/record/phq9", expect=200, data={"interest": "4"}
    ),
    ("screening.history", "GET"): Access(INQUIRY_READERS, "/screening/inquiry/{inquiry}/history/phq9", expect=200),
    ("screening.view", "GET"): Access(INQUIRY_READERS, "/screening/inquiry/{inquiry}/{screening}", expect=200),
    ("screening.regimen", "GET"): Access(INQUIRY_EDITORS, "/screening/inquiry/{inquiry}/regimen", expect=200),
    ("screening.regimen", "POST"): Access(
        INQUIRY_EDITORS, "/screening/inquiry/{inquiry}/regimen", expect=200, data={"regimen-0-drug": "not-a-drug"}
    ),
    ("screening.preview", "POST"): Access(
        INQUIRY_READERS,
        "/screening/preview/mme",
        expect=200,
        data={
            "regimen-0-drug": "oxycodone",
            "regimen-0-dose": "20",
            "regimen-0-unit": "mg",
            "regimen-0-doses_per_day": "3",
        },
    ),
    # API, public web form, API clients
    ("public.inquire", "GET"): Access(PUBLIC, "/inquire", expect=200),
    ("public.inquire", "POST"): Access(PUBLIC, "/inquire", expect=400, data={"patient_name": ""}),
    ("public.thanks", "GET"): Access(PUBLIC, "/inquire/thanks", expect=200),
    ("api.openapi_document", "GET"): Access(PUBLIC, "/api/v1/openapi.json", expect=200),
    ("api.create_inquiry", "POST"): Access(
        API_KEY,
        "/api/v1/inquiries",
        expect=201,
        data={"patient_name": "Matrix Patient", "referral_source": "web", "caller_phone": "555 010 4242"},
    ),
    ("api.inquiry_status", "GET"): Access(API_KEY, "/api/v1/inquiries/{api_inquiry}", expect=200),
    ("api.patient_episode", "GET"): Access(API_KEY, "/api/v1/patients/{mrn}/episode", expect=200),
    ("admin.api_clients_list", "GET"): Access(ADMIN, "/admin/api-clients", expect=200),
    ("admin.new_api_client", "GET"): Access(ADMIN, "/admin/api-clients/new", expect=200),
    ("admin.new_api_client", "POST"): Access(ADMIN, "/admin/api-clients/new", expect=400, data={"name": ""}),
    ("admin.revoke_api_client", "POST"): Access(ADMIN, "/admin/api-clients/{api_client}/revoke", expect=302),
    # Reminders and notifications: one's own notifications (another user's id is a 404, never
    # theirs to read or mark), and the admins' reminders page, its actions and the clinical lead
    ("notifications.index", "GET"): Access(ALL_STAFF, "/notifications/", expect=200),
    ("notifications.mark_read", "POST"): Access(ALL_STAFF, "/notifications/{notification}/read", expect=404),
    ("notifications.mark_all_read", "POST"): Access(ALL_STAFF, "/notifications/read-all", expect=302),
    ("admin.reminders_list", "GET"): Access(ADMIN, "/admin/reminders", expect=200),
    ("admin.retry_reminder", "POST"): Access(ADMIN, "/admin/reminders/{reminder}/retry", expect=302),
    ("admin.cancel_reminder", "POST"): Access(
        ADMIN, "/admin/reminders/{reminder}/cancel", expect=302, data={"reason": "Matrix check"}
    ),
    ("admin.reminder_settings", "GET"): Access(ADMIN, "/admin/reminders/settings", expect=200),
    ("admin.reminder_settings", "POST"): Access(
        ADMIN, "/admin/reminders/settings", expect=400, data={"choice": "role", "role": "wizard"}
    ),
    ("admin.clinic_settings", "POST"): Access(ADMIN, "/admin/settings/clinic", expect=400, data={"email": "nope"}),
    ("admin.care_settings_save", "POST"): Access(
        ADMIN, "/admin/settings/care", expect=400, data={"very_high_mme": "0"}
    ),
}


def _merge(*tables: dict) -> None:
    for table in tables:
        overlap = set(MATRIX) & set(table)
        assert not overlap, f"listed twice in the matrix: {sorted(overlap)}"
        MATRIX.update(table)


# Areas with many endpoints keep their rows in their own module.
from tests.access_matrix_billing import BILLING_MATRIX  # noqa: E402
from tests.access_matrix_care import CARE_MATRIX  # noqa: E402
from tests.access_matrix_census import CENSUS_MATRIX  # noqa: E402
from tests.access_matrix_finance import FINANCE_MATRIX  # noqa: E402
from tests.access_matrix_insurance import INSURANCE_MATRIX  # noqa: E402

_merge(FINANCE_MATRIX, INSURANCE_MATRIX, BILLING_MATRIX, CARE_MATRIX, CENSUS_MATRIX)
