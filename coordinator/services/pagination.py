"""Paging a query: one COUNT and one page of rows, whatever the table's size (`paginate`, by
page number), or keyset ("seek") pagination with a capped count (`seek`), for lists that grow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from coordinator.contracts.values.cursor import ListCursor
from coordinator.extensions import db


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def paginate(statement: sa.Select, page: int, per_page: int, scalars: bool = True) -> Page:
    """Run `statement` for one page; a page past the end shows the last page."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    result = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result)
    return Page(items=items, page=page, per_page=per_page, total=total)


# --- keyset ("seek") pagination -------------------------------------------------------------------

COUNT_CAP = 1000


@dataclass(frozen=True)
class Part:
    """One stretch of a list, in order: an unordered statement, its sort keys ((expression,
    descending) pairs, all one direction, the last unique) and how to read a row's keys."""

    name: str
    statement: sa.Select
    keys: tuple
    key_of: Callable[[Any], tuple]
    kinds: tuple[str, ...]
    scalars: bool = True  # rows are single entities (else result rows, e.g. (entity, name))


@dataclass(frozen=True)
class SeekPage:
    """One page of a keyset-paged list: its rows, the cursors of the pages around it (None where
    there is none) and how many rows match, exactly up to `COUNT_CAP`."""

    items: list[Any]
    per_page: int
    total: int
    more: bool  # more than `total` (the count stopped at the cap)
    first: str | None  # "" (the URL without a cursor) when not on the first page
    prev: str | None
    next: str | None
    last: str | None

    @property
    def pages(self) -> int:  # the old pager's question: is there more than one page?
        return 2 if (self.prev is not None or self.next is not None) else 1


def capped_count(statement: sa.Select, cap: int | None = None) -> tuple[int, bool]:
    """How many rows `statement` has, counting no further than `cap` (default `COUNT_CAP`;
    then the answer is "more than cap")."""
    cap = COUNT_CAP if cap is None else cap
    # maintain_column_froms: a statement whose only FROM is its columns' table (no WHERE) keeps it
    limited = (
        statement.order_by(None).with_only_columns(sa.literal(1), maintain_column_froms=True).limit(cap + 1).subquery()
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(limited))
    return min(total, cap), total > cap


def seek(
    parts: list[Part], cursor: ListCursor | None, per_page: int, *, sort: str, total: tuple[int, bool]
) -> SeekPage:
    """One page from `parts` (read one after another) at `cursor`. A cursor made for another sort,
    part or kind of key is ignored (the first page is shown). Runs one statement per part it reads
    from; a page reads its own part and every part after it in its direction, so the number of
    statements for a given position never depends on how many rows there are."""
    names = [p.name for p in parts]
    if cursor is not None and (
        cursor.sort != sort
        or cursor.part not in names
        or (cursor.keys is not None and cursor.kinds() != parts[names.index(cursor.part)].kinds)
    ):
        cursor = None
    if cursor is not None and cursor.backwards:
        found = _walk(parts, names.index(cursor.part), cursor.keys, per_page, backwards=True)
        if found is not None:
            rows, has_before = found
            has_after = cursor.keys is not None or names.index(cursor.part) < len(parts) - 1
            return _page(parts, rows, per_page, total, sort, has_before, has_after)
        cursor = None  # reached the start: show the first page, full
    start = names.index(cursor.part) if cursor is not None else 0
    rows, has_after = _walk(parts, start, cursor.keys if cursor else None, per_page, backwards=False)
    has_before = cursor is not None and (cursor.keys is not None or start > 0)
    return _page(parts, rows, per_page, total, sort, has_before, has_after)


def _walk(parts, start: int, keys, per_page: int, *, backwards: bool):
    """Rows from part `start` at `keys` onwards (backwards: before it, returned in list order),
    and from every later part (earlier, backwards): the rest of a page that is not full, or just
    whether it has a row (always asked, so the statements do not depend on the data).
    Backwards, None when the start of the list was reached (the caller shows the first page)."""
    rows: list[tuple[str, Any]] = []
    extra = False
    step = -1 if backwards else 1
    index, first = start, True
    while 0 <= index < len(parts):
        part = parts[index]
        need = per_page - len(rows)
        got = _fetch(part, keys if first else None, max(need, 0) + 1, backwards)
        taken = got[:need] if need > 0 else []
        extra = extra or len(got) > len(taken)
        rows.extend((part.name, row) for row in taken)
        first = False
        index += step
    if backwards:
        if not extra:
            return None
        rows.reverse()
        return rows, True
    return rows, extra


def _fetch(part: Part, keys, limit: int, backwards: bool) -> list:
    statement = part.statement
    expressions = [expression for expression, _ in part.keys]
    descending = part.keys[0][1]
    if keys is not None:
        here = sa.tuple_(*expressions)
        there = sa.tuple_(
            *(sa.bindparam(None, value, type_=e.type) for e, value in zip(expressions, keys, strict=True))
        )
        statement = statement.where(here > there if descending == backwards else here < there)
    order = [e.desc() if descending != backwards else e.asc() for e in expressions]
    result = db.session.execute(statement.order_by(*order).limit(limit))
    return list(result.scalars().unique()) if part.scalars else list(result)


def _page(parts, rows, per_page, total, sort, has_before, has_after) -> SeekPage:
    by_name = {p.name: p for p in parts}

    def cursor(part: str, backwards: bool, keys) -> str:
        return ListCursor(part, backwards, sort, keys).encode()

    prev = nxt = None
    if rows and has_before:
        name, row = rows[0]
        prev = cursor(name, True, by_name[name].key_of(row))
    if rows and has_after:
        name, row = rows[-1]
        nxt = cursor(name, False, by_name[name].key_of(row))
    return SeekPage(
        items=[row for _, row in rows],
        per_page=per_page,
        total=total[0],
        more=total[1],
        first="" if prev is not None else None,
        prev=prev,
        next=nxt,
        last=cursor(parts[-1].name, True, None) if nxt is not None else None,
    )
