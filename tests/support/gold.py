"""The gold set for extraction, and a scorer that any tagger can be measured with.

Gold passages live in tests/gold/passages/*.yaml (text, publication date, annotated mentions and
expected proposals); the Sochi report is annotated in tests/gold/sochi-2019-05-14.yaml without
its text, which is read from wherever the article is found.

Matching rules:
- a predicted mention hits a gold one when their spans overlap and their values are equal
  (each gold mention is hit at most once); precision and recall count these hits;
- span recall counts gold mentions that some predicted span overlaps, whatever its value;
- a predicted proposal hits a gold one when kind, due value (or both undated) and status agree.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from service.cli.texttable import render_table
from service.extract import extract

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold"
SOCHI_ANNOTATIONS = GOLD / "sochi-2019-05-14.yaml"
SOCHI_ENV = "TREATYCAL_SOCHI_REPORT"


@dataclass(frozen=True)
class GoldMention:
    start: int
    end: int
    text: str
    value: str
    precision: str
    earliest: date
    latest: date


@dataclass(frozen=True)
class Event:
    """A proposal reduced to what is scored: kind, due value (None if undated) and status."""

    kind: str
    due: str | None
    status: str


@dataclass(frozen=True)
class Span:
    """A predicted mention reduced to what is scored."""

    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Passage:
    name: str
    text: str
    published: date
    mentions: tuple[GoldMention, ...]
    proposals: tuple[Event, ...]


class GoldError(ValueError):
    """A gold annotation does not fit its text."""


def load_passages(directory: Path = GOLD / "passages") -> list[Passage]:
    """Every passage of the gold set, in file-name order."""
    passages = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        passages.append(_passage(path.stem, data["text"], data))
    return passages


def sochi_report() -> Path | None:
    """Where the Sochi article is, if anywhere: the env var, then the shared data folders."""
    named = os.environ.get(SOCHI_ENV)
    candidates = [
        *([Path(named)] if named else []),
        ROOT.parent / "shared" / "data" / "sochi-2019-05-14.txt",
        Path("/work/shared/data/sochi-2019-05-14.txt"),
    ]
    return next((path for path in candidates if path.is_file()), None)


def load_sochi(article: Path) -> Passage:
    data = yaml.safe_load(SOCHI_ANNOTATIONS.read_text(encoding="utf-8"))
    return _passage("sochi-2019-05-14", article.read_text(encoding="utf-8"), data)


def _passage(name: str, text: str, data: dict[str, Any]) -> Passage:
    mentions = tuple(_locate(name, text, item) for item in data["mentions"])
    proposals = tuple(
        Event(item["kind"], None if item["due"] is None else str(item["due"]), item["status"])
        for item in data["proposals"]
    )
    return Passage(name, text, data["published"], mentions, proposals)


def _locate(name: str, text: str, item: dict[str, Any]) -> GoldMention:
    """The span of the n-th occurrence of the annotated text."""
    needle, start = str(item["text"]), -1
    for _ in range(int(item.get("occurrence", 1))):
        start = text.find(needle, start + 1)
        if start < 0:
            raise GoldError(
                f"{name}: {needle!r} (occurrence {item.get('occurrence', 1)}) not found"
            )
    end = start + len(needle)
    earliest, latest = item["earliest"], item["latest"]
    return GoldMention(start, end, needle, str(item["value"]), item["precision"], earliest, latest)


# ---------------------------------------------------------------------------- scoring


@dataclass
class Score:
    """Counts over any number of passages; the rates are derived from them."""

    gold_mentions: int = 0
    predicted_mentions: int = 0
    value_hits: int = 0
    span_hits: int = 0
    gold_proposals: int = 0
    predicted_proposals: int = 0
    proposal_hits: int = 0
    scores_proposals: bool = True
    misses: list[str] = field(default_factory=list)

    @property
    def value_precision(self) -> float:
        return _rate(self.value_hits, self.predicted_mentions)

    @property
    def value_recall(self) -> float:
        return _rate(self.value_hits, self.gold_mentions)

    @property
    def span_recall(self) -> float:
        return _rate(self.span_hits, self.gold_mentions)

    @property
    def proposal_precision(self) -> float:
        return _rate(self.proposal_hits, self.predicted_proposals)

    @property
    def proposal_recall(self) -> float:
        return _rate(self.proposal_hits, self.gold_proposals)


def _rate(hits: int, total: int) -> float:
    return hits / total if total else 1.0


System = Callable[[Passage], tuple[list[Span], list[Event] | None]]
"""A tagger under test: a passage in, its mentions and (if it makes any) its proposals out."""


def treatycal(passage: Passage) -> tuple[list[Span], list[Event] | None]:
    """service.extract as a system under test."""
    found = extract(passage.text, passage.published)
    spans = [Span(m.start, m.end, m.value) for m in found.mentions]
    events = [
        Event(p.kind.value, p.due.value if p.due else None, p.status.value) for p in found.proposals
    ]
    return spans, events


def evaluate(system: System, passages: Iterable[Passage]) -> Score:
    score = Score()
    for passage in passages:
        spans, events = system(passage)
        _score_mentions(score, passage, spans)
        if events is None:
            score.scores_proposals = False
        else:
            _score_proposals(score, passage, events)
    return score


def _score_mentions(score: Score, passage: Passage, spans: Sequence[Span]) -> None:
    used: set[int] = set()
    score.gold_mentions += len(passage.mentions)
    score.predicted_mentions += len(spans)
    for gold in passage.mentions:
        overlapping = [i for i, s in enumerate(spans) if s.start < gold.end and gold.start < s.end]
        score.span_hits += bool(overlapping)
        hit = next((i for i in overlapping if i not in used and spans[i].value == gold.value), None)
        if hit is None:
            found = [spans[i].value for i in overlapping] or ["nothing"]
            score.misses.append(f"{passage.name}: {gold.text!r} {gold.value} got {found}")
        else:
            used.add(hit)
            score.value_hits += 1
    for index in set(range(len(spans))) - used:
        span = spans[index]
        text = passage.text[span.start : span.end]
        score.misses.append(f"{passage.name}: extra {text!r} {span.value}")


def _score_proposals(score: Score, passage: Passage, events: Sequence[Event]) -> None:
    remaining = list(events)
    score.gold_proposals += len(passage.proposals)
    score.predicted_proposals += len(events)
    for gold in passage.proposals:
        if gold in remaining:
            remaining.remove(gold)
            score.proposal_hits += 1
        else:
            score.misses.append(f"{passage.name}: missed proposal {gold}")
    score.misses.extend(f"{passage.name}: extra proposal {event}" for event in remaining)


def table(rows: Sequence[tuple[str, Score]]) -> str:
    """The scores as a small aligned table, one row per system and set."""
    header = ("set", "mentions", "value P", "value R", "span R", "proposals", "prop P", "prop R")
    return render_table(header, [_row(name, score) for name, score in rows])


def _row(name: str, score: Score) -> list[str]:
    proposals = (
        [
            str(score.gold_proposals),
            f"{score.proposal_precision:.2f}",
            f"{score.proposal_recall:.2f}",
        ]
        if score.scores_proposals
        else ["-", "-", "-"]
    )
    rates = (score.value_precision, score.value_recall, score.span_recall)
    return [name, str(score.gold_mentions), *(f"{rate:.2f}" for rate in rates), *proposals]
