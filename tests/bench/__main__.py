"""Run every bench module (tests/bench/bench_*.py) in turn, then print a short summary.

python -m tests.bench                 # everything; results in tests/bench/results/
python -m tests.bench --quick         # a smoke run: small data, short durations
python -m tests.bench --only serving  # one bench, by name (extract_scaling, feeds, serving)
python -m tests.bench --profile       # also cProfile a cold render
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from tests.bench.support import Options, Outcome, progress, show

Bench = Callable[[Options], Outcome]


def discover() -> dict[str, Bench]:
    """Each bench_<name> module's `run`, by name, in file-name order."""
    folder = str(Path(__file__).parent)
    benches = {}
    for module in sorted(pkgutil.iter_modules([folder]), key=lambda m: m.name):
        if module.name.startswith("bench_"):
            loaded = importlib.import_module(f"tests.bench.{module.name}")
            benches[loaded.NAME] = loaded.run
    return benches


def main(argv: list[str] | None = None) -> int:
    benches = discover()
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="small data, short durations")
    parser.add_argument("--only", choices=sorted(benches), help="run this bench only")
    parser.add_argument("--profile", action="store_true", help="cProfile one cold render")
    args = parser.parse_args(argv)
    options = Options(quick=args.quick, profile=args.profile)
    chosen = {args.only: benches[args.only]} if args.only else benches
    summary: list[tuple[str, float, Outcome | None]] = []
    for name, bench in chosen.items():
        show(f"\n=== {name}{' (quick)' if options.quick else ''} ===")
        started = time.perf_counter()
        try:
            outcome: Outcome | None = bench(options)
        except Exception:  # noqa: BLE001 - report it, and still run the other benches
            traceback.print_exc()
            outcome = None
        summary.append((name, time.perf_counter() - started, outcome))
        progress(f"{name} done")
    return _summarise(summary)


def _summarise(summary: list[tuple[str, float, Outcome | None]]) -> int:
    show("\n=== summary ===")
    failed = False
    for name, seconds, outcome in summary:
        if outcome is None:
            show(f"{name}: FAILED after {seconds:.0f} s (traceback above)")
            failed = True
            continue
        verdict = "FAILED CHECKS" if outcome.problems else "ok"
        show(f"{name}: {verdict} in {seconds:.0f} s -> {_shown(outcome.path)}")
        for line in outcome.headline:
            show(f"  {line}")
        for problem in outcome.problems:
            show(f"  problem: {problem}")
        failed |= bool(outcome.problems)
    return 1 if failed else 0


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
