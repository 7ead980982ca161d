"""The client's address: the one place the project reads it from.

``X-Forwarded-For`` is written by whoever sends the request, so it is trusted only as far as
``settings.TRUSTED_PROXY_COUNT`` says: with N proxies of our own in front of the app, each appends
the address it received the request from, so the Nth address from the right is the client's and
everything to its left is the client's own claim. With 0 (the default) the header is ignored.
A missing, short or malformed chain falls back to ``REMOTE_ADDR``.

Every throttle and rate limit keys on this helper: DRF throttles through
``kei_community.core.api.throttling``, allauth's rate limits through
``kei_community.users.adapters.AccountAdapter.get_client_ip``. Never read ``REMOTE_ADDR`` or
``X-Forwarded-For`` anywhere else.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http.request import split_domain_port

# Used when neither the chain nor REMOTE_ADDR holds an address (a misconfigured socket): every such
# request then shares one budget, which limits more, never less.
UNKNOWN = "unknown"
IPV6_PREFIX = 64  # the smallest network a single IPv6 customer is usually given


def _clean(value: str) -> str | None:
    """The address in ``value`` ("1.2.3.4", "1.2.3.4:80", "[::1]:443"), or None."""
    value = value.strip()
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    host, port = split_domain_port(value)
    if port and host:
        host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            return str(ipaddress.ip_address(host))
        except ValueError:
            return None
    return None


def trusted_proxy_count() -> int:
    return max(int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0), 0)


def client_ip(request: Any) -> str:
    """The address of the client that sent ``request`` (a Django or DRF request)."""
    meta = request.META
    count = trusted_proxy_count()
    if count:
        hops = (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if len(hops) >= count:
            address = _clean(hops[-count])
            if address:
                return address
    return _clean(meta.get("REMOTE_ADDR") or "") or UNKNOWN


def rate_limit_ident(request: Any) -> str:
    """What a rate limit counts by: the client address, an IPv6 client's whole /64 network.

    The same truncation allauth applies to its own limits (ALLAUTH_RATE_LIMIT_IPV6_PREFIX).
    """
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return address
