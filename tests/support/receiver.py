"""A real webhook receiver on 127.0.0.1, and a Standard Webhooks check written independently.

The check here does not use the `standardwebhooks` package the service signs with: it is
the spec's HMAC-SHA256 over "id.timestamp.body", so a signing bug cannot verify itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from service.store import Claimed


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


Answer = tuple[int, dict[str, str]]
PAYLOAD = '{"type":"deadline.reached","data":{"note":"New START — expired, 5 Feb"}}'


def claimed(url: str, secret: str, number: int = 1, attempts: int = 0) -> Claimed:
    """A delivery as a sender gets it from a claim: message msg_0001 for number 1."""
    return Claimed(
        id=number,
        message_id=f"msg_{number:04d}",
        subscription_id="sub_test",
        url=url,
        secret=secret,
        payload=PAYLOAD,
        attempt_count=attempts,
        lease_token="lease",
    )


Responder = Callable[[Received], Answer]


def verify_signature(secret: str, received: Received) -> bool:
    """Standard Webhooks v1: base64(HMAC-SHA256(key, f"{id}.{timestamp}.{body}"))."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{received.headers['webhook-id']}.{received.headers['webhook-timestamp']}.".encode()
    digest = hmac.new(key, signed + received.body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(digest).decode()
    offered = received.headers.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # the default of 5 refuses a sender with many connections open


class Receiver:
    """Records every request; answers 204 unless a responder says otherwise."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.responder = responder or (lambda _received: (204, {}))
        self.received: list[Received] = []
        self._lock = threading.Condition()
        self._server = _Server(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request: nothing was delivered
                    return
                got = Received({k.lower(): v for k, v in self.headers.items()}, body, time.time())
                receiver._record(got)
                status, answer_headers = receiver.responder(got)
                self.send_response(status)
                for name, value in answer_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        return Handler

    def _record(self, got: Received) -> None:
        with self._lock:
            self.received.append(got)
            self._lock.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The requests so far, once there are `count` of them (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.received) < count and time.monotonic() < deadline:
                self._lock.wait(deadline - time.monotonic())
            return list(self.received)

    @contextmanager
    def running(self) -> Iterator[Receiver]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
