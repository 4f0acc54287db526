"""Where a webhook may point. Resolution is given as a function, so no test needs real DNS."""

from __future__ import annotations

import ipaddress

import pytest

from service.alerts.guard import check_url, system_resolver
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
    assert target.address == "93.184.216.34"
    assert target.pinned_url == "https://93.184.216.34:8443/in?team=arms"
    assert target.host_header == "hooks.example.org:8443"
    six = check_url("https://hooks.example.org/", (), resolving_to("2606:2800:220:1::1"))
    assert (
        six.pinned_url == "https://[2606:2800:220:1::1]:443/"
        and six.host_header == "hooks.example.org"
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
    with pytest.raises(WebhookTargetRefused, match=r"10\.0\.0\.5"):
        check_url("https://hooks.example.org/", (), resolving_to("93.184.216.34", "10.0.0.5"))


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
    assert target.pinned_url == "http://127.0.0.1:8080/hook"
    with pytest.raises(WebhookTargetRefused):
        check_url("http://127.0.0.2:8080/hook", LOOPBACK, system_resolver)


def test_a_name_that_does_not_resolve_is_refused():
    with pytest.raises(WebhookTargetRefused, match="does not resolve"):
        check_url("https://no-such-host.invalid/", (), system_resolver)
