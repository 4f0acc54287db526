"""Where a webhook may point. Resolution is given as a function, so no test needs real DNS."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from service.alerts.guard import check_url, check_url_async, system_resolver
from service.errors import WebhookTargetRefused

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))


def resolving_to(*addresses: str):
    def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


def test_https_to_a_public_address_is_accepted_and_pinned():
    target = check_url(
        "https://hooks.example.org:8443/in?team=arms", (), resolving_to("93.184.216.34")
    )
    pinned = (target.scheme, target.address, target.port, target.path)
    assert pinned == ("https", "93.184.216.34", 8443, "/in?team=arms")
    assert target.host_header == "hooks.example.org:8443"
    six = check_url("https://hooks.example.org/", (), resolving_to("2606:2800:220:1::1"))
    assert (six.address, six.port, six.host_header) == (
        "2606:2800:220:1::1",
        443,
        "hooks.example.org",
    )


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.251",
        "255.255.255.255",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_addresses_that_are_not_public_are_refused(address: str):
    with pytest.raises(WebhookTargetRefused, match="loopback, private, link-local"):
        check_url("https://hooks.example.org/", (), resolving_to(address))


def test_one_private_answer_among_public_ones_is_enough_to_refuse():
    with pytest.raises(WebhookTargetRefused, match="resolves to an address that is not public"):
        check_url("https://hooks.example.org/", (), resolving_to("93.184.216.34", "10.0.0.5"))


def _teredo(server: str, client: str) -> str:
    """A Teredo address: 2001::/32, the server's IPv4, then the client's IPv4 inverted."""
    inverted = int(ipaddress.IPv4Address(client)) ^ 0xFFFF_FFFF
    server_bits = int(ipaddress.IPv4Address(server)) << 64
    return str(ipaddress.IPv6Address((0x2001_0000 << 96) | server_bits | inverted))


@pytest.mark.parametrize(
    ("host", "embedded"),
    [
        ("::7f00:1", "127.0.0.1"),  # IPv4-compatible, hex
        ("::127.0.0.1", "127.0.0.1"),  # IPv4-compatible, dotted
        ("::ffff:127.0.0.1", "127.0.0.1"),  # IPv4-mapped
        ("::ffff:a9fe:a9fe", "169.254.169.254"),
        ("64:ff9b::7f00:1", "127.0.0.1"),  # NAT64 well-known prefix
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
        ("2002:7f00:1::", "127.0.0.1"),  # 6to4
        ("2002:a00:1::", "10.0.0.1"),
        ("2002:6440:1::", "100.64.0.1"),
        (_teredo("10.0.0.1", "8.8.8.8"), "10.0.0.1"),  # Teredo server
        (_teredo("65.54.227.120", "192.168.1.1"), "192.168.1.1"),  # Teredo client
    ],
)
def test_ipv6_addresses_embedding_an_ipv4_that_is_not_public_are_refused(
    host: str, embedded: str
) -> None:
    shown = ipaddress.ip_address(host)
    with pytest.raises(WebhookTargetRefused, match=f"{shown} embeds {embedded}, a loopback"):
        check_url(f"https://[{host}]/x", (), system_resolver)


@pytest.mark.parametrize(
    "host",
    [
        "64:ff9b:1::a00:1",  # NAT64 local-use prefix: never public, whatever it embeds
        "64:ff9b:1::808:808",
        "2002:808:808::1",  # 6to4 and Teredo: not globally reachable even with public ends
        _teredo("65.54.227.120", "8.8.8.8"),
    ],
)
def test_local_use_nat64_6to4_and_teredo_are_refused_even_with_public_ipv4(host: str) -> None:
    with pytest.raises(WebhookTargetRefused, match=f"{ipaddress.ip_address(host)} is a loopback"):
        check_url(f"https://[{host}]/x", (), system_resolver)


@pytest.mark.parametrize(
    "host", ["::ffff:8.8.8.8", "::808:808", "64:ff9b::808:808", "64:ff9b::5db8:d822"]
)
def test_mapped_compatible_and_nat64_addresses_of_a_public_ipv4_are_accepted(host: str) -> None:
    """They reach the IPv4 address they carry, so that address decides."""
    target = check_url(f"https://[{host}]/x", (), system_resolver)
    assert ipaddress.ip_address(target.address) == ipaddress.ip_address(host)


def test_an_address_in_the_url_is_used_as_written_without_a_lookup() -> None:
    target = check_url("https://93.184.216.34/x", (), resolving_to("10.0.0.1"))
    assert (target.address, target.port, target.path) == ("93.184.216.34", 443, "/x")


@pytest.mark.parametrize(
    ("address", "hidden"),
    [
        ("10.0.0.5", "10.0.0.5"),
        ("::7f00:1", "127.0.0.1"),
        ("::ffff:10.0.0.5", "10.0.0.5"),
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
        ("64:ff9b:1::a00:1", "64:ff9b:1::a00:1"),
        ("2002:a00:1::", "10.0.0.1"),
        (_teredo("10.0.0.1", "8.8.8.8"), "10.0.0.1"),
    ],
)
def test_a_name_resolving_to_an_address_that_is_not_public_is_refused_without_saying_it(
    address: str, hidden: str
) -> None:
    with pytest.raises(WebhookTargetRefused) as refused:
        check_url("https://hooks.internal/x", (), resolving_to("93.184.216.34", address))
    message = str(refused.value)
    assert "hooks.internal resolves to an address that is not public" in message
    assert hidden not in message
    assert address not in message and str(ipaddress.ip_address(address)) not in message


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.org/in\r\nX-Injected: 1",
        "https://hooks.example.org/in\nX-Injected: 1",
        "https://hooks.example.org/in\rX-Injected: 1",
        "https://hooks.example.org\r\n/in",
        "https://hooks.example.org/in%0d%0aX-Injected:%201",
        "https://hooks.example.org/in%0D%0AX-Injected:%201",
        "https://hooks.example.org/in?team=%0a",
        "https://hooks.example.org/in\tx",
        "https://hooks.example.org/in\x00",
        "https://hooks.example.org/in%00",
        "https://hooks.example.org/in\x7f",
    ],
)
def test_urls_with_control_characters_raw_or_percent_encoded_are_refused(url: str) -> None:
    with pytest.raises(WebhookTargetRefused, match="control character"):
        check_url(url, (), resolving_to("93.184.216.34"))


def test_the_async_check_refuses_a_url_it_cannot_parse() -> None:
    with pytest.raises(WebhookTargetRefused, match="not a valid URL"):
        asyncio.run(check_url_async("https://[::1/x", (), resolving_to("93.184.216.34")))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/", "only https"),
        ("ftp://hooks.example.org/", "only https"),
        ("https://user:pw@hooks.example.org/", "credentials"),
        ("https:///nohost", "no host"),
        ("https://hooks.example.org:99999/", "not a valid URL"),
    ],
)
def test_urls_of_the_wrong_form_are_refused(url: str, message: str):
    with pytest.raises(WebhookTargetRefused, match=message):
        check_url(url, (), resolving_to("93.184.216.34"))


def test_the_allow_list_admits_loopback_and_plain_http_there():
    target = check_url("http://127.0.0.1:8080/hook", LOOPBACK, system_resolver)
    assert (target.scheme, target.address, target.port) == ("http", "127.0.0.1", 8080)
    with pytest.raises(WebhookTargetRefused):
        check_url("http://127.0.0.2:8080/hook", LOOPBACK, system_resolver)


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(WebhookTargetRefused, match="does not resolve"):
        check_url("https://no-such-host.invalid/", (), system_resolver)
