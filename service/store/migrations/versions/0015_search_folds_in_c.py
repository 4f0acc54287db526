"""search folds in C: PostgreSQL's trigram indexes on lower(... COLLATE "C")

`q` folds ASCII letters alone on every database. PostgreSQL did it with translate(), which
costs about 110 µs on a description, so a count that reads a thousand rows took a second;
lower() under the "C" collation folds exactly the ASCII letters, some thirty times faster.
The trigram indexes follow the new expression, and statistics on each folded expression let
the planner tell a common needle (read a page in list order, stop early) from a rare one
(read the index): without them it guessed 64 rows for "treaty" where 60,000 matched, and
sorted them all for a page of 50. SQLite is unchanged.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import string

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_COLUMNS = ("title", "description")
_LOWER_C = 'lower(({column}) COLLATE "C")'
_TRANSLATE = (
    "translate({column}, '" + string.ascii_uppercase + "', '" + string.ascii_lowercase + "')"
)


def _reindex(expression: str) -> None:
    for column in _COLUMNS:
        op.execute(f"DROP INDEX ix_commitments_{column}_trigrams")
        op.execute(
            f"CREATE INDEX ix_commitments_{column}_trigrams ON commitments"
            f" USING gin ({expression.format(column=column)} gin_trgm_ops)"
        )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _reindex(_LOWER_C)
    for column in _COLUMNS:
        op.execute(
            f"CREATE STATISTICS commitments_{column}_folded ON"
            f" ({_LOWER_C.format(column=column)}) FROM commitments"
        )
    op.execute("ANALYZE commitments")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in _COLUMNS:
        op.execute(f"DROP STATISTICS commitments_{column}_folded")
    _reindex(_TRANSLATE)
