"""Whether a 271 describes the person and the plan on record: member id, name, date of birth
and payer. A mismatch blocks confirming the draft until staff explain it.

Names compare without case, accents, spaces or punctuation ("NGUYEN, ZOE" is "Zoë Nguyễn"); a
271 name matches when its last name and first name both sit in the name on record in either
order ("Mary Ann Smith", "Smith, Mary Ann" and "SMITH MARY" all match), so a middle name the
payer leaves out is no mismatch. Payers compare by their X12 id when both sides have one, else
by name, one containing the other ("Acme Health" and "ACME HEALTH PLAN"). What the 271 leaves
out is never a mismatch: only two different values are.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Person:
    """A person as named: full name for the record's side, last and first for the 271's."""

    last_name: str | None = None
    first_name: str | None = None
    full_name: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True)
class Identity:
    """Who and which plan: the subscriber (the insured), the patient when a dependent, the member
    id and the payer."""

    subscriber: Person | None
    dependent: Person | None
    member_id: str | None
    payer_name: str | None
    payer_id: str | None


def key(text: str | None) -> str:
    """Letters and digits only, without accents or case: the form names compare in."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch)).casefold()


def same_name(on_record: str | None, last: str | None, first: str | None) -> bool | None:
    """Whether the 271's name is the name on record; None when either side has no name."""
    ours, last_key, first_key = key(on_record), key(last), key(first)
    if not ours or not (last_key or first_key):
        return None
    if not last_key or not first_key:  # one part only: it must sit in the name
        return (last_key or first_key) in ours
    first_then_last = ours.startswith(first_key) and ours.endswith(last_key) and len(first_key + last_key) <= len(ours)
    return first_then_last or (ours.startswith(last_key) and first_key in ours[len(last_key) :])


def same_payer(
    ours_name: str | None, ours_id: str | None, theirs_name: str | None, theirs_id: str | None
) -> bool | None:
    """Whether the 271 comes from the payer on record; None when it cannot be told."""
    if key(ours_id) and key(theirs_id):
        return key(ours_id) == key(theirs_id)
    a, b = key(ours_name), key(theirs_name)
    if not a or not b:
        return None
    return a in b or b in a


def _person(role: str, theirs: Person | None, ours: Person) -> list[str]:
    problems = []
    if theirs is None:
        return problems
    if same_name(ours.full_name, theirs.last_name, theirs.first_name) is False:
        shown = ", ".join(part for part in (theirs.last_name, theirs.first_name) if part)
        problems.append(f"The 271's {role} is {shown}; the record has {ours.full_name}.")
    if theirs.birth_date and ours.birth_date and theirs.birth_date != ours.birth_date:
        problems.append(
            f"The 271 gives the {role}'s date of birth as {theirs.birth_date:%d %b %Y}; "
            f"the record has {ours.birth_date:%d %b %Y}."
        )
    return problems


def mismatches(on_271: Identity, subscriber: Person, patient: Person, member_id: str | None, payer: tuple) -> list[str]:
    """Every way the 271 differs from the record, one sentence each (empty when it matches).

    `subscriber` is the insured on record (the patient when self-insured), `patient` the
    patient, `payer` (name, X12 id) of the coverage's payer."""
    problems = []
    if on_271.member_id and member_id and key(on_271.member_id) != key(member_id):
        problems.append(f"The 271 is for member id {on_271.member_id}; this coverage has {member_id}.")
    problems += _person("subscriber", on_271.subscriber, subscriber)
    if on_271.dependent is not None:
        problems += _person("dependent (the patient)", on_271.dependent, patient)
    if same_payer(payer[0], payer[1], on_271.payer_name, on_271.payer_id) is False:
        theirs = on_271.payer_name or on_271.payer_id
        problems.append(f"The 271 comes from {theirs}; this coverage's payer is {payer[0] or payer[1]}.")
    return problems


def to_json(identity: Identity) -> dict:
    """The identity as stored with the draft (dates as ISO text)."""

    def person(p: Person | None):
        if p is None:
            return None
        return {
            "last_name": p.last_name,
            "first_name": p.first_name,
            "birth_date": p.birth_date and p.birth_date.isoformat(),
        }

    return {
        "subscriber": person(identity.subscriber),
        "dependent": person(identity.dependent),
        "member_id": identity.member_id,
        "payer_name": identity.payer_name,
        "payer_id": identity.payer_id,
    }


def from_json(stored: dict | None) -> Identity | None:
    """The stored identity back (None for a verification that did not come from a 271)."""
    if not stored:
        return None

    def person(p):
        if not p:
            return None
        born = p.get("birth_date")
        return Person(p.get("last_name"), p.get("first_name"), None, date.fromisoformat(born) if born else None)

    return Identity(
        person(stored.get("subscriber")),
        person(stored.get("dependent")),
        stored.get("member_id"),
        stored.get("payer_name"),
        stored.get("payer_id"),
    )
