"""Open redirects (issue 10, defect 5): every redirect target taken from a request goes through
kei_community.core.redirects (Django's url_has_allowed_host_and_scheme, https required on a secure
request) and falls back to a safe default."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory

from kei_community.core.redirects import is_safe_redirect, next_url, safe_redirect_url
from tests.factories import DEFAULT_PASSWORD, ListingFactory, UserFactory

HOSTILE = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "http:evil.example",
    "https:/evil.example",
    "\x01/evil.example",
    " //evil.example",
]


# --- the helper ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_targets_are_refused(url):
    request = RequestFactory().get("/")
    assert not is_safe_redirect(request, url)
    assert safe_redirect_url(request, url, fallback="/home/") == "/home/"


@pytest.mark.parametrize("url", ["/listings/", "/listings/?state=TX#results", "http://testserver/forum/"])
def test_local_targets_are_followed(url):
    assert safe_redirect_url(RequestFactory().get("/"), url, fallback="/home/") == url


def test_a_secure_request_refuses_a_plain_http_target_on_the_same_host():
    request = RequestFactory().get("/", secure=True)
    assert not is_safe_redirect(request, "http://testserver/forum/")
    assert is_safe_redirect(request, "https://testserver/forum/")


def test_next_url_reads_post_then_query_string():
    factory = RequestFactory()
    assert next_url(factory.post("/?next=/b/", {"next": "/a/"}), fallback="/") == "/a/"
    assert next_url(factory.get("/", {"next": "/b/"}), fallback="/") == "/b/"
    assert next_url(factory.get("/", {"next": "//evil.example"}), fallback="/x/") == "/x/"
    assert next_url(factory.get("/"), fallback="/x/") == "/x/"


# --- every route that takes `next` --------------------------------------------------------------


def _member_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE[:5])
def test_favorite_refuses_an_offsite_next(target):
    listing = ListingFactory()
    response = _member_client(UserFactory()).post(f"/listings/{listing.pk}/favorite/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == listing.get_absolute_url()


@pytest.mark.django_db
def test_favorite_follows_a_local_next():
    listing = ListingFactory()
    response = _member_client(UserFactory()).post(f"/listings/{listing.pk}/favorite/", {"next": "/listings/?q=carry"})
    assert response["Location"] == "/listings/?q=carry"


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE[:5])
def test_listing_status_refuses_an_offsite_next(target):
    seller = UserFactory()
    listing = ListingFactory(seller=seller)
    response = _member_client(seller).post(f"/listings/{listing.pk}/status/", {"renew": "1", "next": target})
    assert response.status_code == 302
    assert response["Location"] == listing.get_absolute_url()


@pytest.mark.django_db
def test_listing_status_follows_a_local_next():
    seller = UserFactory()
    listing = ListingFactory(seller=seller)
    response = _member_client(seller).post(f"/listings/{listing.pk}/status/", {"renew": "1", "next": "/listings/mine/"})
    assert response["Location"] == "/listings/mine/"


def _report_url(listing) -> str:
    content_type = ContentType.objects.get_for_model(listing)
    return f"/moderation/report/{content_type.pk}/{listing.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE[:5])
def test_report_refuses_an_offsite_next_and_never_links_to_it(target):
    listing = ListingFactory()
    client = _member_client(UserFactory())
    page = client.get(_report_url(listing), {"next": target}).content.decode()
    assert "evil.example" not in page and "javascript:" not in page.lower()
    response = client.post(_report_url(listing), {"reason": "spam", "next": target})
    assert response["Location"] == listing.get_absolute_url()


@pytest.mark.django_db
def test_report_follows_a_local_next():
    listing = ListingFactory()
    response = _member_client(UserFactory()).post(_report_url(listing), {"reason": "spam", "next": "/forum/"})
    assert response["Location"] == "/forum/"


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE[:5])
def test_moderator_review_refuses_an_offsite_next(target):
    from tests.factories import ModeratorFactory

    listing = ListingFactory()
    content_type = ContentType.objects.get_for_model(listing)
    client = _member_client(ModeratorFactory())
    response = client.post(
        f"/moderation/review/{content_type.pk}/{listing.pk}/", {"decision": "dismiss", "next": target}
    )
    assert response["Location"] == "/moderation/"
    response = client.post("/moderation/reports/1/review/", {"next": target})  # no decision: sent back
    assert response["Location"] == "/moderation/"


@pytest.mark.django_db
@pytest.mark.parametrize("target", HOSTILE[:5])
def test_sign_in_refuses_an_offsite_next(target):
    user = UserFactory()
    response = Client().post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_sign_in_follows_a_local_next():
    user = UserFactory()
    response = Client().post(
        "/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD, "next": "/listings/mine/"}
    )
    assert response["Location"] == "/listings/mine/"


@pytest.mark.django_db
def test_a_notification_link_to_another_site_is_not_followed():
    from tests.factories import NotificationFactory

    user = UserFactory()
    notification = NotificationFactory(recipient=user, url="//evil.example/")
    response = _member_client(user).get(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_no_view_reads_next_or_a_referer_by_hand():
    """The contract holds by construction: request data becomes a redirect only through core.redirects."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(
        r"""redirect\(\s*request\.(POST|GET)|(POST|GET)\.get\(\s*["'](next|return_to)["']\s*\)\s*or|HTTP_REFERER|"""
        r"""headers\.get\(\s*["']Referer|url_has_allowed_host_and_scheme"""
    )
    offenders = []
    for app in ("kei_community", "marketplace", "forum", "stategide"):
        for path in (root / app).rglob("*.py"):
            if path.name == "redirects.py" and path.parent.name == "core":
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert offenders == []
