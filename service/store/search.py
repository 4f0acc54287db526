"""Text search that an index answers: SQLite FTS5 with trigrams, PostgreSQL pg_trgm GIN.

`q` keeps its meaning everywhere: a case-insensitive substring of the title or description,
folding ASCII letters only (`service.store.text`). The index narrows the candidates; the same
LIKE as before decides, so Python, SQLite and PostgreSQL still agree. On SQLite the trigram
FTS5 table `commitments_text` mirrors the two columns through triggers, keyed by rowid; on
PostgreSQL GIN indexes on the folded columns serve the LIKE itself. A needle shorter than a
trigram gives the index nothing to narrow by, and is read by scanning, as before.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, column, literal_column, select, table, text

SEARCH_TABLE = "commitments_text"
"""The SQLite FTS5 table (with its shadow tables) that migration 0012 makes."""
TRIGRAM_INDEX_SUFFIX = "_trigrams"
"""The end of the names of PostgreSQL's GIN indexes, on expressions no Table can declare."""
TRIGRAM = 3


def is_search_object(name: str | None) -> bool:
    """Whether a table or index is the search index's, which `tables.metadata` leaves out."""
    return name is not None and (
        name.startswith(SEARCH_TABLE) or name.endswith(TRIGRAM_INDEX_SUFFIX)
    )


def indexed_candidates(conn: Connection, needle: str) -> ColumnElement[bool] | None:
    """On SQLite, the rows whose title or description may hold `needle`; None: no narrowing."""
    if conn.dialect.name != "sqlite" or len(needle) < TRIGRAM:
        return None
    phrase = '"' + needle.replace('"', '""') + '"'
    index = table(SEARCH_TABLE, column("rowid"))
    matches = text(f"{SEARCH_TABLE} MATCH :phrase").bindparams(phrase=phrase)
    return literal_column("commitments.rowid").in_(select(index.c.rowid).where(matches))
