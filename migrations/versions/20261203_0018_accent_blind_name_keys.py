"""name keys without accents, so "Zoe" finds "Zoë" and "Nguyen" finds "Nguyễn"

The search and duplicate keys of inquiry names (`patient_name_key`, `caller_name_key`) and of
referrers (`name_key`) were the name casefolded; they are now also stripped of accents
(Unicode NFKD without combining marks, see `rules/search_text.fold`). The pg_trgm indexes of
migration 0012 stay on the same columns, so search stays index-backed; this rewrites the keys
stored before, a thousand rows at a time. Downgrade puts back the older keys (casefold only).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 19:30:00

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

inquiry = sa.table(
    "inquiry",
    sa.column("id", sa.Integer),
    sa.column("patient_name", sa.String),
    sa.column("caller_name", sa.String),
    sa.column("patient_name_key", sa.String),
    sa.column("caller_name_key", sa.String),
)
referrer = sa.table(
    "referrer",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("organization", sa.String),
    sa.column("name_key", sa.String),
)
BATCH = 1000

# A frozen copy of rules/search_text.fold as of this revision (migrations never import the app).
_UNDECOMPOSED = str.maketrans(
    {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ħ": "h", "ŧ": "t", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().translate(_UNDECOMPOSED).split())


def _casefolded(text: str) -> str:
    return " ".join(text.casefold().split())


def _key(fold, text, limit):
    return ((fold(text) or _casefolded(text))[:limit] or None) if text else None


def _rewrite(fold) -> None:
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(
                inquiry.c.id,
                inquiry.c.patient_name,
                inquiry.c.caller_name,
                inquiry.c.patient_name_key,
                inquiry.c.caller_name_key,
            )
            .where(inquiry.c.id > last)
            .order_by(inquiry.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            keys = (_key(fold, row.patient_name, 160), _key(fold, row.caller_name, 160))
            if keys != (row.patient_name_key, row.caller_name_key):
                connection.execute(
                    inquiry.update()
                    .where(inquiry.c.id == row.id)
                    .values(patient_name_key=keys[0], caller_name_key=keys[1])
                )
        last = rows[-1].id
    for row in connection.execute(
        sa.select(referrer.c.id, referrer.c.name, referrer.c.organization, referrer.c.name_key)
    ).all():
        key = _key(fold, f"{row.name} | {row.organization or ''}", 330)
        if key != row.name_key:
            connection.execute(referrer.update().where(referrer.c.id == row.id).values(name_key=key))


def upgrade():
    _rewrite(_folded)


def downgrade():
    _rewrite(_casefolded)
