"""Reading an article over the API can never stall the service: it is read in a worker
process with a time limit, past which the client is told what to do, and meanwhile the
service answers. The timings asserted here are generous: a stalled service takes minutes."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.test_sources_api import ADMIN, ARTICLE, _client

PUBLISHED = "2019-05-14"
ANSWERED_WITHIN = 5.0
"""Seconds a /healthz answer may take while an article is read. A stalled service takes
minutes; on a slow 2-core machine under CI's load one answer took 1.02 s."""


def _health_while(client: TestClient, action: Any) -> tuple[Any, float, int]:
    """What `action()` returned, run on a thread, and the slowest /healthz answer meanwhile
    (with how many were asked)."""
    outcome: dict[str, Any] = {}
    running = threading.Thread(target=lambda: outcome.setdefault("result", action()))
    running.start()
    slowest, asked = 0.0, 0
    while running.is_alive():
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        slowest, asked = max(slowest, time.perf_counter() - started), asked + 1
        time.sleep(0.02)
    running.join()
    return outcome["result"], slowest, asked


def test_an_article_too_slow_to_read_gets_422_and_health_answers_meanwhile(database_url: str):
    # Nearly 1 MiB of dates, each with its event: seconds of work, linear as it is.
    article = {"text": "summit on 5 May 2019, " * 45_000, "published": PUBLISHED}
    limit = timedelta(milliseconds=300)
    with _client(database_url, extract_time_limit=limit, extract_workers=1) as client:
        response, slowest, asked = _health_while(
            client, lambda: client.post("/api/v1/sources", json=article, headers=ADMIN)
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == 422 and problem["instance"] == "/api/v1/sources"
        assert "took longer than the 0.3 s allowed" in problem["detail"]
        assert "split it into shorter articles" in problem["detail"]
        assert asked > 0 and slowest < ANSWERED_WITHIN, (asked, slowest)
        after = client.post("/api/v1/sources", json=ARTICLE, headers=ADMIN)
        assert after.status_code == 201, after.text  # the stuck worker was replaced
        assert client.get("/api/v1/proposals", headers=ADMIN).json() != []


def test_a_run_of_dots_is_read_at_once(database_url: str):
    """ "." * 40,000 took 12 s, holding the GIL: now 200,000 are read well within the limit."""
    article = {"text": "." * 200_000, "published": PUBLISHED}
    with _client(database_url, extract_time_limit=timedelta(seconds=20)) as client:
        response, slowest, _ = _health_while(
            client, lambda: client.post("/api/v1/sources", json=article, headers=ADMIN)
        )
    assert response.status_code == 201, response.text
    assert response.json()["mentions"] == []
    assert slowest < ANSWERED_WITHIN


def test_a_run_on_text_of_dates_is_stored_with_bounded_mentions(database_url: str):
    """ "on 5 May 2019, " repeated, 20 KB, gave a 27 MB response: each mention quoted it all."""
    article = {"text": "on 5 May 2019, " * 1400, "published": PUBLISHED}
    with _client(database_url, extract_max_mentions=300, extract_max_quote_chars=200) as client:
        response = client.post("/api/v1/sources", json=article, headers=ADMIN)
    assert response.status_code == 201, response.text
    mentions = response.json()["mentions"]
    assert len(mentions) == 300
    assert max(len(m["sentence"]) for m in mentions) <= 200
    assert len(response.content) < 300_000
