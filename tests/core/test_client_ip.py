"""The one place the client's address comes from, and everything that keys on it."""

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from kei_community.core.client_ip import client_ip, rate_limit_ident


def _request(xff: str | None = None, remote_addr: str = "192.0.2.1"):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": remote_addr}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_by_default_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("198.51.100.7")) == "192.0.2.1"


def test_the_default_trusts_no_proxy():
    from kei_community import settings as project_settings

    assert project_settings.TRUSTED_PROXY_COUNT == 0
    assert project_settings.REST_FRAMEWORK["NUM_PROXIES"] == project_settings.TRUSTED_PROXY_COUNT


@pytest.mark.parametrize(
    ("count", "xff", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "10.9.9.9, 198.51.100.7", "198.51.100.7"),
        (2, "10.9.9.9, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (1, " 198.51.100.7:4711 ", "198.51.100.7"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_with_n_trusted_proxies_the_nth_address_from_the_right_is_the_client(settings, count, xff, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(_request(xff)) == expected


@pytest.mark.parametrize("xff", [None, "", "198.51.100.7", "not-an-address, 10.0.0.2", " , 10.0.0.2"])
def test_a_missing_short_or_malformed_chain_falls_back_to_remote_addr(settings, xff):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(xff)) == "192.0.2.1"


def test_ipv6_clients_are_limited_per_64_network(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert rate_limit_ident(_request(remote_addr="2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::"
    assert rate_limit_ident(_request(remote_addr="2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::"
    assert rate_limit_ident(_request(remote_addr="192.0.2.1")) == "192.0.2.1"


def test_allauth_reads_the_address_from_the_helper(settings):
    from allauth.account.adapter import get_adapter

    settings.TRUSTED_PROXY_COUNT = 1
    request = _request("10.9.9.9, 198.51.100.7")
    assert get_adapter(request).get_client_ip(request) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 0
    assert get_adapter(request).get_client_ip(request) == "192.0.2.1"


def _api_views() -> list[type]:
    views: list[type] = []

    def walk(patterns: list) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                cls = getattr(pattern.callback, "cls", None)
                if cls is not None and hasattr(cls, "throttle_classes"):
                    views.append(cls)

    walk(get_resolver().url_patterns)
    return views


def test_every_api_throttle_keys_on_the_helper():
    from rest_framework.settings import api_settings

    from kei_community.core.api.throttling import ClientIpThrottleMixin

    views = _api_views()
    assert views, "no API views found"
    for throttle in api_settings.DEFAULT_THROTTLE_CLASSES:
        assert issubclass(throttle, ClientIpThrottleMixin), throttle
    for view in views:
        for throttle in view.throttle_classes:
            assert issubclass(throttle, ClientIpThrottleMixin), f"{view.__name__} uses {throttle.__name__}"
