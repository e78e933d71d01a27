"""What the audit log records: one member per kind of event, so the audit page filters by a list.

Reads are recorded as well as changes (`inquiry_viewed`, `finances_statement_viewed`, ...); refusals
too (`restricted_inquiry_refused`, `access_denied`). The column is not CHECK-constrained (the log is
append-only and large): `services/audit.record` refuses anything that is not a member.
"""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class AuditAction(LabelledStrEnum):
    # Sign-in, sessions and accounts
    LOGIN = "login", "Signed in"
    LOGIN_FAILED = "login_failed", "Sign-in failed"
    LOGOUT = "logout", "Signed out"
    SESSION_ENDED = "session_ended", "Session ended"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    PASSWORD_RESET = "password_reset", "Password reset"
    USER_CREATED = "user_created", "User created"
    USER_UPDATED = "user_updated", "User updated"
    USER_DEACTIVATED = "user_deactivated", "User deactivated"
    USER_REACTIVATED = "user_reactivated", "User reactivated"
    USER_VIEWED = "user_viewed", "User viewed"
    SIGN_IN_UNLOCKED = "sign_in_unlocked", "Sign-in unlocked"
    MFA_ENABLED = "mfa_enabled", "Multi-factor sign-in enrolled"
    MFA_DISABLED = "mfa_disabled", "Multi-factor sign-in switched off"
    MFA_RESET = "mfa_reset", "Multi-factor sign-in reset by an administrator"
    MFA_CODE_FAILED = "mfa_code_failed", "Sign-in code refused"
    MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", "Recovery code used"
    MFA_RECOVERY_CODES_RENEWED = "mfa_recovery_codes_renewed", "Recovery codes renewed"
    USERS_LISTED = "users_listed", "Users listed"
    ACCESS_DENIED = "access_denied", "Page refused for the role"
    # Administration
    AUDIT_LOG_VIEWED = "audit_log_viewed", "Audit log viewed"
    SETTING_CHANGED = "setting_changed", "Setting changed"
    PROGRAM_CREATED = "program_created", "Program created"
    PROGRAM_UPDATED = "program_updated", "Program updated"
    PAYER_CREATED = "payer_created", "Payer created"
    PAYER_UPDATED = "payer_updated", "Payer updated"
    FEE_SCHEDULE_CREATED = "fee_schedule_created", "Fee schedule created"
    FEE_SCHEDULE_UPDATED = "fee_schedule_updated", "Fee schedule updated"
    API_CLIENT_CREATED = "api_client_created", "API client created"
    API_CLIENT_REVOKED = "api_client_revoked", "API client revoked"
    API_CLIENTS_LISTED = "api_clients_listed", "API clients listed"
    REMINDERS_LISTED = "reminders_listed", "Reminders listed"
    REMINDER_RETRIED = "reminder_retried", "Reminder retried"
    REMINDER_CANCELLED = "reminder_cancelled", "Reminder cancelled"
    # Inquiries, screening and tasks
    ADMISSION_CREATED = "admission_created", "Admission created"
    BREAK_GLASS = "break_glass", "Broke the glass"
    BREAK_GLASS_REFUSED = "break_glass_refused", "Break the glass refused"
    BREAK_GLASS_LOG_VIEWED = "break_glass_log_viewed", "Break glass log viewed"
    BREAK_GLASS_REVIEWED = "break_glass_reviewed", "Break glass reviewed"
    DUPLICATE_DISMISSED = "duplicate_dismissed", "Duplicate dismissed"
    POSSIBLE_DUPLICATE_FLAGGED = "possible_duplicate_flagged", "Possible duplicate flagged on arrival"
    POSSIBLE_DUPLICATE_SHOWN = "possible_duplicate_shown", "Possible duplicate shown"
    POSSIBLE_DUPLICATE_WITHHELD = (
        "possible_duplicate_withheld",
        "Possible duplicate shown as a record the reader cannot see",
    )
    INQUIRIES_LISTED = "inquiries_listed", "Inquiries listed"
    INQUIRY_CALL_LOGGED = "inquiry_call_logged", "Inquiry call logged"
    INQUIRY_CREATED = "inquiry_created", "Inquiry created"
    INQUIRY_ASSIGNED_ROUND_ROBIN = "inquiry_assigned_round_robin", "Inquiry assigned by the round-robin"
    PIPELINE_BOARD_VIEWED = "pipeline_board_viewed", "Pipeline board viewed"
    ON_DUTY_CHANGED = "on_duty_changed", "On duty for new inquiries switched on or off"
    INQUIRY_EMAIL_LOGGED = "inquiry_email_logged", "Inquiry email logged"
    INQUIRY_MERGED = "inquiry_merged", "Inquiry merged"
    INQUIRY_MERGE_RECEIVED = "inquiry_merge_received", "Inquiry received a merged inquiry"
    INQUIRY_PROTECTION_RAISED_BY_MERGE = "inquiry_protection_raised_by_merge", "Inquiry restricted by a merge"
    INQUIRY_NOTE_ADDED = "inquiry_note_added", "Inquiry note added"
    INQUIRY_OPENED_FOR_CHANGE = "inquiry_opened_for_change", "Inquiry opened for change"
    INQUIRY_OPENED_FOR_EDIT = "inquiry_opened_for_edit", "Inquiry opened for edit"
    INQUIRY_STATUS_CHANGED = "inquiry_status_changed", "Inquiry status changed"
    INQUIRY_STATUS_READ = "inquiry_status_read", "Inquiry status read (API)"
    INQUIRY_TASK_VIEWED = "inquiry_task_viewed", "Inquiry task viewed"
    INQUIRY_UPDATED = "inquiry_updated", "Inquiry updated"
    INQUIRY_VIEWED = "inquiry_viewed", "Inquiry viewed"
    INQUIRY_VIEWED_FOR_MERGE = "inquiry_viewed_for_merge", "Inquiry viewed for merge"
    INQUIRY_VIEWED_FOR_REGIMEN = "inquiry_viewed_for_regimen", "Inquiry viewed for its regimen"
    INQUIRY_VIEWED_FOR_SCREENING = "inquiry_viewed_for_screening", "Inquiry viewed for a screening"
    INQUIRY_SCREENINGS_VIEWED = "inquiry_screenings_viewed", "Inquiry screenings viewed"
    INQUIRY_SCREENING_VIEWED = "inquiry_screening_viewed", "Inquiry screening viewed"
    INQUIRY_SCREENING_HISTORY_VIEWED = "inquiry_screening_history_viewed", "Inquiry screening history viewed"
    REGIMEN_UPDATED = "regimen_updated", "Regimen updated"
    RESTRICTED_INQUIRY_REFUSED = "restricted_inquiry_refused", "Restricted inquiry refused"
    SCREENING_RECORDED = "screening_recorded", "Screening recorded"
    TASK_COMPLETED = "task_completed", "Task completed"
    TASK_CREATED = "task_created", "Task created"
    TASK_HANDED_OVER = "task_handed_over", "Task handed to the assignee of a restricted record"
    TASK_RESCHEDULED = "task_rescheduled", "Task rescheduled"
    TASK_REFUSED = "task_refused", "Task refused (not its holder)"
    TASKS_LISTED = "tasks_listed", "Tasks listed (home page)"
    WEB_INQUIRY_DISCARDED = "web_inquiry_discarded", "Web inquiry discarded (honeypot)"
    # Insurance and clearance
    AUTHORIZATION_RECORDED = "authorization_recorded", "Authorization recorded"
    AUTHORIZATION_UPDATED = "authorization_updated", "Authorization updated"
    BENEFIT_VERIFICATION_REQUESTED = "benefit_verification_requested", "Benefit verification requested"
    CLEARANCE_OVERRIDDEN = "clearance_overridden", "Clearance overridden"
    COVERAGE_ADDED = "coverage_added", "Coverage added"
    COVERAGE_CREATED = "coverage_created", "Coverage created"
    COVERAGE_UPDATED = "coverage_updated", "Coverage updated"
    COVERAGE_MOVED_BY_MERGE = "coverage_moved_by_merge", "Coverage moved by a merge"
    ELIGIBILITY_REQUEST_BUILT = "eligibility_request_built", "270 eligibility request built"
    FINANCES_ACCOUNT_VIEWED = "finances_account_viewed", "Finances account viewed"
    FINANCES_ESTIMATE_VIEWED = "finances_estimate_viewed", "Finances estimate viewed"
    FINANCES_OPENED_FOR_270 = "finances_opened_for_270", "Finances opened for a 270"
    FINANCES_OPENED_FOR_CHANGE = "finances_opened_for_change", "Finances opened for change"
    FINANCES_OPENED_FOR_OVERRIDE = "finances_opened_for_override", "Finances opened for override"
    FINANCES_QUOTE_PRINTED = "finances_quote_printed", "Finances: quote printed"
    FINANCES_ESTIMATE_PRINTED = "finances_estimate_printed", "Finances: estimate printed"
    FINANCES_REFUSED = "finances_refused", "Finances refused"
    FINANCES_STATEMENT_VIEWED = "finances_statement_viewed", "Finances statement viewed"
    FINANCES_TASK_VIEWED = "finances_task_viewed", "Finances opened for a task"
    FINANCES_VIEWED = "finances_viewed", "Finances viewed"
    FINANCE_WORKLIST_LISTED = "finance_worklist_listed", "Finance worklist listed"
    FINANCE_SEARCHED = "finance_searched", "Billing search results listed"
    WORK_QUEUE_LISTED = "work_queue_listed", "Home page work queue listed"
    RESTRICTED_FINANCES_REFUSED = "restricted_finances_refused", "Restricted finances refused"
    VERIFICATION_CONFIRMED = "verification_confirmed", "Verification confirmed"
    VERIFICATION_IMPORTED = "verification_imported", "Verification imported"
    VERIFICATION_RECORDED = "verification_recorded", "Verification recorded"
    VERIFICATION_UPDATED = "verification_updated", "Verification updated"
    VERIFICATION_DISCARDED = "verification_discarded", "Verification request or draft discarded"
    # Private pay
    BILLING_ACCOUNT_OPENED = "billing_account_opened", "Billing account opened"
    BILLING_ACCOUNT_MOVED_BY_MERGE = "billing_account_moved_by_merge", "Billing account moved by a merge"
    LEDGER_CHARGE_ADDED = "ledger_charge_added", "Ledger charge added"
    LEDGER_ENTRY_VOIDED = "ledger_entry_voided", "Ledger entry voided"
    LEDGER_PAYMENT_RECORDED = "ledger_payment_recorded", "Ledger payment recorded"
    LEDGER_REFUND_RECORDED = "ledger_refund_recorded", "Ledger refund recorded"
    PAYMENT_PLAN_CANCELLED = "payment_plan_cancelled", "Payment plan cancelled"
    PAYMENT_PLAN_CREATED = "payment_plan_created", "Payment plan created"
    QUOTE_ACCEPTED = "quote_accepted", "Quote accepted"
    QUOTE_ISSUED = "quote_issued", "Quote issued"
    QUOTE_WITHDRAWN = "quote_withdrawn", "Quote withdrawn"
    # Patients, episodes and placement
    PATIENT_CREATED = "patient_created", "Patient created at admission"
    PATIENT_REUSED = "patient_reused", "Returning patient confirmed at admission"
    PATIENT_CANDIDATES_SHOWN = "patient_candidates_shown", "Returning-patient matches shown"
    PATIENT_VIEWED = "patient_viewed", "Patient viewed"
    PATIENTS_LISTED = "patients_listed", "Patients listed"
    PATIENT_RESTRICTION_CHANGED = "patient_restriction_changed", "Patient's restriction changed"
    PATIENT_OPENED_FOR_RESTRICTION = "patient_opened_for_restriction", "Patient opened to change the restriction"
    PATIENT_OPENED_FOR_HOSPITAL_DETAILS = (
        "patient_opened_for_hospital_details",
        "Patient opened to record the partner hospital's details",
    )
    CARE_SEGMENT_HOSPITAL_DETAILS_CHANGED = (
        "care_segment_hospital_details_changed",
        "Partner hospital's details recorded on a detox segment",
    )
    RESTRICTED_PATIENT_REFUSED = "restricted_patient_refused", "Restricted patient refused"
    PATIENT_PLACEMENT_VIEWED = "patient_placement_viewed", "Patient's placement viewed"
    PATIENT_OPENED_FOR_ASSESSMENT = "patient_opened_for_assessment", "Patient opened for an ASAM assessment"
    PATIENT_OPENED_FOR_DECISION = "patient_opened_for_decision", "Patient opened for a placement decision"
    ASAM_ASSESSMENT_RECORDED = "asam_assessment_recorded", "ASAM assessment recorded"
    PLACEMENT_DECIDED = "placement_decided", "Placement decided"
    PATIENT_OPENED_FOR_MOVE = "patient_opened_for_move", "Patient opened for a level-of-care move"
    LEVEL_OF_CARE_MOVED = "level_of_care_moved", "Level of care changed"
    EPISODE_DISCHARGED = "episode_discharged", "Episode discharged"
    OVER_CAPACITY_ALLOWED = "over_capacity_allowed", "Program over capacity allowed by the clinical lead"
    CENSUS_BOARD_VIEWED = "census_board_viewed", "Census board viewed"
    PATIENT_OPENED_FOR_BED = "patient_opened_for_bed", "Patient opened to assign a bed"
    PATIENT_OPENED_FOR_WAITLIST = "patient_opened_for_waitlist", "Patient opened to add to a waitlist"
    BED_ADDED = "bed_added", "Bed added"
    BED_UPDATED = "bed_updated", "Bed updated"
    BED_ASSIGNED = "bed_assigned", "Bed assigned"
    BED_FREED = "bed_freed", "Bed freed"
    WAITLIST_ADDED = "waitlist_added", "Added to a waitlist"
    WAITLIST_OFFERED = "waitlist_offered", "Place offered from the waitlist"
    WAITLIST_CLOSED = "waitlist_closed", "Waitlist entry closed"
    PATIENT_OPENED_FOR_PLANNED_DISCHARGE = (
        "patient_opened_for_planned_discharge",
        "Patient opened to set the planned discharge date",
    )
    PLANNED_DISCHARGE_SET = "planned_discharge_set", "Planned discharge date set"
    EPISODE_READ_BY_API = "episode_read_by_api", "Episode's current level read through the API"
    EPISODE_REFUSED_TO_API = (
        "episode_refused_to_api",
        "Episode refused to an API client (restricted, or a key without episode access)",
    )
