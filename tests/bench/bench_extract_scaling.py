"""Extraction time as the input doubles: ordinary news, and the shapes that once stalled it.

Each shape is read at a base size and at four doublings of it (16 times the base at the end).
Time in proportion to the text doubles with each doubling; the check fails when the whole
growth passes 32 times (an average over 2.4 per doubling), where quadratic work would reach
256. The shapes:

- news: the gold passages and the Sochi report, repeated with their years moved so that the
  events differ, matched against 2,000 tracked commitments;
- dots: "." * N, where the sentence splitter used to backtrack (40,000 took 12 s);
- dates: "on 5 May 2019, " repeated, a mention every few words in one endless sentence;
- summits: "summit on 5 May 2019, " repeated, a proposal for each of those mentions;
- deadlines: "agreed by 2030 " repeated, proposals that deduplication cannot merge;
- digits: a long number before each year, which the quantity test once split every way.

python -m tests.bench.bench_extract_scaling [--quick] [--budget SECONDS]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Sequence
from datetime import date
from itertools import pairwise
from typing import Any

from service.domain import Commitment, Extraction
from service.extract import Limits, extract
from tests.bench.support import Options, Outcome, show, table, timed, write_result
from tests.support.gold import load_passages, load_sochi, sochi_report
from tests.support.sample_commitments import commitment

NAME = "extract_scaling"
PUBLISHED = date(2019, 5, 14)
BASE, QUICK_BASE = 12_500, 3_125
DOUBLINGS = 4
REPEATS, QUICK_REPEATS = 5, 1
GROWTH_CHECK = 32.0
LIMITS = Limits()
KINDS = ("summit", "meeting", "treaty_expiry", "deadline", "election", "conference")
PARTIES = (("US", "RU"), ("IR",), ("US", "KP"), ("CN",), ("UA", "RU"), ())


def _repeated(unit: str) -> Callable[[int], str]:
    return lambda size: (unit * (size // len(unit) + 1))[:size]


def _news() -> Callable[[int], str]:
    """Ordinary articles, one after another; each copy's years moved by a few, so that its
    events are new ones rather than repeats that deduplication folds away."""
    passages = load_passages()
    found = sochi_report()
    texts = [p.text for p in passages] + ([load_sochi(found).text] if found else [])
    base = "\n".join(texts)

    def moved(copy: int) -> str:
        shift = copy % 9
        return re.sub(r"\b(?:19|20)\d\d\b", lambda m: str(int(m.group()) + shift), base)

    def news(size: int) -> str:
        copies = [moved(copy) for copy in range(size // len(base) + 1)]
        return "\n".join(copies)[:size]

    return news


def known_commitments(count: int = 2_000) -> list[Commitment]:
    """Tracked commitments of every kind, due across 2015 to 2030, for proposals to match."""
    made = []
    for number in range(count):
        year, day = 2015 + number % 16, 1 + number % 28
        month = 1 + (number // 16) % 12
        kind = KINDS[number % len(KINDS)]
        made.append(
            commitment(
                f"known-{number}",
                f"{year}-{month:02d}-{day:02d}",
                title=f"Known {kind.replace('_', ' ')} number {number}",
                kind=kind,
                parties=PARTIES[number % len(PARTIES)],
            )
        )
    return made


def shapes() -> dict[str, tuple[Callable[[int], str], bool]]:
    """Each shape's text of a given size, and whether it is matched against tracked ones."""
    return {
        "news": (_news(), True),
        "dots": (_repeated("."), False),
        "dates": (_repeated("on 5 May 2019, "), False),
        "summits": (_repeated("summit on 5 May 2019, "), False),
        "deadlines": (_repeated("agreed by 2030 "), False),
        "digits": (_repeated("a" + "1" * 77 + " (2019) "), False),
    }


def measure(
    make: Callable[[int], str],
    known: Sequence[Commitment],
    sizes: Sequence[int],
    repeats: int,
    budget: float,
) -> list[dict[str, Any]]:
    """The best of `repeats` timings at each size, the sizes taken in turn in each round so
    that a busy spell on the machine weighs on all of them alike. Sizes past one that took
    over `budget` seconds are not tried (the code before the fix would take hours)."""
    texts = [make(size) for size in sizes]
    best = [float("inf")] * len(sizes)
    found: list[Extraction | None] = [None] * len(sizes)
    tried = len(sizes)
    for _ in range(repeats):
        for index, text in enumerate(texts[:tried]):
            seconds, found[index] = timed(_read, text, known)
            best[index] = min(best[index], seconds)
            if seconds > budget:
                tried = index + 1
                break
    return [
        {
            "chars": size,
            "seconds": round(seconds, 4),
            "mentions": len(extraction.mentions),
            "proposals": len(extraction.proposals),
            "response_bytes": len(extraction.model_dump_json()),
        }
        for size, seconds, extraction in zip(sizes, best, found, strict=True)
        if extraction is not None
    ]


def _read(text: str, known: Sequence[Commitment]) -> Extraction:
    return extract(text, PUBLISHED, known=known, limits=LIMITS)


def main(quick: bool = False, budget: float = 60.0) -> dict[str, Any]:
    base = QUICK_BASE if quick else BASE
    sizes = [base * 2**step for step in range(DOUBLINGS + 1)]
    repeats = QUICK_REPEATS if quick else REPEATS
    known = known_commitments()
    figures: dict[str, Any] = {}
    for name, (make, matched) in shapes().items():
        started = time.perf_counter()
        rows = measure(make, known if matched else (), sizes, repeats, budget)
        figures[name] = {"runs": rows, "growth": _growth(rows)}
        show(f"  {name}: {time.perf_counter() - started:.1f} s")
    return figures


def _growth(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Time at each size over time at the one before, and at the last over the first."""
    seconds = [row["seconds"] for row in rows]
    steps = [round(b / a, 2) if a > 0 else None for a, b in pairwise(seconds)]
    overall = round(seconds[-1] / seconds[0], 1) if seconds[0] > 0 else None
    return {"per_doubling": steps, "last_over_first": overall}


def run(options: Options) -> Outcome:
    """The runner's entry point (python -m tests.bench): a table and a JSON file."""
    figures = main(options.quick)
    sizes = [row["chars"] for row in next(iter(figures.values()))["runs"]]
    headers = ("shape", *(f"{size // 1000:g}k s" for size in sizes), "x per doubling", "last/1st")
    rows = [_row(name, data, len(sizes)) for name, data in figures.items()]
    show(table(headers, rows))
    problems = [
        f"{name}: time grew {data['growth']['last_over_first']}x over {DOUBLINGS} doublings"
        for name, data in figures.items()
        if _too_steep(data, len(sizes))
    ]
    parameters = {"sizes": sizes, "repeats": QUICK_REPEATS if options.quick else REPEATS}
    parameters |= {"limits": repr(LIMITS), "known_commitments_for_news": 2_000}
    notes = ["seconds: the best of the repeats at each size, extraction only (no HTTP)"]
    path = write_result(NAME, options, parameters, figures, notes)
    headline = [f"{row[0]}: {row[-1]}x time for 16x text" for row in rows]
    return Outcome(NAME, path, headline, problems)


def _too_steep(data: dict[str, Any], sizes: int) -> bool:
    """Whether time grew faster than the check allows, or a size was given up on."""
    return (data["growth"]["last_over_first"] or 0) > GROWTH_CHECK or len(data["runs"]) < sizes


def _row(name: str, data: dict[str, Any], columns: int) -> tuple[object, ...]:
    seconds: list[object] = [row["seconds"] for row in data["runs"]]
    seconds += ["-"] * (columns - len(seconds))
    steps = " ".join(f"{step:.1f}" for step in data["growth"]["per_doubling"] if step)
    return (name, *seconds, steps, data["growth"]["last_over_first"])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one run each")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds before giving up")
    arguments = parser.parse_args()
    print(json.dumps(main(arguments.quick, arguments.budget), indent=2))
