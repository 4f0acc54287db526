"""Text search that an index answers: SQLite FTS5 with trigrams, PostgreSQL pg_trgm GIN.

`q` keeps its meaning everywhere: a case-insensitive substring of the title or description,
folding ASCII letters only (`service.store.text`). The index narrows the candidates; the same
LIKE as before decides, so Python, SQLite and PostgreSQL still agree. On SQLite the trigram
FTS5 table `commitments_text` mirrors the two columns through triggers, keyed by rowid; it
keeps no positions (migration 0017), so it is asked for the rows holding every trigram of the
needle, wherever they stand, and the LIKE drops those where they do not stand together. On
PostgreSQL GIN indexes on the folded columns serve the LIKE itself. A needle shorter than a
trigram gives the index nothing to narrow by, and is read by scanning, as before.

On SQLite the index is asked first for at most COUNTED + 1 candidates. With no more than
SPARSE, a page reads just those rows. With more, the needle is common: a page is then read in
list order by the list's own index, and as matches are frequent the scan stops soon, instead
of the index handing over every row that holds "treaty". The count reads the candidates; past
COUNTED, it says only that there are at least that many.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)

SEARCH_TABLE = "commitments_text"
"""The SQLite FTS5 table (with its shadow tables) that migration 0012 makes."""
TRIGRAM_INDEX_SUFFIX = "_trigrams"
"""The end of the names of PostgreSQL's GIN indexes, on expressions no Table can declare."""
TRIGRAM = 3
SPARSE = 2_000
"""The most candidates a page is read from as a list of rows; beyond, the needle is common."""
COUNTED = 1_000
"""Lists count their matches up to this many; beyond, the total is a floor ("1,000 or more")."""


@dataclass(frozen=True, slots=True)
class Narrowed:
    """What the index says of a needle: the rows to read a page from, to count from, and
    whether the rows to count from hold every match. None: read by scanning."""

    read: ColumnElement[bool] | None
    counted: ColumnElement[bool] | None
    complete: bool


UNNARROWED = Narrowed(None, None, complete=True)


def is_search_object(name: str | None) -> bool:
    """Whether a table or index is the search index's, which `tables.metadata` leaves out."""
    return name is not None and (
        name.startswith(SEARCH_TABLE) or name.endswith(TRIGRAM_INDEX_SUFFIX)
    )


def narrowed(conn: Connection, needle: str) -> Narrowed:
    """On SQLite, the rows whose title or description may hold `needle`, as far as the
    trigram index tells (PostgreSQL's GIN index serves the LIKE itself; a needle shorter
    than a trigram gives an index nothing). The candidates are counted inside the database,
    never carried through Python."""
    if conn.dialect.name != "sqlite" or len(needle) < TRIGRAM:
        return UNNARROWED
    index = table(SEARCH_TABLE, column("rowid"))
    matches = text(f"{SEARCH_TABLE} MATCH :every").bindparams(every=every_trigram(needle))
    candidates = select(index.c.rowid).where(matches)

    def at_most(limit: int) -> bool:
        counted = select(func.count()).select_from(candidates.limit(limit + 1).subquery())
        return (conn.scalar(counted) or 0) <= limit

    rowid: ColumnElement[int] = literal_column("commitments.rowid")
    if at_most(SPARSE):
        return Narrowed(rowid.in_(candidates), rowid.in_(candidates), complete=True)
    return Narrowed(None, rowid.in_(candidates.limit(COUNTED + 1)), complete=at_most(COUNTED))


def every_trigram(needle: str) -> str:
    """An FTS5 query for the rows that hold each trigram of `needle`, each quoted as a string,
    so that no character of the needle is read as query syntax."""
    trigrams = dict.fromkeys(needle[at : at + TRIGRAM] for at in range(len(needle) - 2))
    return " AND ".join('"' + trigram.replace('"', '""') + '"' for trigram in trigrams)
