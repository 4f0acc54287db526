"""HTTP/1.1 POSTs to checked webhook addresses, over connections kept alive between alerts.

A general-purpose client spent about a millisecond of CPU on each webhook (pool upkeep that
grows with the pool, header and URL models), which at a thousand alerts a second is a core.
A webhook needs much less: one request at a time on a connection to the address the guard
approved, TLS verified against the host name (and SNI naming it), one deadline for the whole
exchange, and an answer read only as far as its status and headers, its body skipped when it
is short and the connection dropped when it is not.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import string
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from service.alerts.guard import Target

HEAD_LIMIT = 64 * 1024
"""The most an answer's status line and headers may take."""
DRAIN_LIMIT = 64 * 1024
"""An answer body up to this size is read and dropped so that the connection can be reused."""
DRAIN_WAIT_S = 1.0
"""How long a body that was announced may take to arrive before the connection is dropped;
the answer's status is known by then and stands."""
IDLE_FOR_S = 4.0
"""A connection idle longer than this is closed rather than reused (receivers time out too)."""

_NO_BODY = frozenset({204, 304})
_Key = tuple[str, str, int, str]


class HTTPFailure(Exception):
    """The exchange failed before a whole answer's head arrived; the message says how."""


class HTTPTimeout(HTTPFailure):
    """No whole answer's head arrived within the deadline."""


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer's status and headers (names lower-cased, repeated ones joined by ", ")."""

    status: int
    headers: dict[str, str]


@dataclass(slots=True, eq=False)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    idle_since: float = field(default_factory=time.monotonic)

    def usable(self, now: float) -> bool:
        fresh = now - self.idle_since < IDLE_FOR_S
        return fresh and not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


class Connections:
    """Kept-alive connections by (scheme, address, port, host name); at most `keep` idle."""

    def __init__(self, keep: int, tls: ssl.SSLContext | None = None) -> None:
        self.keep = keep
        self.tls = tls or ssl.create_default_context()
        self._idle: dict[_Key, deque[_Connection]] = {}
        self._idle_count = 0

    async def post(
        self, target: Target, headers: Sequence[tuple[str, str]], body: bytes, timeout: float
    ) -> Answer:
        """POST `body` to the target within `timeout` seconds, or raise HTTPFailure."""
        request = _request(target, headers, body)
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(target, request)
        except TimeoutError:
            raise HTTPTimeout("timed out") from None

    async def _exchange(self, target: Target, request: bytes) -> Answer:
        key = (target.scheme, target.address, target.port, target.host)
        reused = self._take(key)
        if reused is not None:
            try:
                return await self._over(reused, key, request)
            except _ClosedBeforeAnswer:
                pass  # the receiver closed it while it was idle: try once on a new one
        connection = await self._connect(target)
        try:
            return await self._over(connection, key, request)
        except _ClosedBeforeAnswer:
            raise HTTPFailure("the connection closed before an answer") from None

    async def _over(self, connection: _Connection, key: _Key, request: bytes) -> Answer:
        try:
            answer, keep_alive = await _ask(connection, request)
        except BaseException:
            connection.close()
            raise
        if keep_alive and await _skip_body(connection.reader, answer):
            self._give_back(key, connection)
        else:
            connection.close()
        return answer

    async def _connect(self, target: Target) -> _Connection:
        tls = self.tls if target.scheme == "https" else None
        try:
            reader, writer = await asyncio.open_connection(
                target.address,
                target.port,
                ssl=tls,
                server_hostname=target.host if tls else None,
                limit=HEAD_LIMIT,
            )
        except ssl.SSLCertVerificationError as exc:
            raise HTTPFailure(f"TLS failed ({exc.verify_message or _reason(exc)})") from None
        except ssl.SSLError as exc:
            raise HTTPFailure(f"TLS failed ({_reason(exc)})") from None
        except OSError as exc:
            raise HTTPFailure(f"could not connect ({_reason(exc)})") from None
        return _Connection(reader, writer)

    def _take(self, key: _Key) -> _Connection | None:
        idle = self._idle.get(key)
        now = time.monotonic()
        while idle:
            connection = idle.pop()  # the most recently used is the likeliest to be open
            self._idle_count -= 1
            if connection.usable(now):
                return connection
            connection.close()
        self._idle.pop(key, None)
        return None

    def _give_back(self, key: _Key, connection: _Connection) -> None:
        if self._idle_count >= self.keep:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        self._idle.setdefault(key, deque()).append(connection)
        self._idle_count += 1

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
        self._idle_count = 0


class _ClosedBeforeAnswer(Exception):
    """The peer closed the connection before a byte of the answer came."""


def _request(target: Target, headers: Sequence[tuple[str, str]], body: bytes) -> bytes:
    path = quote(target.path, safe=string.punctuation)  # a space or a non-ASCII letter, escaped
    lines = [f"POST {path} HTTP/1.1", f"host: {_ascii(target.host_header)}"]
    lines += [f"{name}: {value}" for name, value in headers]
    lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


def _ascii(host: str) -> str:
    """The host as sent in the Host header: an internationalised name in its IDNA form."""
    return host if host.isascii() else host.encode("idna").decode("ascii")


async def _ask(connection: _Connection, request: bytes) -> tuple[Answer, bool]:
    """Send the request; the final answer's head, and whether the connection may be kept."""
    try:
        connection.writer.write(request)
        await connection.writer.drain()
        return await _read_head(connection.reader)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise HTTPFailure("the connection closed in the middle of an answer") from None
        raise _ClosedBeforeAnswer from None
    except (ConnectionResetError, BrokenPipeError):
        raise _ClosedBeforeAnswer from None
    except ssl.SSLError as exc:
        raise HTTPFailure(f"TLS failed ({_reason(exc)})") from None
    except OSError as exc:
        raise HTTPFailure(f"the connection failed ({_reason(exc)})") from None


async def _read_head(reader: asyncio.StreamReader) -> tuple[Answer, bool]:
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise HTTPFailure(f"the answer's headers are longer than {HEAD_LIMIT} bytes") from None
        version, answer = _parse_head(head)
        if not 100 <= answer.status < 200:
            break  # a 1xx (100 Continue, 103 Early Hints) is followed by the real answer
    keep_alive = version == "HTTP/1.1" and "close" not in _tokens(answer.headers, "connection")
    return answer, keep_alive


def _parse_head(head: bytes) -> tuple[str, Answer]:
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    code = rest[:3]
    if version not in {"HTTP/1.1", "HTTP/1.0"} or not code.isdigit() or len(code) != 3:
        raise HTTPFailure(f"the answer is not HTTP/1.x ({status_line[:40]!r})")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon:
            continue
        name = name.strip().lower()
        value = value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return version, Answer(int(code), headers)


def _tokens(headers: dict[str, str], name: str) -> set[str]:
    return {token.strip().lower() for token in headers.get(name, "").split(",")}


async def _skip_body(reader: asyncio.StreamReader, answer: Answer) -> bool:
    """Read past a short body; False when the connection cannot carry another request."""
    try:
        return await asyncio.wait_for(_skip(reader, answer), DRAIN_WAIT_S)
    except (HTTPFailure, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
        return False  # the answer is known; only the connection is lost (a slow body too)


async def _skip(reader: asyncio.StreamReader, answer: Answer) -> bool:
    if answer.status in _NO_BODY:
        return True
    if "chunked" in _tokens(answer.headers, "transfer-encoding"):
        return await _skip_chunks(reader)
    length = answer.headers.get("content-length", "")
    if not length.isdigit() or int(length) > DRAIN_LIMIT:
        return False  # read-until-close, or too long to be worth draining
    await reader.readexactly(int(length))
    return True


async def _skip_chunks(reader: asyncio.StreamReader) -> bool:
    skipped = 0
    while skipped <= DRAIN_LIMIT:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise HTTPFailure("the answer's chunked body is malformed") from None
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # a trailer field
            return True
        await reader.readexactly(size + 2)
        skipped += size
    return False


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)  # asyncio's own words name the address, which is private
    return str(exc) or type(exc).__name__
