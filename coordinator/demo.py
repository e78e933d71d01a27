"""Demo data for laptops: programs and a realistic admissions pipeline (never run in production).

Everything goes through the real services (validation, timeline, audit), then arrival times are
moved back so the pipeline looks like the last month of a real admissions desk. A fixed random
seed makes every laptop show the same data.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from coordinator import demo_finance
from coordinator.clock import clinic_today
from coordinator.contracts.intake import REFERRER_KINDS, NewInquiry, StaffInquiry
from coordinator.contracts.pipeline import CallInput, TransitionInput
from coordinator.contracts.screening import RECORDED
from coordinator.domain.care import AsamEdition, LevelOfCare
from coordinator.domain.intake import Channel, ReferralSource
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import FollowUpTask, Inquiry, InquiryActivity, Program, Reminder, Screening, User, utcnow
from coordinator.rules import cows, dsm5_oud, gad7, phq9
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.services import audit, intake, pipeline, reminders, screenings

PROGRAMS = [
    ("Residential — Riverside House", LevelOfCare.RESIDENTIAL, AsamEdition.FOURTH, "3.7", 24),
    ("Partial hospitalization (PHP)", LevelOfCare.PHP, AsamEdition.FOURTH, "2.5", 16),
    ("Intensive outpatient (IOP)", LevelOfCare.IOP, AsamEdition.FOURTH, "2.1", 20),
    ("Virtual IOP", LevelOfCare.VIRTUAL_IOP, AsamEdition.FOURTH, "2.1", 30),
    ("Medically managed detox — St. Mary's (partner)", LevelOfCare.PARTNER_HOSPITAL_DETOX, AsamEdition.FOURTH, "4", 4),
]

FIRST = [
    "Daniel",
    "Sarah",
    "Michael",
    "Priya",
    "James",
    "Elena",
    "Robert",
    "Aisha",
    "Thomas",
    "Mei",
    "David",
    "Laura",
    "Kenji",
    "Grace",
    "Samuel",
    "Nadia",
    "Peter",
    "Olivia",
    "Marcus",
    "Hannah",
    "Victor",
    "Chloe",
    "Arjun",
    "Fatima",
    "Lucas",
    "Ingrid",
    "Omar",
    "Rachel",
    "Hugo",
    "Sofia",
]
LAST = [
    "Whitfield",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Castillo",
    "Nakamura",
    "Brennan",
    "Haddad",
    "Kowalski",
    "Adeyemi",
    "Sørensen",
    "Fitzgerald",
    "Ramírez",
    "Chen",
    "Novak",
    "Delacroix",
    "Mensah",
    "Ivanova",
]
CALLER_FIRST = ["Maria", "John", "Anna", "Carlos", "Linda", "Yusuf", "Beth", "Ravi", "Claire", "Tom"]
RELATIONS = ["spouse_partner", "spouse_partner", "parent", "child", "sibling", "self", "self", "friend"]
CONCERNS = [
    "On oxycodone since spinal fusion two years ago; running out early and asking for early refills.",
    "Fentanyl patch for neuropathic pain after chemotherapy; wants to come off but withdrawal scared them.",
    "Hydrocodone after a knee replacement; now takes it for sleep and stress. Family worried.",
    "Tramadol for fibromyalgia, dose has crept up; several prescribers. Wants discretion — senior executive.",
    "Methadone for chronic back pain from a pain clinic; failed two home tapers.",
    "Morphine ER after a car accident; hides use from spouse, craving between doses.",
    "Buprenorphine for OUD for a year, still in severe pain; wants an integrated pain plan.",
    "Surgeon on oxycodone after a shoulder injury; needs absolute confidentiality.",
]
PAIN = [
    "Chronic low back pain after fusion",
    "Fibromyalgia",
    "Neuropathic pain after chemotherapy",
    "Post-traumatic knee pain",
    "Migraine and neck pain",
    "Complex regional pain syndrome",
]
REGIMENS = [
    [{"drug": "oxycodone", "dose": "20", "unit": "mg", "doses_per_day": 3}],
    [{"drug": "fentanyl_transdermal", "dose": "50", "unit": "mcg/hr"}],
    [{"drug": "hydrocodone", "dose": "10", "unit": "mg", "doses_per_day": 4}],
    [{"drug": "tramadol", "dose": "100", "unit": "mg", "doses_per_day": 4}],
    [{"drug": "methadone", "dose": "20", "unit": "mg", "doses_per_day": 2}],
    [
        {"drug": "morphine", "dose": "60", "unit": "mg", "doses_per_day": 2},
        {"drug": "oxycodone", "dose": "10", "unit": "mg", "doses_per_day": 2},
    ],
    [
        {"drug": "buprenorphine_naloxone", "dose": "8", "unit": "mg", "doses_per_day": 2, "purpose": "oud"},
        {"drug": "tapentadol", "dose": "50", "unit": "mg", "doses_per_day": 2},
    ],
    [{"drug": "hydromorphone", "dose": "8", "unit": "mg", "doses_per_day": 4}],
]
# How far through the pipeline each demo inquiry goes (repeated to make dozens).
PATHS = {
    InquiryStatus.NEW: [],
    InquiryStatus.CONTACTED: ["record_contact"],
    InquiryStatus.SCREENING: ["record_contact", "start_screening"],
    InquiryStatus.VERIFYING: ["record_contact", "start_screening", "start_verification"],
    InquiryStatus.PLACEMENT_OFFERED: ["record_contact", "start_screening", "start_verification", "offer_placement"],
    InquiryStatus.ADMITTED: ["record_contact", "start_screening", "start_verification", "offer_placement", "admit"],
    InquiryStatus.DECLINED: ["record_contact", "start_screening", "decline"],
    InquiryStatus.REFERRED_OUT: ["record_contact", "refer_out"],
    InquiryStatus.LOST: ["mark_lost"],
}
SHARES = [
    (InquiryStatus.NEW, 7),
    (InquiryStatus.CONTACTED, 6),
    (InquiryStatus.SCREENING, 7),
    (InquiryStatus.VERIFYING, 6),
    (InquiryStatus.PLACEMENT_OFFERED, 4),
    (InquiryStatus.ADMITTED, 7),
    (InquiryStatus.DECLINED, 3),
    (InquiryStatus.REFERRED_OUT, 3),
    (InquiryStatus.LOST, 3),
]
# How many days ago an inquiry at each status arrived (earlier stages are more recent).
AGE_DAYS = {
    InquiryStatus.NEW: (0.02, 1.5),
    InquiryStatus.CONTACTED: (0.5, 4),
    InquiryStatus.SCREENING: (1, 7),
    InquiryStatus.VERIFYING: (3, 10),
    InquiryStatus.PLACEMENT_OFFERED: (5, 14),
    InquiryStatus.ADMITTED: (8, 28),
    InquiryStatus.DECLINED: (3, 25),
    InquiryStatus.REFERRED_OUT: (2, 20),
    InquiryStatus.LOST: (10, 28),
}
EXIT_REASONS = {
    "decline": "Chose a programme closer to home",
    "mark_lost": "No answer after five attempts over two weeks",
    "refer_out": "Dr. Osei, opioid treatment program downtown",
}


def seed_programs() -> list[Program]:
    existing = {p.name: p for p in db.session.scalars(sa.select(Program))}
    for name, care, edition, level, capacity in PROGRAMS:
        if name not in existing:
            program = Program(name=name, level_of_care=care, asam_edition=edition, asam_level=level, capacity=capacity)
            db.session.add(program)
            existing[name] = program
    db.session.flush()
    return [existing[name] for name, *_ in PROGRAMS]


def seed_pipeline(users_by_email: dict[str, User]) -> int:
    """Create the demo pipeline once; returns how many inquiries were created (0 if already there)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Inquiry)):
        return 0
    rng = random.Random(2026)
    programs = seed_programs()
    demo_finance.seed_reference_data(users_by_email["admin@demo.coordinator.test"], programs)
    desk = users_by_email["admissions@demo.coordinator.test"]
    manager = users_by_email["casemanager@demo.coordinator.test"]
    physician = users_by_email["physician@demo.coordinator.test"]
    finance = (users_by_email["billing@demo.coordinator.test"], users_by_email["admin@demo.coordinator.test"])
    sources = list(ReferralSource)
    today = clinic_today()
    statuses = [status for status, count in SHARES for _ in range(count)]
    created = []
    for n, target in enumerate(statuses):
        source = sources[n % len(sources)]
        relation = rng.choice(RELATIONS)
        patient = f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}"
        caller = patient if relation == "self" else f"{rng.choice(CALLER_FIRST)} {LAST[(n * 7) % len(LAST)]}"
        data = {
            "caller_name": caller,
            "caller_relationship": relation,
            "caller_phone": f"+1 503 555 {1000 + n:04d}",
            "caller_email": f"{caller.split()[0].lower()}.{n}@example.org",
            "preferred_contact": rng.choice(["phone", "phone", "email", "text"]),
            "may_leave_message": n % 3 == 0,
            "patient_name": patient,
            "patient_dob": date(1950 + (n * 3) % 45, 1 + n % 12, 1 + (n * 5) % 28).isoformat(),
            "patient_sex": rng.choice(["female", "male"]),
            "patient_location": rng.choice(
                ["Portland, OR", "Seattle, WA", "Bangkok", "Chiang Mai", "San Francisco, CA", "Vancouver, BC"]
            ),
            "referral_source": source.value,
            "presenting_concerns": CONCERNS[n % len(CONCERNS)],
            "substances": ["prescribed_opioids"]
            + (["benzodiazepines"] if n % 6 == 0 else [])
            + (["alcohol"] if n % 7 == 0 else []),
            "pain_conditions": PAIN[n % len(PAIN)],
            "urgency": ["routine", "soon", "urgent"][n % 3 if n % 5 else 0],
            "regimen": REGIMENS[n % len(REGIMENS)],
        }
        if source in REFERRER_KINDS and source not in (ReferralSource.FAMILY, ReferralSource.ALUMNI):
            data["referrer_name"] = ["Dr. Helen Park", "Dr. Ahmed Rahim", "Jordan Lee"][n % 3]
            data["referrer_organization"] = {
                "physician": "Eastside Spine Clinic",
                "hospital": "St. Mary's Hospital",
                "employer_assistance": "Acme EAP",
                "insurer": "Blue Harbor Health",
                "court": "County Drug Court",
            }.get(source.value, "Community partner")
        channel = Channel.WEB_FORM if source is ReferralSource.WEB else (Channel.API if n % 11 == 4 else Channel.PHONE)
        actor = desk if channel is Channel.PHONE else audit.SystemActor("demo-website")
        assignee = desk if n % 4 else manager
        if channel is Channel.PHONE:
            data["is_restricted"] = n in (9, 30)
            data["assigned_to_id"] = None if target is InquiryStatus.NEW and n % 2 else assignee.id
        contract = StaffInquiry if channel is Channel.PHONE else NewInquiry
        inquiry = intake.create_inquiry(actor, contract.parse(data), channel=channel)
        _walk(inquiry, target, desk, physician, programs, today, n, finance[0])
        _tasks(inquiry, target, desk, manager, n)
        created.append(inquiry)
        low, high = AGE_DAYS[target]
        _backdate(inquiry, days=rng.uniform(low, high), contact_minutes=rng.choice([4, 9, 14, 22, 45, 130]))
    # Two that look like the same person: a web form after a phone call.
    twin = created[3]
    twin_details = {
        "caller_name": twin.caller_name,
        "caller_phone": twin.caller_phone,
        "patient_name": twin.patient_name,
        "referral_source": "web",
        "presenting_concerns": "Filled in the website form after calling yesterday.",
    }
    intake.create_inquiry(audit.SystemActor("demo-website"), NewInquiry.parse(twin_details), channel=Channel.WEB_FORM)
    db.session.flush()
    from coordinator import demo_care

    return len(created) + 1 + demo_care.seed_care(users_by_email, programs, today)


def _walk(inquiry, target, desk, physician, programs, today, n, billing_user) -> None:
    program = programs[n % 4] if n % 5 else programs[4]
    for action in PATHS[target]:
        if action == "record_contact":
            call = {
                "direction": "outbound",
                "outcome": "reached",
                "duration_minutes": 15 + n % 30,
                "note": "Talked through the situation and what happens next.",
            }
            pipeline.log_call(desk, inquiry, CallInput.parse(call))
            continue
        if action == "start_screening":
            _move(desk, inquiry, action)
            _screen(inquiry, desk, physician, n)
            continue
        if action == "start_verification":
            _move(desk, inquiry, action)
            demo_finance.start_verification(inquiry, desk, billing_user, program, n, today)
            continue
        if action == "admit":
            admit_date = today - timedelta(days=n % 9)
            demo_finance.clear_for_admission(inquiry, desk, billing_user, program, admit_date, n, today)
            _move(desk, inquiry, action, program_id=program.id, admit_date=admit_date.isoformat(), patient_choice="new")
            continue
        reason = EXIT_REASONS.get(action)
        _move(desk, inquiry, action, reason=reason, referred_out_to=reason if action == "refer_out" else None)


def _move(desk, inquiry, action: str, **details) -> None:
    pipeline.transition(desk, inquiry, TransitionInput.parse({"action": action, **details}))


def _screen(inquiry, desk, physician, n) -> None:
    now = utcnow()
    phq = {key: str((n + i) % 3) for i, (key, _) in enumerate(phq9.ITEMS)}
    phq["self_harm"] = "1" if n % 9 == 2 else "0"
    gad = {key: str((n + 2 * i) % 4) for i, (key, _) in enumerate(gad7.ITEMS)}
    criteria = [c.value for c in dsm5_oud.OudCriterion][: 2 + n % 8]
    dsm = {
        "criteria": criteria,
        "taken_as_prescribed_under_supervision": "yes" if n % 2 else "no",
        "behaviours": [b.value for b in dsm5_oud.OudBehaviour][: n % 5],
    }
    flags = {
        "flags": [
            f
            for f, on in (
                ("benzodiazepine_use", n % 6 == 0),
                ("alcohol_use", n % 7 == 0),
                ("respiratory_disease", n % 8 == 3),
            )
            if on
        ]
    }
    _record(desk, inquiry, "phq9", phq, now)
    _record(desk, inquiry, "gad7", gad, now)
    _record(desk, inquiry, "dsm5_oud", dsm, now)
    _record(desk, inquiry, "medical_flags", flags, now)
    if n % 2 == 0:
        answers = {
            item.key: str(item.allowed_scores[min(len(item.allowed_scores) - 1, (n + i) % 3)])
            for i, item in enumerate(cows.ITEMS)
        }
        _record(physician, inquiry, "cows", answers, now)


def _record(actor, inquiry, kind: str, answers: dict, when) -> None:
    screenings.record(actor, inquiry, RECORDED[kind].parse(answers | {"administered_at": when}))


def _tasks(inquiry, target, desk, manager, n) -> None:
    if target not in (
        InquiryStatus.NEW,
        InquiryStatus.CONTACTED,
        InquiryStatus.SCREENING,
        InquiryStatus.VERIFYING,
        InquiryStatus.PLACEMENT_OFFERED,
    ):
        return
    title = {
        InquiryStatus.NEW: "First call back",
        InquiryStatus.CONTACTED: "Send intake paperwork",
        InquiryStatus.SCREENING: "Finish PHQ-9 and GAD-7 with the patient",
        InquiryStatus.VERIFYING: "Verify benefits with the payer",
        InquiryStatus.PLACEMENT_OFFERED: "Confirm admission date and travel",
    }[target]
    due = utcnow() + timedelta(hours=(n % 7) * 6 - 12)
    task = FollowUpTask(
        inquiry_id=inquiry.id,
        title=title,
        due_at=due,
        # A task on a restricted record goes only to someone who may open it (services/tasks.py).
        assigned_to_id=inquiry.assigned_to_id if inquiry.is_restricted else (desk if n % 3 else manager).id,
        created_by_id=desk.id,
    )
    db.session.add(task)
    db.session.flush()
    reminders.task_created(task)  # (the service refuses due times in the past; demo tasks may be overdue)


def _backdate(inquiry: Inquiry, *, days: float, contact_minutes: int) -> None:
    """Move the inquiry's history back so it arrived `days` ago (first contact after `contact_minutes`)."""
    db.session.flush()
    arrived = utcnow() - timedelta(days=days)
    shift = arrived - inquiry.arrived_at
    inquiry.arrived_at = arrived
    inquiry.status_changed_at = inquiry.status_changed_at + shift + timedelta(minutes=contact_minutes + 30)
    if inquiry.first_contact_at is not None:
        inquiry.first_contact_at = arrived + timedelta(minutes=contact_minutes)
    activities = db.session.scalars(
        sa.select(InquiryActivity).where(InquiryActivity.inquiry_id == inquiry.id).order_by(InquiryActivity.id)
    )
    for step, activity in enumerate(activities):
        activity.occurred_at = (
            arrived if activity.kind.value == "arrived" else arrived + timedelta(minutes=contact_minutes + step * 90)
        )
    for screening in db.session.scalars(sa.select(Screening).where(Screening.inquiry_id == inquiry.id)):
        screening.administered_at = arrived + timedelta(minutes=contact_minutes + 120)
    for reminder in db.session.scalars(
        sa.select(Reminder).where(Reminder.inquiry_id == inquiry.id, Reminder.kind == ReminderKind.FIRST_CONTACT_DUE)
    ):
        reminder.due_at = arrived + timedelta(minutes=current_app.config["FIRST_CONTACT_MINUTES"])
    for reminder in db.session.scalars(
        sa.select(Reminder).where(Reminder.inquiry_id == inquiry.id, Reminder.kind == ReminderKind.NEW_INQUIRY)
    ):
        reminder.due_at = arrived  # the desk was told when it arrived
