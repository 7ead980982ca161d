"""A malformed id is a 404 (in the API's one error shape), never a 500, on every route of the project.

The walker below reads every URL pattern from Django's resolver (the API routers' patterns included),
substitutes junk into each id-like URL kwarg and sends GET/POST/PATCH/DELETE as an anonymous visitor
and as a signed-in member. A new route is covered the moment it is added to the URLconf.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize

from tests.factories import (
    ForumThreadFactory,
    GarageTruckFactory,
    ListingFactory,
    StatePageFactory,
    UserFactory,
    make_photo,
)

JUNK = ["abc", "1.5", "-1", "99999999999999999999", "%00"]
METHODS = ["get", "post", "patch", "delete"]
# Values for the kwargs that are not ids (so the rest of the URL resolves).
SAMPLES = {"slug": "maintenance", "code": "tx", "action": "pin", "app_label": "users"}


def _is_id(name: str) -> bool:
    return name in {"pk", "id", "number"} or name.endswith("_id")


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        rx = p.pattern.regex.pattern
        rx = rx[1:] if rx.startswith("^") else rx
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + rx)
        else:
            yield prefix + rx, p


def _routes_with_ids() -> list[tuple[str, list[str]]]:
    """(format string such as "api/v1/listings/%(pk)s/photos/%(photo_id)s/", its kwargs) for every route
    that takes an id-like kwarg."""
    routes = []
    for rx, _pattern in _walk(get_resolver().url_patterns):
        fmt, params = normalize(rx)[0]
        if any(_is_id(p) for p in params):
            routes.append((fmt, params))
    return routes


ROUTES = _routes_with_ids()


def _url(fmt: str, params: list[str], junk_in: str, junk: str) -> str:
    values = {p: (junk if p == junk_in else "1" if _is_id(p) else SAMPLES.get(p, "x")) for p in params}
    return "/" + fmt % values


def _assert_answer(response, url: str, method: str, who: str) -> None:
    where = f"{method.upper()} {url} as {who}"
    assert response.status_code != 500, f"500 on {where}"
    assert response.status_code < 500, f"{response.status_code} on {where}"
    if url.startswith("/api/") and response.status_code >= 400:
        body = response.json()
        assert set(body) == {"detail", "errors"}, f"not the error shape on {where}: {body}"


def test_the_walker_sees_the_api_router_routes():
    formats = {fmt for fmt, _ in ROUTES}
    assert "api/v1/listings/%(pk)s/" in formats
    assert "api/v1/garage/%(pk)s/photos/%(photo_id)s/" in formats
    assert "api/v1/conversations/%(pk)s/messages/" in formats
    assert "listings/%(pk)s/favorite/" in formats
    assert "states/%(code)s/revisions/%(number)s/" in formats


@pytest.mark.parametrize(("fmt", "params"), ROUTES, ids=[fmt for fmt, _ in ROUTES])
@pytest.mark.django_db
def test_no_500_for_a_malformed_id(fmt, params):
    member = UserFactory()
    other = UserFactory()
    # Real objects with id 1 where the route has a second id, so the junk one is the one looked up.
    listing = ListingFactory(seller=member)
    make_photo(owner=listing, uploader=member)
    GarageTruckFactory(owner=member)
    ForumThreadFactory(author=member)
    StatePageFactory(code="TX")
    from marketplace.services import conversation_start

    conversation_start(buyer=other, listing=listing, body="Is it still for sale?")

    good = _url(fmt, params, "", "")
    try:
        resolve(good.split("?")[0])
    except Resolver404:  # pragma: no cover - a new kind of kwarg: add a sample value above
        pytest.fail(f"the walker built {good} for {fmt}, which does not resolve; add a sample for its kwargs")

    anonymous, signed_in = Client(raise_request_exception=False), Client(raise_request_exception=False)
    signed_in.force_login(member)
    for id_name in [p for p in params if _is_id(p)]:
        for junk in JUNK:
            url = _url(fmt, params, id_name, junk)
            for who, client in (("anonymous", anonymous), ("member", signed_in)):
                for method in METHODS:
                    if method == "patch":
                        response = client.patch(url, data="{}", content_type="application/json")
                    else:
                        response = getattr(client, method)(url)
                    _assert_answer(response, url, method, who)


# --- the routes the outside test named ----------------------------------------------------------


NAMED = [
    ("get", "/api/v1/listings/abc/"),
    ("patch", "/api/v1/listings/abc/"),
    ("delete", "/api/v1/listings/abc/"),
    ("post", "/api/v1/listings/abc/favorite/"),
    ("delete", "/api/v1/listings/abc/favorite/"),
    ("post", "/api/v1/listings/abc/questions/"),
    ("get", "/api/v1/listings/abc/photos/"),
    ("post", "/api/v1/listings/abc/photos/"),
    ("patch", "/api/v1/listings/abc/photos/"),
    ("get", "/api/v1/listings/abc/photos/1/"),
    ("patch", "/api/v1/listings/abc/photos/1/"),
    ("delete", "/api/v1/listings/abc/photos/1/"),
    ("get", "/api/v1/garage/abc/"),
    ("patch", "/api/v1/garage/abc/"),
    ("delete", "/api/v1/garage/abc/"),
    ("get", "/api/v1/garage/abc/photos/"),
    ("post", "/api/v1/garage/abc/photos/"),
    ("patch", "/api/v1/garage/abc/photos/"),
    ("get", "/api/v1/garage/abc/photos/1/"),
    ("patch", "/api/v1/garage/abc/photos/1/"),
    ("delete", "/api/v1/garage/abc/photos/1/"),
    ("get", "/api/v1/conversations/abc/"),
    ("get", "/api/v1/conversations/abc/messages/"),
    ("post", "/api/v1/conversations/abc/messages/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), NAMED)
def test_named_api_routes_answer_404_in_the_error_shape_for_a_non_numeric_id(method, url):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    if method in ("patch", "post"):
        response = getattr(client, method)(url, data="{}", content_type="application/json")
    else:
        response = getattr(client, method)(url)
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["errors"] == {}


@pytest.mark.django_db
def test_anonymous_get_of_a_listing_with_a_non_numeric_id_is_404(client):
    response = client.get("/api/v1/listings/abc/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


# --- ids that arrive in a form or a query string ------------------------------------------------


@pytest.mark.django_db
def test_marking_sold_with_a_non_ascii_digit_buyer_id_is_not_a_500():
    """'²'.isdigit() is True but int('²') raises: the buyer id goes through the shared parser."""
    seller = UserFactory()
    listing = ListingFactory(seller=seller)
    client = Client(raise_request_exception=False)
    client.force_login(seller)
    response = client.post(
        f"/listings/{listing.pk}/status/", {"status": "sold", "sold_price": "8000", "buyer": "\u00b2"}
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == "sold"


@pytest.mark.django_db
def test_new_listing_form_with_a_non_ascii_digit_truck_id_is_not_a_500():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    assert client.get("/listings/new/?truck=\u00b2").status_code == 200


def test_parse_id_accepts_only_positive_ascii_whole_numbers_in_range():
    from kei_community.core.ids import parse_id

    assert parse_id("42") == 42
    assert parse_id(42) == 42
    assert parse_id(" 42") is None
    for bad in ["abc", "1.5", "-1", "0", "99999999999999999999", "\x00", "\u00b2", "\u0661", "", None, 1.0, True]:
        assert parse_id(bad) is None, bad
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    assert parse_id(str(2**63)) is None


def test_get_by_id_or_404_raises_http404_for_junk():
    from django.http import Http404

    from kei_community.core.ids import get_by_id_or_404
    from kei_community.users.models import User

    with pytest.raises(Http404):
        get_by_id_or_404(User.objects.all(), "abc")


@pytest.mark.django_db
def test_user_header_state_ignores_a_session_id_out_of_range():
    from kei_community.users.selectors import user_with_header_state

    assert user_with_header_state("99999999999999999999") is None


# --- query strings and bodies ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/listings/?page_size=\u00b2",
        "/api/v1/listings/?price_min=\u00b2",
        "/listings/?price_min=\u00b2",
        "/listings/?page=\u00b2",
        "/api/v1/forum/threads/?truck=\u00b2",
        "/api/v1/forum/threads/?truck=99999999999999999999",
    ],
)
def test_a_malformed_number_in_the_query_string_is_not_a_500(url):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code in (200, 400)
    if url.startswith("/api/") and response.status_code == 400:
        assert set(response.json()) == {"detail", "errors"}


@pytest.mark.django_db
def test_quoting_a_malformed_post_id_in_a_reply_is_ignored():
    client = Client(raise_request_exception=False)
    member = UserFactory()
    client.force_login(member)
    thread = ForumThreadFactory(author=member)
    assert client.get(f"/forum/t/{thread.pk}/reply/?quote=abc").status_code == 200


@pytest.mark.django_db
def test_marking_notifications_read_with_an_id_out_of_range_is_a_400():
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())
    response = client.post(
        "/api/v1/me/notifications/read/", {"ids": [99999999999999999999]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "ids" in response.json()["errors"]
