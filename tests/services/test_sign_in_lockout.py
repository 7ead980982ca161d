"""The sign-in lockout against the real Redis cache every web process shares."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True)]

TOKEN = "/api/v1/auth/token/"
LOCKOUT = {"login_failed": "100/m/ip,3/5m/key"}


def test_the_failure_count_is_kept_in_redis_and_shared_by_both_doors(settings, client):
    import redis
    from rest_framework.test import APIClient

    settings.ACCOUNT_RATE_LIMITS = LOCKOUT
    member = UserFactory()
    api = APIClient()
    for _ in range(3):
        assert api.post(TOKEN, {"email": member.email, "password": "wrong"}, format="json").status_code == 403
    raw = redis.Redis.from_url(django_settings.REDIS_URL)
    assert list(raw.scan_iter(match="*allauth:rl:allauth.account:login_failed:*")), "the count is not in Redis"
    response = client.post("/accounts/login/", {"login": member.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_with_redis_down_the_token_exchange_answers_429_not_500(settings):
    """allauth's limits cannot take their lock without Redis: sign-in is refused (as on the form)."""
    from rest_framework.test import APIClient

    closed = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "kei_community.core.cache.FailOpenRedisCache",
            "LOCATION": closed,
            "KEY_PREFIX": "kei-test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    member = UserFactory()
    response = APIClient().post(TOKEN, {"email": member.email, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 429
    assert set(response.json()) == {"detail", "errors"}
