"""A scripted HTTP/1.1 server on 127.0.0.1 (plain or TLS) that answers with the exact bytes a
test gives, so the webhook client meets answers no well-behaved server library would send:
bodies chunked or too long, connections closed before an answer, heads that never end.

It counts connections and records what arrived on each, and which name TLS clients asked for.
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Request:
    connection: int
    """Which connection (0, 1, ...) it came on."""
    number: int
    """Its place on that connection (0 for the first)."""
    head: bytes
    body: bytes

    @property
    def headers(self) -> dict[str, str]:
        lines = self.head.decode("latin-1").split("\r\n")[1:]
        pairs = (line.split(":", 1) for line in lines if ":" in line)
        return {name.strip().lower(): value.strip() for name, value in pairs}


Writer = Callable[[socket.socket], None]
Script = Callable[[Request], bytes | Writer | None]
"""What to write back for a request: the bytes of the answer, a function that writes them
(see `slowly`), or None to close the connection at once."""

NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"


@dataclass
class RawServer:
    script: Script = lambda _request: NO_CONTENT
    tls: ssl.SSLContext | None = None
    requests: list[Request] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)
    connections: int = 0
    port: int = field(init=False)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._lock = threading.Lock()
        if self.tls is not None:
            self.tls.sni_callback = self._named

    def url(self, host: str = "127.0.0.1", scheme: str = "http") -> str:
        return f"{scheme}://{host}:{self.port}/hooks"

    @contextmanager
    def running(self) -> Iterator[RawServer]:
        accepting = threading.Thread(target=self._accept, daemon=True)
        accepting.start()
        try:
            yield self
        finally:
            self._listener.close()

    def _named(self, _socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        self.server_names.append(name)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                number = self.connections
                self.connections += 1
            threading.Thread(target=self._serve, args=(client, number), daemon=True).start()

    def _serve(self, client: socket.socket, connection: int) -> None:
        try:
            if self.tls is not None:
                client = self.tls.wrap_socket(client, server_side=True)
            with client, client.makefile("rb") as stream:
                for number in range(1000):
                    request = _read_request(stream, connection, number)
                    if request is None:
                        return
                    with self._lock:
                        self.requests.append(request)
                    answer = self.script(request)
                    if answer is None:
                        return
                    if isinstance(answer, bytes):
                        client.sendall(answer)
                    else:
                        answer(client)
        except (OSError, ssl.SSLError):
            return  # a client that gave up, or one that refused our certificate


def _read_request(stream: object, connection: int, number: int) -> Request | None:
    lines = []
    while True:
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            return None
        lines.append(line)
        if line == b"\r\n":
            break
    head = b"".join(lines)[:-4]
    length = Request(connection, number, head, b"").headers.get("content-length", "0")
    body = stream.read(int(length))  # type: ignore[attr-defined]
    return Request(connection, number, head, body)


@dataclass(frozen=True)
class Certificates:
    """A throwaway CA and a server certificate it signed for one DNS name, made by openssl."""

    ca: Path
    certificate: Path
    key: Path

    @classmethod
    def make(cls, folder: Path, name: str) -> Certificates:
        ca_key, ca, key, request, certificate = (
            folder / f for f in ("ca.key", "ca.pem", "leaf.key", "leaf.csr", "leaf.pem")
        )
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        ca_extensions = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign"]
        authority = ["-subj", "/CN=treatycal test CA", "-days", "2"]
        for extension in ca_extensions:
            authority += ["-addext", extension]
        _openssl("req", "-x509", *ec, "-keyout", ca_key, "-out", ca, *authority)
        _openssl("req", *ec, "-keyout", key, "-out", request, "-subj", f"/CN={name}")
        extensions = folder / "leaf.ext"
        extensions.write_text(
            f"subjectAltName=DNS:{name}\nbasicConstraints=CA:FALSE\n"
            "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        )
        signing = ["-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2"]
        _openssl(
            "x509", "-req", "-in", request, *signing, "-out", certificate, "-extfile", extensions
        )
        return cls(ca, certificate, key)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))


def _openssl(*arguments: object) -> None:
    subprocess.run(["openssl", *map(str, arguments)], check=True, capture_output=True)


def slowly(chunks: list[bytes], every: float) -> Writer:
    """Write `chunks` with a pause between each (a receiver that trickles its answer)."""

    def write(client: socket.socket) -> None:
        for chunk in chunks:
            client.sendall(chunk)
            time.sleep(every)

    return write
