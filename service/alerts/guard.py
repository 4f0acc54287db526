"""Where a webhook may point: https to public addresses, unless an allow-list says otherwise.

The check resolves the host once and returns the address it approved; the sender connects
to that address (keeping the host name for the Host header and TLS), so a DNS answer that
changes between the check and the connection cannot redirect a webhook into the network.
IPv6 addresses that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are judged
by that address too, and a refusal never says what a host name resolved to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
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
_IPV4_COMPATIBLE = IPv6Network("::/96")
_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")
# Not public whatever they embed: local-use NAT64 (RFC 8215) is a site's own translator, and a
# 6to4 or Teredo address may name a host behind a public IPv4 address (IANA: not global).
_NEVER_PUBLIC = (IPv6Network("64:ff9b:1::/48"), IPv6Network("2002::/16"), IPv6Network("2001::/32"))
_NOT_PUBLIC = "a loopback, private, link-local, multicast or reserved address"
_ALLOW_HINT = "TREATYCAL_WEBHOOK_ALLOW can allow it"
# Raw control characters, or percent-encoded ones: a CR or LF in a URL can split a request.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]|%(?:[01][0-9a-f]|7f)", re.IGNORECASE)


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
    named = not _is_address(host)
    addresses = _resolve(url, host, port, resolve) if named else [str(ipaddress.ip_address(host))]
    for address in addresses:
        _check_address(url, scheme, ipaddress.ip_address(address), allow, host if named else None)
    return Target(url, scheme, host, port, path, addresses[0])


async def check_url_async(
    url: str, allow: Sequence[Network], resolve: Resolver = system_resolver
) -> Target:
    """check_url without blocking the event loop on DNS (an address needs no lookup)."""
    if _is_address(_parts(url)[1]):
        return check_url(url, allow, resolve)
    return await asyncio.to_thread(check_url, url, allow, resolve)


def _resolve(url: str, host: str, port: int, resolve: Resolver) -> list[str]:
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise WebhookTargetRefused(url, f"the host {host!r} does not resolve ({exc})") from exc
    if not addresses:
        raise WebhookTargetRefused(url, f"the host {host!r} has no address")
    return addresses


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _parts(url: str) -> tuple[str, str, int, str]:
    if _CONTROL.search(url):
        raise WebhookTargetRefused(url, "it contains a control character (CR, LF or the like)")
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


def _check_address(
    url: str, scheme: str, address: IPAddress, allow: Sequence[Network], name: str | None
) -> None:
    """Refuse what is neither allowed nor public; for a name, without saying what it resolved to."""
    if any(address in network for network in allow if network.version == address.version):
        return
    culprit = _not_public(address)
    if culprit is not None:
        raise WebhookTargetRefused(url, _refusal(address, culprit, name))
    if scheme != "https":
        raise WebhookTargetRefused(url, "only https URLs are accepted for public addresses")


def _refusal(address: IPAddress, culprit: IPAddress, name: str | None) -> str:
    if name is not None:
        return f"{name} resolves to an address that is not public ({_NOT_PUBLIC}; {_ALLOW_HINT})"
    if culprit == address:
        return f"{address} is {_NOT_PUBLIC} ({_ALLOW_HINT})"
    return f"{address} embeds {culprit}, {_NOT_PUBLIC} ({_ALLOW_HINT})"


def _not_public(address: IPAddress) -> IPAddress | None:
    """What keeps `address` from being public: itself or an IPv4 it embeds; None if nothing."""
    if isinstance(address, IPv4Address):
        public = address.is_global and not address.is_multicast
        return None if public and address not in _SHARED_ADDRESS_SPACE else address
    carried = _carried_ipv4(address)
    if carried is not None:
        return _not_public(carried)
    for end in _tunnel_ends(address):
        if _not_public(end) is not None:
            return end
    never = any(address in network for network in _NEVER_PUBLIC)
    return None if address.is_global and not address.is_multicast and not never else address


def _carried_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address a mapped, compatible or NAT64 address stands for: it alone decides."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    compatible = address in _IPV4_COMPATIBLE and int(address) > 1  # not :: or ::1 themselves
    if compatible or address in _NAT64_WELL_KNOWN:
        return IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def _tunnel_ends(address: IPv6Address) -> tuple[IPv4Address, ...]:
    """The IPv4 addresses a 6to4 or Teredo address goes through (Teredo's client is unmasked)."""
    if address.sixtofour is not None:
        return (address.sixtofour,)
    return address.teredo or ()
