"""Extraction speed and quality: service.extract against dateparser, in the same run.

Speed is articles per second on the Sochi report of 14 May 2019 (about 1,000 words; the gold
passages stand in, with a note, when the article is not on this machine). Quality is both
systems' mention-value precision and recall on the gold set. dateparser has no notion of
precision, so each (text, datetime) it returns is scored as a day value, as it gives it.

python -m tests.bench.bench_extract [--quick]    # prints the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from service.extract import extract
from tests.bench.support import Options, Outcome, show, table, write_result
from tests.support.gold import (
    Event,
    Passage,
    Score,
    Span,
    evaluate,
    load_passages,
    load_sochi,
    sochi_report,
    treatycal,
)

NAME = "extract"
ROUNDS = 5


def main(quick: bool = False) -> dict[str, object]:
    """Both systems' articles per second on the same text, and their gold-set scores."""
    passages = load_passages()
    found = sochi_report()
    sochi = load_sochi(found) if found else None
    text, published = _workload(sochi, passages)
    ours = _rate(lambda: extract(text, published), repeats=10 if quick else 100)
    theirs = _rate(lambda: _search_dates(text, published), repeats=2 if quick else 10)
    scored = [*passages, *([sochi] if sochi else [])]
    return {
        "workload": "sochi-2019-05-14" if sochi else "gold passages, concatenated",
        "words": len(text.split()),
        "treatycal": ours | {"gold": _figures(evaluate(treatycal, scored))},
        "dateparser": theirs | {"gold": _figures(evaluate(_dateparser, scored))},
        "speedup": round(ours["articles_per_s"] / theirs["articles_per_s"], 1),
        "gold_passages": len(scored),
    }


def _workload(sochi: Passage | None, passages: list[Passage]) -> tuple[str, date]:
    if sochi is not None:
        return sochi.text, sochi.published
    return "\n".join(p.text for p in passages), passages[0].published


def _rate(action: Callable[[], object], repeats: int) -> dict[str, Any]:
    """Articles per second at the best and the median of ROUNDS rounds, after a warm-up."""
    action()
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(repeats):
            action()
        rounds.append((time.perf_counter() - started) / repeats)
    return {
        "articles_per_s": round(1 / min(rounds), 1),
        "articles_per_s_median": round(1 / statistics.median(rounds), 1),
        "ms_per_article": round(min(rounds) * 1000, 2),
        "repeats_per_round": repeats,
        "rounds": ROUNDS,
    }


def _search_dates(text: str, published: date) -> list[tuple[str, datetime]]:
    from dateparser.search import search_dates  # bench-only dependency

    settings = {"RELATIVE_BASE": datetime.combine(published, datetime.min.time())}
    found = search_dates(text, settings=settings | {"PREFER_DATES_FROM": "past"})
    return list(found or [])


def _dateparser(passage: Passage) -> tuple[list[Span], list[Event] | None]:
    """dateparser as a system under test: its matches, found in order, as day values."""
    spans, cursor = [], 0
    for matched, moment in _search_dates(passage.text, passage.published):
        start = passage.text.find(matched, cursor)
        if start < 0:
            continue
        cursor = start + len(matched)
        spans.append(Span(start, cursor, moment.date().isoformat()))
    return spans, None


def _figures(score: Score) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "mentions": score.gold_mentions,
        "value_precision": round(score.value_precision, 3),
        "value_recall": round(score.value_recall, 3),
        "span_recall": round(score.span_recall, 3),
    }
    if score.scores_proposals:
        figures["proposal_precision"] = round(score.proposal_precision, 3)
        figures["proposal_recall"] = round(score.proposal_recall, 3)
    return figures


def run(options: Options) -> Outcome:
    """The runner's entry point (python -m tests.bench): figures, a table and a JSON file."""
    figures = main(options.quick)
    rows = [_row(name, figures[name]) for name in ("treatycal", "dateparser")]
    headers = ("system", "articles/s", "ms/article", "value P", "value R", "span R")
    show(table(headers, rows))
    notes = [f"workload: {figures['workload']} ({figures['words']} words)"]
    path = write_result(NAME, options, {"rounds": ROUNDS}, figures, notes)
    headline = [f"{row[0]}: {row[1]:,.0f} articles/s, value P {row[3]} R {row[4]}" for row in rows]
    return Outcome(NAME, path, headline)


def _row(name: str, system: object) -> tuple[str, float, float, float, float, float]:
    data: dict[str, Any] = system  # type: ignore[assignment]
    gold = data["gold"]
    return (
        name,
        data["articles_per_s"],
        data["ms_per_article"],
        gold["value_precision"],
        gold["value_recall"],
        gold["span_recall"],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    print(json.dumps(main(parser.parse_args().quick), indent=2))
