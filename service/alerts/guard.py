"""Where a webhook may point: https to public addresses, unless an allow-list says otherwise.

The check resolves the host once and returns the address it approved; the sender connects
to that address (keeping the host name for the Host header and TLS), so a DNS answer that
changes between the check and the connection cannot redirect a webhook into the network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from urllib.parse import urlsplit

from service.errors import WebhookTargetRefused

IPAddress = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
Resolver = Callable[[str, int], list[str]]

_SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")


@dataclass(frozen=True, slots=True)
class Target:
    """A checked webhook URL and the one address to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    address: str

    @property
    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{host}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host`."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str, allow: Sequence[Network], resolve: Resolver = system_resolver) -> Target:
    """The target for `url`, or WebhookTargetRefused saying why it may not be used."""
    scheme, host, port, path = _parts(url)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise WebhookTargetRefused(url, f"the host {host!r} does not resolve ({exc})") from exc
    if not addresses:
        raise WebhookTargetRefused(url, f"the host {host!r} has no address")
    for address in addresses:
        _check_address(url, scheme, ipaddress.ip_address(address), allow)
    return Target(url, scheme, host, port, path, addresses[0])


async def check_url_async(
    url: str, allow: Sequence[Network], resolve: Resolver = system_resolver
) -> Target:
    """check_url without blocking the event loop on DNS (an address needs no lookup)."""
    if _is_address(urlsplit(url).hostname or ""):
        return check_url(url, allow, resolve)
    return await asyncio.to_thread(check_url, url, allow, resolve)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _parts(url: str) -> tuple[str, str, int, str]:
    try:
        split = urlsplit(url)
        port = split.port
    except ValueError as exc:
        raise WebhookTargetRefused(url, f"it is not a valid URL ({exc})") from exc
    scheme = split.scheme.lower()
    if scheme not in {"https", "http"}:
        raise WebhookTargetRefused(url, "only https URLs are accepted")
    if not split.hostname:
        raise WebhookTargetRefused(url, "it has no host")
    if split.username is not None or split.password is not None:
        raise WebhookTargetRefused(url, "credentials in the URL are not accepted; use the secret")
    path = (split.path or "/") + (f"?{split.query}" if split.query else "")
    return scheme, split.hostname, port or (443 if scheme == "https" else 80), path


def _check_address(url: str, scheme: str, address: IPAddress, allow: Sequence[Network]) -> None:
    if any(address in network for network in allow if network.version == address.version):
        return
    if not _is_public(address):
        raise WebhookTargetRefused(
            url,
            f"{address} is a loopback, private, link-local, multicast or reserved address "
            "(TREATYCAL_WEBHOOK_ALLOW can allow it)",
        )
    if scheme != "https":
        raise WebhookTargetRefused(url, "only https URLs are accepted for public addresses")


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return _is_public(address.ipv4_mapped)
    if isinstance(address, IPv4Address) and address in _SHARED_ADDRESS_SPACE:
        return False
    return address.is_global and not address.is_multicast
