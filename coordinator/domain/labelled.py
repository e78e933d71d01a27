"""`LabelledStrEnum`: a string enum whose members carry the words people read.

    class Urgency(LabelledStrEnum):
        ROUTINE = "routine", "Routine"
        URGENT = "urgent", "Urgent (today)"

The value ("routine") is what is stored and sent; the label is what is shown. Keeping the two
on one line means a new member cannot be added without its label.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledStrEnum(StrEnum):
    """A StrEnum whose members are declared as `NAME = "value", "Label"`."""

    _label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        """The member in plain words, for lists, badges and choices."""
        return self._label

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs in declaration order, for select fields."""
        return [(member.value, member.label) for member in cls]

    @classmethod
    def parse(cls, value: object):
        """The member whose value is `value`, or None (never raises)."""
        return cls._value2member_map_.get(value) if isinstance(value, str) else None
