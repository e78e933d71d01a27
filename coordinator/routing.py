"""URL converters."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from coordinator.contracts.values import MAX_RECORD_ID


class RecordIdConverter(IntegerConverter):
    """`<int:...>` limited to 0..2**31-1 (PostgreSQL's integer): larger ids match no route."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_RECORD_ID)
        super().__init__(url_map, *args, **kwargs)
