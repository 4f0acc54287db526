"""The webhook client over real sockets on loopback: TLS, kept-alive connections, framing,
and receivers that misbehave. Each test reads the Outcome the engine would store."""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.alerts import http
from service.alerts.delivery import Sender, SendPolicy
from service.store import Claimed, Outcome
from service.store.subscriptions import new_secret
from tests.support.raw_http import (
    NO_CONTENT,
    Certificates,
    RawServer,
    Request,
    Writer,
    slowly,
)
from tests.support.receiver import PAYLOAD, Received, claimed, verify_signature

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
POLICY = SendPolicy(allow=LOOPBACK, timeout=timedelta(seconds=2), concurrency=4)
HOOKS_HOST = "hooks.example"


def _claims(url: str, count: int) -> list[Claimed]:
    """`count` messages to `url`, msg_0000 first."""
    return [claimed(url, new_secret(), number) for number in range(count)]


def _resolve_hooks_host(host: str, _port: int) -> list[str]:
    if host != HOOKS_HOST:
        raise OSError(f"unknown host {host}")
    return ["127.0.0.1"]


def _send_in_turn(
    claims: Sequence[Claimed],
    policy: SendPolicy = POLICY,
    tls: object = None,
    pause: float = 0.0,
) -> list[Outcome]:
    """One sender, one attempt after another (so connections can be reused between them)."""

    async def run() -> list[Outcome]:
        outcomes = []
        async with Sender(
            policy,
            lambda: datetime.now(UTC),
            resolve=_resolve_hooks_host,
            rng=random.Random(3),
            tls=tls,  # type: ignore[arg-type]
        ) as sender:
            for claimed in claims:
                outcomes.append(await sender.send(claimed))
                await asyncio.sleep(pause)
        return outcomes

    return asyncio.run(run())


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates.make(tmp_path_factory.mktemp("tls"), HOOKS_HOST)


# ---------------------------------------------------------------------------- TLS


def test_an_https_receiver_is_reached_at_the_checked_address_by_its_name(
    certificates: Certificates,
):
    secret = new_secret()
    server = RawServer(tls=certificates.server_context())
    with server.running():
        url = server.url(HOOKS_HOST, "https")
        (outcome,) = _send_in_turn([claimed(url, secret)], tls=certificates.client_context())
    assert outcome.succeeded and outcome.status_code == 204, outcome.error
    assert server.server_names == [HOOKS_HOST]  # SNI names the host, not the address
    (request,) = server.requests
    assert request.head.startswith(b"POST /hooks HTTP/1.1\r\n")
    assert request.headers["host"] == f"{HOOKS_HOST}:{server.port}"
    assert request.body == PAYLOAD.encode()
    received = Received(request.headers, request.body, 0.0)
    assert verify_signature(secret, received)


def test_a_certificate_for_another_name_is_refused_before_anything_is_sent(
    tmp_path: Path, certificates: Certificates
):
    other = Certificates.make(tmp_path, "elsewhere.example")
    server = RawServer(tls=other.server_context())
    with server.running():
        (outcome,) = _send_in_turn(
            [claimed(server.url(HOOKS_HOST, "https"), new_secret())], tls=other.client_context()
        )
    assert not outcome.succeeded and outcome.retry_at is not None
    assert outcome.error is not None and outcome.error.startswith("TLS failed (")
    assert HOOKS_HOST in outcome.error  # "Hostname mismatch, certificate is not valid for ..."
    assert server.requests == []


def test_a_certificate_from_an_unknown_authority_is_refused(certificates: Certificates):
    server = RawServer(tls=certificates.server_context())
    with server.running():
        (outcome,) = _send_in_turn([claimed(server.url(HOOKS_HOST, "https"), new_secret())])
    assert outcome.error is not None and "TLS failed" in outcome.error
    assert "certificate" in outcome.error
    assert server.requests == []


def test_tls_connections_are_kept_alive_too(certificates: Certificates):
    server = RawServer(tls=certificates.server_context())
    with server.running():
        url = server.url(HOOKS_HOST, "https")
        outcomes = _send_in_turn(_claims(url, 5), tls=certificates.client_context())
    assert all(outcome.succeeded for outcome in outcomes)
    assert server.connections == 1 and len(server.requests) == 5


def test_a_path_with_spaces_or_letters_beyond_ascii_is_sent_escaped():
    server = RawServer()
    with server.running():
        url = f"http://127.0.0.1:{server.port}/hooks/r\u00e9sum\u00e9 desk?team=arms control"
        (outcome,) = _send_in_turn([claimed(url, new_secret())])
    assert outcome.succeeded, outcome.error
    (request,) = server.requests
    assert request.head.startswith(b"POST /hooks/r%C3%A9sum%C3%A9%20desk?team=arms%20control ")


# ---------------------------------------------------------------------------- keep-alive


@pytest.mark.parametrize(
    "answer",
    [
        NO_CONTENT,
        b'HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\n{"ok":true}',
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        b"4;note=first\r\nfine\r\n3\r\n, t\r\n6\r\nhanks.\r\n0\r\nx-trailer: 1\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n",
    ],
    ids=["no-content", "content-length", "chunked-with-trailer", "after-100-continue"],
)
def test_one_connection_carries_one_webhook_after_another(answer: bytes):
    server = RawServer(lambda _request: answer)
    with server.running():
        outcomes = _send_in_turn(_claims(server.url(), 4))
    assert all(outcome.succeeded for outcome in outcomes), outcomes[0].error
    assert [r.connection for r in server.requests] == [0, 0, 0, 0]
    assert [r.number for r in server.requests] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n",
        b"HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 70000\r\n\r\n" + b"x" * 70_000,
        b"HTTP/1.1 200 OK\r\n\r\nread until the connection closes",
    ],
    ids=["connection-close", "http-1.0", "body-too-long-to-drain", "body-until-close"],
)
def test_a_connection_that_cannot_carry_another_request_is_not_reused(answer: bytes):
    server = RawServer(lambda _request: answer)
    with server.running():
        outcomes = _send_in_turn(_claims(server.url(), 3))
    assert all(outcome.succeeded for outcome in outcomes), outcomes[0].error
    assert [r.connection for r in server.requests] == [0, 1, 2]


def test_an_answer_whose_body_never_comes_still_counts_by_its_status():
    stalled = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n"  # and then nothing
    server = RawServer(lambda _request: stalled)
    with server.running():
        outcomes = _send_in_turn(_claims(server.url(), 2))
    assert [(o.succeeded, o.status_code) for o in outcomes] == [(True, 200), (True, 200)]
    assert [r.connection for r in server.requests] == [0, 1]  # the stalled one was dropped


def test_a_kept_connection_the_receiver_dropped_is_replaced_without_a_failure():
    def answer(request: Request) -> bytes | None:
        dropped = (request.connection, request.number) == (0, 1)
        return None if dropped else NO_CONTENT  # the first connection drops its second request

    server = RawServer(answer)
    with server.running():
        outcomes = _send_in_turn(_claims(server.url(), 3))
    assert all(outcome.succeeded for outcome in outcomes)
    ids = [(r.connection, r.headers["webhook-id"]) for r in server.requests]
    # the second message met the dropped connection, and went again on a new one
    assert ids == [(0, "msg_0000"), (0, "msg_0001"), (1, "msg_0001"), (1, "msg_0002")]


def _then_close(answer: bytes) -> Writer:
    def write(client: socket.socket) -> None:
        client.sendall(answer)
        client.shutdown(socket.SHUT_RDWR)

    return write


def test_a_connection_the_receiver_closed_while_idle_is_not_tried_again():
    server = RawServer(lambda _request: _then_close(NO_CONTENT))
    with server.running():
        outcomes = _send_in_turn(_claims(server.url(), 3), pause=0.3)
    assert all(outcome.succeeded for outcome in outcomes)
    ids = [(r.connection, r.headers["webhook-id"]) for r in server.requests]
    assert ids == [(0, "msg_0000"), (1, "msg_0001"), (2, "msg_0002")]  # each sent once


def test_a_connection_idle_longer_than_receivers_keep_them_is_not_reused(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(http, "IDLE_FOR_S", 0.2)
    server = RawServer()
    with server.running():
        outcomes = _send_in_turn(_claims(server.url(), 2), pause=0.4)
    assert all(outcome.succeeded for outcome in outcomes)
    assert [r.connection for r in server.requests] == [0, 1]


# ---------------------------------------------------------------------------- failures


def test_a_new_connection_closed_before_an_answer_is_a_failure_to_retry():
    server = RawServer(lambda _request: None)
    with server.running():
        (outcome,) = _send_in_turn([claimed(server.url(), new_secret())])
    assert outcome.error == "the connection closed before an answer"
    assert outcome.retry_at is not None
    assert server.connections == 1  # a new connection is not tried twice


def test_an_answer_cut_off_mid_head_is_a_failure():
    server = RawServer(lambda _request: _then_close(b"HTTP/1.1 200 OK\r\ncontent-le"))
    with server.running():
        (outcome,) = _send_in_turn([claimed(server.url(), new_secret())])
    assert outcome.error == "the connection closed in the middle of an answer"


def test_an_endless_head_is_refused_at_its_limit():
    endless = b"HTTP/1.1 200 OK\r\n" + b"x-padding: " + b"y" * (http.HEAD_LIMIT + 10)
    server = RawServer(lambda _request: endless + b"\r\n\r\n")
    with server.running():
        (outcome,) = _send_in_turn([claimed(server.url(), new_secret())])
    assert outcome.error == f"the answer's headers are longer than {http.HEAD_LIMIT} bytes"


def test_an_answer_that_is_not_http_is_a_failure():
    server = RawServer(lambda _request: b"SSH-2.0-OpenSSH_9.2\r\n\r\n")
    with server.running():
        (outcome,) = _send_in_turn([claimed(server.url(), new_secret())])
    assert outcome.error == "the answer is not HTTP/1.x ('SSH-2.0-OpenSSH_9.2')"


def test_a_refused_connection_says_so():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    (outcome,) = _send_in_turn(
        [claimed(url, new_secret())]
    )  # nothing listens on that port any more
    assert outcome.error == "could not connect (Connection refused)"
    assert outcome.retry_at is not None


def test_the_timeout_bounds_the_whole_exchange_not_each_read():
    # every byte comes within 0.2 s of the last, but the whole answer takes 2 s
    head = [bytes([b]) for b in b"HTTP/1.1 204 No Content\r\n\r\n"][:10]
    server = RawServer(lambda _request: slowly(head, 0.2))
    quick = SendPolicy(allow=LOOPBACK, timeout=timedelta(seconds=0.6), concurrency=1)
    with server.running():
        (outcome,) = _send_in_turn([claimed(server.url(), new_secret())], quick)
    assert outcome.error == "timed out"
    assert outcome.latency_ms < 1500
    assert outcome.retry_at is not None
    assert outcome.retry_at - outcome.attempted_at >= timedelta(seconds=60)


def test_retry_after_is_read_from_the_answer():
    server = RawServer(
        lambda _r: b"HTTP/1.1 429 Too Many\r\nRetry-After: 90\r\ncontent-length: 0\r\n\r\n"
    )
    with server.running():
        (outcome,) = _send_in_turn([claimed(server.url(), new_secret())])
    assert outcome.status_code == 429 and outcome.retry_at is not None
    assert outcome.retry_at - outcome.attempted_at >= timedelta(seconds=90)
