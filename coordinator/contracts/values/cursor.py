"""A list's position for keyset ("seek") pagination, carried in the URL as an opaque cursor.

The cursor names the part of the list it is in (`part`, a short word: e.g. the rows the reader
may see, then the block they may not; the list service ignores a part it does not have), the direction (`after` the row it names, or `before` it), the sort it
was made for, and that row's sort keys. It is base64url of a small JSON object; nothing in it is
trusted: every key is re-typed here (an aware datetime, a record id, or short text), and the
list service uses a cursor only when its sort and key kinds are the ones the page expects.
A cursor that does not decode is a field problem (the list page ignores it and starts over).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationInfo

from coordinator.contracts.messages import define
from coordinator.contracts.values.core import MAX_RECORD_ID, blank, normaliser, problem

MAX_CURSOR = 600
MAX_KEY_TEXT = 200

define({"cursor_invalid": "The page link is damaged or out of date; showing the first page."})


@dataclass(frozen=True)
class ListCursor:
    part: str
    backwards: bool  # the page before `keys` (else the page after it)
    sort: str
    keys: tuple | None  # None: the first page of the part (forwards) or its last page (backwards)

    def kinds(self) -> tuple[str, ...] | None:
        return None if self.keys is None else tuple(_kind(k) for k in self.keys)

    def encode(self) -> str:
        body = {"p": self.part, "b": self.backwards, "s": self.sort, "k": _tag_all(self.keys)}
        raw = json.dumps(body, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _kind(value) -> str:
    return "time" if isinstance(value, datetime) else "id" if isinstance(value, int) else "text"


def _tag_all(keys):
    if keys is None:
        return None
    return [
        ["t", k.astimezone(UTC).isoformat()] if isinstance(k, datetime) else ["i" if isinstance(k, int) else "s", k]
        for k in keys
    ]


def _untag(item) -> Any:
    if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)):
        raise ValueError
    tag, value = item
    if tag == "i" and type(value) is int and -1 <= value <= MAX_RECORD_ID:
        return value
    if tag == "s" and isinstance(value, str) and len(value) <= MAX_KEY_TEXT and value.isprintable():
        return value
    if tag == "t" and isinstance(value, str) and len(value) <= 40:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None or not 1900 <= moment.year <= 2100:
            raise ValueError
        return moment.astimezone(UTC)
    raise ValueError


def decode(text: str) -> ListCursor:
    """The cursor in `text`, or ValueError."""
    if len(text) > MAX_CURSOR or not text.isascii():
        raise ValueError
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        body = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError from error
    if not isinstance(body, dict) or set(body) != {"p", "b", "s", "k"}:
        raise ValueError
    part, backwards, sort, keys = body["p"], body["b"], body["s"], body["k"]
    if not (isinstance(part, str) and 0 < len(part) <= 20 and part.isascii() and part.isalpha()):
        raise ValueError
    if not isinstance(backwards, bool) or not isinstance(sort, str) or len(sort) > 20:
        raise ValueError
    if keys is not None and not (isinstance(keys, list) and 1 <= len(keys) <= 4):
        raise ValueError
    return ListCursor(part, backwards, sort, None if keys is None else tuple(_untag(k) for k in keys))


def read(text: object) -> ListCursor | None:
    """The cursor in a query-string value, or None when it is absent or does not decode (for a
    page whose only other input is a fixed choice: a bad link shows the first page)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return decode(text.strip())
    except (ValueError, TypeError, OverflowError):
        return None


def list_cursor() -> Any:
    """An optional list cursor (see the module's docstring)."""

    def check(value: object, info: ValidationInfo) -> ListCursor | None:
        if blank(value):
            return None
        if isinstance(value, ListCursor):
            return value
        if not isinstance(value, str):
            raise problem("cursor_invalid")
        try:
            return decode(value.strip())
        except (ValueError, TypeError, OverflowError) as error:
            raise problem("cursor_invalid") from error

    return normaliser(check, Any, {"type": ["string", "null"], "maxLength": MAX_CURSOR})
