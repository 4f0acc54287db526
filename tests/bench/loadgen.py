"""A loopback HTTP/1.1 load generator on raw asyncio streams.

A full client library costs more per request than a cached feed does to serve, so this one
writes a pre-encoded request, reads the head up to the blank line, takes Content-Length and
reads exactly that many bytes. Each connection has one request in flight and is kept alive.
Every reply is checked: a bench that quietly measures 404s is worse than none.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
_LIMIT = 4 << 20  # stream buffer: large bodies arrive in few reads
_CHUNK = 1 << 20
_NO_BODY = frozenset({204, 304})
_TOO_MANY_FAILURES = 200


class ProtocolError(Exception):
    """The server's reply is not one this client understands."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    length: int
    body: bytes
    first_byte_s: float
    total_s: float


@dataclass(frozen=True)
class Scenario:
    """One request, sent over and over, and what every reply must be."""

    label: str
    path: str
    status: int
    length: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def encode(
    port: int, path: str, headers: Mapping[str, str] | None = None, method: str = "GET"
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "User-Agent: treatycal-bench"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if method != "GET":
        lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_reply(
    reader: asyncio.StreamReader, keep: bool, head_start: bytes = b""
) -> tuple[int, dict[str, str], int, bytes]:
    head = head_start + await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(status_line.split(" ", 2)[1])
    except (IndexError, ValueError) as exc:
        raise ProtocolError(f"bad status line {status_line!r}") from exc
    headers = {}
    for line in header_lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if status in _NO_BODY or status < 200:
        return status, headers, 0, b""
    if "content-length" not in headers:
        raise ProtocolError(f"status {status} without Content-Length (chunked is not supported)")
    length = int(headers["content-length"])
    body = await _read_body(reader, length, keep)
    return status, headers, length, body


async def _read_body(reader: asyncio.StreamReader, length: int, keep: bool) -> bytes:
    if keep:
        return await reader.readexactly(length)
    remaining = length
    while remaining:
        chunk = await reader.read(min(remaining, _CHUNK))
        if not chunk:
            raise asyncio.IncompleteReadError(b"", remaining)
        remaining -= len(chunk)
    return b""


async def fetch(
    port: int, path: str, headers: Mapping[str, str] | None = None, method: str = "GET"
) -> Reply:
    """One request on a fresh connection, keeping the body; times the first byte and the last."""
    reader, writer = await asyncio.open_connection(HOST, port, limit=_LIMIT)
    try:
        started = time.perf_counter()
        writer.write(encode(port, path, headers, method))
        await writer.drain()
        first = await reader.readexactly(1)
        first_byte = time.perf_counter() - started
        status, got, length, body = await _read_reply(reader, keep=True, head_start=first)
        return Reply(status, got, length, body, first_byte, time.perf_counter() - started)
    finally:
        writer.close()
        await writer.wait_closed()


# ---------------------------------------------------------------------------- load


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    wrong_length: int = 0
    body_bytes: int = 0


@dataclass(frozen=True)
class LoadResult:
    label: str
    path: str
    expected_status: int
    concurrency: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int]
    errors: dict[str, int]
    wrong_status: int
    wrong_length: int
    mb_per_s: float
    client_cpu_s: float
    server_cpu_s: float | None

    @property
    def failures(self) -> int:
        return self.wrong_status + self.wrong_length + sum(self.errors.values())

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu_s is None or not self.requests:
            return None
        return 1000 * self.server_cpu_s / self.requests

    def as_json(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["statuses"] = {str(k): v for k, v in self.statuses.items()}
        data["server_cpu_ms_per_request"] = _rounded(self.server_cpu_ms_per_request)
        data["client_cpu_share"] = round(self.client_cpu_s / self.seconds, 3)
        return {k: _rounded(v) for k, v in data.items()}


def _rounded(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU of a process (all its threads), from /proc; None elsewhere."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    port: int,
    scenario: Scenario,
    *,
    concurrency: int,
    duration: float,
    warmup: float,
    server_pid: int,
) -> LoadResult:
    """`concurrency` keep-alive connections sending `scenario` for warmup + duration seconds.

    Only requests sent after the warm-up and before the end are counted; every reply is
    checked against the expected status and length.
    """
    request = encode(port, scenario.path, scenario.headers)
    begin = time.perf_counter()
    record_from, stop_at = begin + warmup, begin + warmup + duration
    tallies = [_Tally() for _ in range(concurrency)]
    cpu: dict[str, float | None] = {}
    workers = [
        asyncio.create_task(_worker(port, request, scenario, record_from, stop_at, tally))
        for tally in tallies
    ]
    sampler = asyncio.create_task(_sample_cpu(record_from, stop_at, server_pid, cpu))
    await asyncio.wait_for(asyncio.gather(*workers, sampler), timeout=warmup + duration + 120)
    return _summarise(scenario, concurrency, duration, tallies, cpu)


async def _sample_cpu(
    record_from: float, stop_at: float, pid: int, into: dict[str, float | None]
) -> None:
    await asyncio.sleep(max(0.0, record_from - time.perf_counter()))
    into["client0"], into["server0"] = time.process_time(), cpu_seconds(pid)
    await asyncio.sleep(max(0.0, stop_at - time.perf_counter()))
    into["client1"], into["server1"] = time.process_time(), cpu_seconds(pid)


async def _worker(
    port: int,
    request: bytes,
    scenario: Scenario,
    record_from: float,
    stop_at: float,
    tally: _Tally,
) -> None:
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    failures_in_a_row = 0
    while (sent := time.perf_counter()) < stop_at and failures_in_a_row < _TOO_MANY_FAILURES:
        counted = sent >= record_from
        try:
            if streams is None:
                streams = await asyncio.open_connection(HOST, port, limit=_LIMIT)
            reader, writer = streams
            writer.write(request)
            await writer.drain()
            status, headers, length, _ = await _read_reply(reader, keep=False)
        except (
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ProtocolError,
        ) as exc:
            failures_in_a_row += 1
            if counted:
                tally.errors[type(exc).__name__] += 1
            await _closed(streams)
            streams = None
            continue
        failures_in_a_row = 0
        if headers.get("connection", "").lower() == "close":
            await _closed(streams)
            streams = None
        if counted:
            tally.latencies.append(time.perf_counter() - sent)
            tally.statuses[status] += 1
            tally.body_bytes += length
            if (
                scenario.length is not None
                and status == scenario.status
                and length != scenario.length
            ):
                tally.wrong_length += 1
    await _closed(streams)


async def _closed(
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None,
) -> None:
    if streams is not None:
        writer = streams[1]
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def _summarise(
    scenario: Scenario,
    concurrency: int,
    duration: float,
    tallies: list[_Tally],
    cpu: dict[str, float | None],
) -> LoadResult:
    latencies = sorted(x for t in tallies for x in t.latencies)
    statuses: Counter[int] = sum((t.statuses for t in tallies), Counter())
    errors: Counter[str] = sum((t.errors for t in tallies), Counter())
    requests = len(latencies)
    server0, server1 = cpu.get("server0"), cpu.get("server1")
    return LoadResult(
        label=scenario.label,
        path=scenario.path,
        expected_status=scenario.status,
        concurrency=concurrency,
        seconds=duration,
        requests=requests,
        rps=requests / duration,
        p50_ms=_quantile(latencies, 0.50),
        p90_ms=_quantile(latencies, 0.90),
        p99_ms=_quantile(latencies, 0.99),
        max_ms=1000 * latencies[-1] if latencies else float("nan"),
        statuses=dict(statuses),
        errors=dict(errors),
        wrong_status=requests - statuses.get(scenario.status, 0),
        wrong_length=sum(t.wrong_length for t in tallies),
        mb_per_s=sum(t.body_bytes for t in tallies) / duration / 1e6,
        client_cpu_s=(cpu["client1"] or 0.0) - (cpu["client0"] or 0.0),
        server_cpu_s=None if server0 is None or server1 is None else server1 - server0,
    )


def _quantile(ordered: list[float], q: float) -> float:
    """The q-quantile in milliseconds (nearest rank)."""
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return 1000 * ordered[0]
    return 1000 * statistics.quantiles(ordered, n=1000, method="inclusive")[round(q * 1000) - 1]
