"""A fast webhook receiver for the alerts bench, run in its own process (no shared GIL).

Run as `python -m tests.bench.alerts_receiver`. It listens on 127.0.0.1 (a free port), prints
`READY <port>`, and answers every POST with 204 over keep-alive HTTP/1.1, recording each
request's webhook-id and its arrival time (time.time(), once the whole body is in). It checks
a sample of signatures itself, with hmac and base64 only (Standard Webhooks: the key is the
base64 text after "whsec_", the signature base64(HMAC-SHA256(key, "{id}.{ts}.{body}"))).

Commands, one a line on standard input, each answered with one line on standard output:
  secret <whsec_...> <every>  verify every <every>-th request against this secret
  reset                       forget everything recorded             -> OK
  count                       -> COUNT <distinct ids> <requests>
  dump <path>                 write the records as JSON to <path>    -> DUMPED <requests>
The receiver exits when standard input closes, so it never outlives the bench.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

_REPLY = b"HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n"
_BAD = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
_MAX_HEAD = 64 * 1024


@dataclass
class Records:
    """What arrived, and what the signature checks found."""

    arrivals: list[tuple[str, float]] = field(default_factory=list)
    distinct: set[str] = field(default_factory=set)
    key: bytes | None = None
    every: int = 0
    verified: int = 0
    failed: int = 0
    failed_ids: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.arrivals.clear()
        self.distinct.clear()
        self.verified = self.failed = 0
        self.failed_ids.clear()

    def add(self, headers: dict[bytes, bytes], body: bytes, at: float) -> None:
        message_id = headers.get(b"webhook-id", b"").decode()
        self.arrivals.append((message_id, at))
        self.distinct.add(message_id)
        if self.key is not None and self.every and len(self.arrivals) % self.every == 1:
            self._verify(message_id, headers, body)

    def _verify(self, message_id: str, headers: dict[bytes, bytes], body: bytes) -> None:
        assert self.key is not None
        stamp = headers.get(b"webhook-timestamp", b"")
        signed = message_id.encode() + b"." + stamp + b"." + body
        expected = base64.b64encode(hmac.new(self.key, signed, hashlib.sha256).digest())
        offered = [
            part.split(b",", 1)[1]
            for part in headers.get(b"webhook-signature", b"").split()
            if part.startswith(b"v1,")
        ]
        if any(hmac.compare_digest(expected, sig) for sig in offered):
            self.verified += 1
            return
        self.failed += 1
        if len(self.failed_ids) < 20:
            self.failed_ids.append(message_id)


class Hook(asyncio.Protocol):
    """One keep-alive connection: parse Content-Length requests, answer each with 204."""

    def __init__(self, records: Records) -> None:
        self.records = records
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self._one_request():
            pass

    def _one_request(self) -> bool:
        assert self.transport is not None
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > _MAX_HEAD:
                self._refuse()
            return False
        headers = _headers(bytes(self.buffer[:end]))
        try:
            length = int(headers.get(b"content-length", b"0"))
        except ValueError:
            self._refuse()
            return False
        if len(self.buffer) < end + 4 + length:
            return False
        body = bytes(self.buffer[end + 4 : end + 4 + length])
        del self.buffer[: end + 4 + length]
        self.records.add(headers, body, time.time())
        self.transport.write(_REPLY)
        return True

    def _refuse(self) -> None:
        assert self.transport is not None
        self.transport.write(_BAD)
        self.transport.close()
        self.buffer.clear()


def _headers(head: bytes) -> dict[bytes, bytes]:
    found = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        found[name.strip().lower()] = value.strip()
    return found


def _command(records: Records, line: str) -> str:
    verb, *args = line.split()
    if verb == "secret":
        records.key = base64.b64decode(args[0].removeprefix("whsec_"))
        records.every = int(args[1])
        return "OK"
    if verb == "reset":
        records.reset()
        return "OK"
    if verb == "count":
        return f"COUNT {len(records.distinct)} {len(records.arrivals)}"
    if verb == "dump":
        document = {
            "arrivals": records.arrivals,
            "verified": records.verified,
            "failed": records.failed,
            "failed_ids": records.failed_ids,
        }
        Path(args[0]).write_text(json.dumps(document))
        return f"DUMPED {len(records.arrivals)}"
    return f"ERROR unknown command {verb!r}"


async def _commands(records: Records) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while raw := await reader.readline():
        line = raw.decode().strip()
        if line:
            print(_command(records, line), flush=True)


async def main() -> None:
    records = Records()
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    server = await asyncio.get_running_loop().create_server(
        lambda: Hook(records), sock=listener, backlog=1024
    )
    print(f"READY {listener.getsockname()[1]}", flush=True)
    async with server:
        await _commands(records)


if __name__ == "__main__":
    asyncio.run(main())
