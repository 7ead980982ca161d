from __future__ import annotations

import pytest

from tests.factories import DEFAULT_PASSWORD


def totp_code(secret: str) -> str:
    """The current code an authenticator app would show for secret."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def enrol_totp(user) -> str:  # type: ignore[no-untyped-def]
    """Give user an allauth TOTP authenticator, as the activation page would; return its secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def signed_in_client(client, user):  # type: ignore[no-untyped-def]
    """A client that signed in through allauth's form (so allauth records a fresh authentication)."""
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    # MFA set-up asks for the password again (allauth's reauthentication); do it up front.
    response = client.post("/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return client
