"""The real app under uvicorn, over a SQLite file holding the shipped feeds plus N more.

Run as `python -m tests.bench.serve_app DIR COUNT`. It prints progress, then one line
`READY {json}` with the port and the sizes and ETags the bench should see, then serves until
SIGINT or SIGTERM. Bench-only routes are added to the same app, behind the same middleware:

- /bench/constant-small: fixed bytes the size of /feeds/arms-control.ics, with feed headers;
- /bench/constant-large: fixed bytes the size of /feeds/all.ics, with feed headers;
- /bench/constant-small-sync: constant-small from a plain `def` route (the threadpool hop);
- /bench/version-small: constant-small after the data-version query every feed request makes;
- /bench/read-all: how long the store takes to read (and validate) every commitment;
- POST /bench/touch: revise one commitment, so every cached feed must render again.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import json
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Response

from service.alerts import Planner
from service.alerts.planner import CreatedPlans
from service.api import create_app
from service.api.deps import Services
from service.app import App
from service.app.commitments import Commitments
from service.domain import Change, ChangeNote, CommitmentCreate, CommitmentFilter, CommitmentPatch
from service.feeds import ALL_FEED, render
from service.settings import Settings
from service.store import Tx
from tests.bench import corpus

REPO = Path(__file__).resolve().parents[2]
CALENDAR = "text/calendar; charset=utf-8"
CHUNK = 1000


def say(message: str) -> None:
    print(message, flush=True)


@dataclass(frozen=True, slots=True)
class Unplanned(Planner):
    """Plans no alerts and queues no messages: the writes alone."""

    def plan(self, tx: Tx, change: Change) -> None:
        pass

    def planning_created(self, tx: Tx, commitment_ids: Sequence[str]) -> CreatedPlans:
        return _NoPlans()


class _NoPlans(CreatedPlans):
    def __init__(self) -> None:
        pass

    def add(self, change: Change) -> None:
        pass

    def store(self, tx: Tx, now: datetime) -> None:
        pass


def fill(app: App, count: int) -> str:
    """Store `count` generated commitments without alerts or messages; returns the first id."""
    return store(app, generated(count), plan=False)[0]


def generated(count: int) -> list[CommitmentCreate]:
    """`count` generated commitments, validated as the API or `treatycal import` takes them."""
    return [
        CommitmentCreate.model_validate(data | {"id": cid}) for cid, data in corpus.stated(count)
    ]


def store(app: App, items: Sequence[CommitmentCreate], *, plan: bool) -> list[str]:
    """Import `items` through the bulk use case in one transaction, saying how it goes.

    Without `plan`, no alerts are planned and no messages queued: the writes alone.
    """
    context = app.context
    if not plan:
        context = replace(context, planner=Unplanned(context.planner.rules))
    note = ChangeNote(effective=corpus.EPOCH.date())
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % (10 * CHUNK) == 0 or done == total:
            say(f"  stored {done:,}/{total:,} commitments ({time.perf_counter() - started:.1f} s)")

    return Commitments(context).create_many(items, note, "bench", progress, chunk=CHUNK)


def constant(size: int, seed: bytes) -> bytes:
    """`size` bytes of calendar-looking text, so nothing downstream can compress it away."""
    line = b"X-BENCH:" + hashlib.sha256(seed).hexdigest().encode() + b"\r\n"
    return (line * (size // len(line) + 1))[:size]


def feed_headers(body: bytes) -> dict[str, str]:
    return {
        "ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
        "Last-Modified": "Tue, 14 May 2019 09:30:00 GMT",
        "Cache-Control": "public, max-age=900",
    }


def add_bench_routes(app: FastAPI, use: App, small: bytes, large: bytes, touch_id: str) -> None:
    store = use.context.store
    small_headers, large_headers = feed_headers(small), feed_headers(large)

    @app.get("/bench/constant-small", include_in_schema=False)
    async def constant_small() -> Response:
        return Response(small, media_type=CALENDAR, headers=small_headers)

    @app.get("/bench/constant-large", include_in_schema=False)
    async def constant_large() -> Response:
        return Response(large, media_type=CALENDAR, headers=large_headers)

    @app.get("/bench/constant-small-sync", include_in_schema=False)
    def constant_small_sync() -> Response:
        return Response(small, media_type=CALENDAR, headers=small_headers)

    @app.get("/bench/version-small", include_in_schema=False)
    def version_small() -> Response:
        with store.read() as tx:
            tx.versions.current()
        return Response(small, media_type=CALENDAR, headers=small_headers)

    @app.get("/bench/read-all", include_in_schema=False)
    def read_all() -> dict[str, float]:
        started = time.perf_counter()
        with store.read() as tx:
            found = tx.commitments.matching(CommitmentFilter())
        return {"seconds": time.perf_counter() - started, "count": len(found)}

    @app.post("/bench/touch", include_in_schema=False)
    def touch() -> dict[str, int]:
        current = use.commitments.get(touch_id)
        change = CommitmentPatch(title=f"{current.title.split(' #')[0]} #{current.revision}")
        revised = use.commitments.patch(touch_id, change, ChangeNote(reason="bench"), "bench")
        return {"revision": revised.revision}


def main(folder: Path, count: int) -> None:
    settings = Settings(
        _env_file=None,
        database_url=f"sqlite:///{folder / 'bench.db'}",
        feeds_dir=REPO / "feeds",
        load_feeds_on_start=True,
    )
    # Filled with a planner that plans nothing, before the app is built: planning is not
    # what this bench measures, and it makes a bulk load slower per row.
    say("  migrating, then storing the generated commitments")
    plain = App.open(settings)
    touch_id = fill(plain, count)
    plain.close()
    say("  loading the shipped feeds/ and building the app")
    app = create_app(settings)
    services: Services = app.state.services
    say("  rendering once to size the constant routes, then clearing the render caches")
    small_feed = services.app.feeds.export("arms-control")
    large_feed = services.app.feeds.export(ALL_FEED)
    render._rendered.cache_clear()
    render._timezone.cache_clear()
    small, large = constant(len(small_feed), b"small"), constant(len(large_feed), b"large")
    add_bench_routes(app, services.app, small, large, touch_id)
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it every response written in two parts waits out a 40 ms delayed ACK.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    ready: dict[str, Any] = {
        "port": listener.getsockname()[1],
        "small_etag": feed_headers(small_feed)["ETag"],
        "large_etag": feed_headers(large_feed)["ETag"],
        "small_bytes": len(small),
        "large_bytes": len(large),
        "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        "http": "httptools" if importlib.util.find_spec("httptools") else "h11",
    }
    del small_feed, large_feed
    gc.collect()
    say("READY " + json.dumps(ready))
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listener])


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
