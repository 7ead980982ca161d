"""Security headers on every kind of response: pages, the API, static files, the API docs, errors.

Permissions-Policy and Cross-Origin-Resource-Policy come from kei_community.core.middleware, the CSP
from django-csp, COOP from SecurityMiddleware (the API docs page included).
"""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from kei_community.core.middleware import permissions_policy_header
from kei_community.urls import urlpatterns as site_urlpatterns

POWERFUL_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "display-capture", "sync-xhr"]


def server_header_view(request):  # type: ignore[no-untyped-def]
    response = HttpResponse("hello")
    response["Server"] = "WSGIServer/0.2 CPython/3.11"
    return response


urlpatterns = [path("test-server-header/", server_header_view), *site_urlpatterns]


def _get(client: Client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(url)
    if getattr(response, "streaming", False):  # a static file from WhiteNoise
        b"".join(response.streaming_content)
    return response


# (path, expected status): a page, a 404, a redirect, the API (JSON and its error shape), the schema,
# the docs page and static files (WhiteNoise answers those before the rest of the middleware).
RESPONSES = [
    ("/", 200),
    ("/no-such-page/", 404),
    ("/settings/profile/", 302),
    ("/api/v1/listings/", 200),
    ("/api/v1/no-such-endpoint/", 404),
    ("/api/v1/schema/", 200),
    ("/api/v1/docs/", 200),
    ("/static/js/site.js", 200),
    ("/static/vendor/bootstrap/bootstrap.min.css", 200),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "status"), RESPONSES)
def test_every_response_denies_powerful_features_and_cross_origin_reads(client, url, status):
    response = _get(client, url)
    assert response.status_code == status
    policy = response["Permissions-Policy"]
    for feature in POWERFUL_FEATURES:
        assert f"{feature}=()" in policy.split(", "), feature
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Server" not in response.headers


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/api/v1/docs/", "/api/v1/listings/", "/no-such-page/"])
def test_pages_and_the_api_docs_are_isolated_from_their_opener(client, url):
    # drf-spectacular sends `unsafe-none` on its Swagger page (for an OAuth2 pop-up the API has not).
    assert _get(client, url)["Cross-Origin-Opener-Policy"] == "same-origin"


def test_permissions_policy_header_syntax():
    policy = {"camera": [], "fullscreen": ["self"], "payment": ["self", "https://pay.example"], "midi": ["*"]}
    assert (
        permissions_policy_header(policy)
        == 'camera=(), fullscreen=(self), payment=(self "https://pay.example"), midi=*'
    )


def test_the_configured_policy_leaves_the_clipboard_to_the_recovery_codes_page_only(settings):
    header = permissions_policy_header(settings.PERMISSIONS_POLICY)
    assert "clipboard-write=(self)" in header.split(", ")
    # WebAuthn is off (allauth MFA: TOTP and recovery codes), so are the credential features.
    assert "webauthn" not in settings.MFA_SUPPORTED_TYPES
    assert "publickey-credentials-get=()" in header.split(", ")
    assert all(re.fullmatch(r"[a-z-]+=(\(\)|\(self\))", item) for item in header.split(", ")), header


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_application_never_sends_a_server_header(client):
    response = client.get("/test-server-header/")
    assert response.status_code == 200
    assert "Server" not in response.headers


# --- Content-Security-Policy ---------------------------------------------------------


def _csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    directives = [d.strip().split() for d in response["Content-Security-Policy"].split(";") if d.strip()]
    return {d[0]: d[1:] for d in directives}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/listings/", "/forum/", "/states/", "/api/v1/docs/"])
def test_csp_allows_nothing_by_default_and_lists_each_need(client, url):
    csp = _csp(_get(client, url))
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"][0] == "'self'" and csp["script-src"][1].startswith("'nonce-")
    assert csp["style-src"][0] == "'self'" and csp["style-src"][1].startswith("'nonce-")
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    sources = " ".join(" ".join(values) for values in csp.values())
    assert "unsafe-inline" not in sources and "unsafe-eval" not in sources
    assert "http:" not in sources and "*" not in sources


@pytest.mark.django_db
def test_csp_on_the_api_has_no_nonce_but_the_same_default(client):
    csp = _csp(client.get("/api/v1/listings/"))
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
