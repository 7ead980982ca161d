"""The project's DRF throttles: DRF's own, keyed on ``kei_community.core.client_ip``.

DRF's ``get_ident`` trusts ``X-Forwarded-For`` as the client sends it unless NUM_PROXIES is set;
these take the address from the one helper that honours ``settings.TRUSTED_PROXY_COUNT``. Use
them (or subclass ``ClientIpThrottleMixin``) for every throttle: a test walks every API view.
"""

from __future__ import annotations

from typing import Any

from rest_framework import throttling

from kei_community.core.client_ip import rate_limit_ident


class ClientIpThrottleMixin:
    def get_ident(self, request: Any) -> str:
        return rate_limit_ident(request)


class AnonRateThrottle(ClientIpThrottleMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientIpThrottleMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientIpThrottleMixin, throttling.ScopedRateThrottle):
    pass
