import re

import pytest
from django.test import Client

from tests.factories import UserFactory

PAGES = [
    "/",
    "/accounts/signup/",
    "/accounts/login/",
    "/api/v1/schema/",
    "/api/v1/docs/",
    "/listings/",
    "/forum/",
    "/states/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_key_pages_answer_200_to_anonymous_visitors(client, path):
    assert client.get(path).status_code == 200


# --- /healthz ------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_database_cache_and_eager_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "eager"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    from kei_community.core import views

    monkeypatch.setattr(views, "_check_database", lambda: "down")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["status"] == "down"


@pytest.mark.django_db
def test_healthz_is_degraded_but_200_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "down"
    assert response.json()["status"] == "degraded"


# --- error pages ---------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_page_is_a_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Skip to main content" in html


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
def test_permission_denied_is_a_styled_403_with_the_reason(client):
    response = client.get("/test-forbidden/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html
    assert "Only the owner can change this listing." in html
    assert "Skip to main content" in html


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
def test_an_error_in_a_view_is_a_styled_500():
    client = Client(raise_request_exception=False)
    response = client.get("/test-boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "/static/css/site.css" in html
    assert "deliberate failure" not in html


def test_500_page_renders_without_a_database_or_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html and '<html lang="en">' in html


# --- Content-Security-Policy ------------------------------------------------------


def _nonce(response) -> str:  # type: ignore[no-untyped-def]
    csp = response["Content-Security-Policy"]
    match = re.search(r"script-src 'self' 'nonce-([^']+)'", csp)
    assert match, csp
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/search/?q=hijet"]
)
def test_pages_send_a_nonce_csp_without_unsafe_inline(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    nonce = _nonce(response)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "base.html loads Bootstrap, htmx and site.js"
    assert all(f'nonce="{nonce}"' in tag for tag in scripts), scripts
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html


@pytest.mark.django_db
def test_signed_in_pages_have_no_inline_script_or_style(client):
    member = UserFactory(bio="**hi**")
    client.force_login(member)
    for path in [f"/members/{member.pk}/", "/settings/profile/", "/accounts/email/", "/accounts/2fa/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        nonce = _nonce(response)
        html = response.content.decode()
        assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<script\b[^>]*>", html)), path
        assert not re.search(r"\s(on[a-z]+|style)\s*=", html), path


@pytest.mark.django_db
def test_each_response_gets_a_fresh_nonce(client):
    assert _nonce(client.get("/")) != _nonce(client.get("/"))


# --- markdown ---------------------------------------------------------------------


def test_render_markdown_strips_html_and_unsafe_links():
    from kei_community.core.markdown import render_markdown

    html = render_markdown(
        "Hello **kei** <img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](https://kei.example)"
    )
    assert "<strong>kei</strong>" in html
    assert "<img" not in html  # raw HTML stays text
    assert 'href="javascript:' not in html
    assert 'href="https://kei.example"' in html and "nofollow" in html


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_gets_a_styled_explanation():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html and "Skip to main content" in html


@pytest.mark.django_db
def test_unknown_api_url_is_a_404_in_the_api_error_shape(client):
    response = client.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
def test_a_crash_under_the_api_is_a_json_500():
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/test-boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "errors"}
    assert "deliberate" not in response.json()["detail"]


# --- site search: true counts and "see all" links ----------------------------------------------------------


@pytest.mark.django_db
def test_site_search_shows_true_counts_and_see_all_links(client):
    from tests.factories import ForumThreadFactory, ListingFactory, StatePageFactory

    seller = UserFactory()
    for i in range(12):
        ListingFactory(seller=seller, title=f"Snorkel truck {i}", description="")
    ForumThreadFactory(title="Snorkel truck wiring", body="Which snorkel?")
    for code in ("NY", "NJ", "NM"):
        StatePageFactory(code=code, published__summary="Snorkel truck rules.")
    body = client.get("/search/", {"q": "snorkel"}).content.decode()
    assert body.count('<li class="mb-2">') == 10 + 1 + 3  # 10 listings shown of 12
    assert "See all 12 listings" in body and 'href="/listings/?q=snorkel"' in body
    assert "See all 1 thread<" in body and 'href="/forum/search/?q=snorkel"' in body
    assert "See all 3 state pages" not in body  # all shown: the guide has no search of its own to link to
    body = client.get("/search/", {"q": "snorkel & truck"}).content.decode()
    assert 'href="/listings/?q=snorkel+%26+truck"' in body and "See all 12 listings" in body  # URL-encoded


@pytest.mark.django_db
def test_site_search_listing_count_is_the_listings_page_total(client, monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors
    from tests.factories import ListingFactory

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    seller = UserFactory()
    for _ in range(3):
        ListingFactory(seller=seller, title="Snorkel fitted", description="")
    page = client.get("/listings/", {"q": "snorkel"}).content.decode()
    body = client.get("/search/", {"q": "snorkel"}).content.decode()
    if connection.vendor == "postgresql":  # a keyword total is capped at SEARCH_CANDIDATES
        assert "2+ trucks found" in page and "See all 2+ listings" in body
    else:
        assert "3 trucks found" in page and "See all 3 listings" in body


@pytest.mark.django_db
def test_site_search_of_only_common_words_says_so_with_400(client):
    from tests.factories import ListingFactory

    ListingFactory(title="The best Carry")
    response = client.get("/search/", {"q": "the and"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Every word of “the and” is too common to search for" in body
    assert 'aria-describedby="search-error"' in body and "Nothing matched" not in body
    ok = client.get("/search/", {"q": "the carry"})
    assert ok.status_code == 200 and "The best Carry" in ok.content.decode()
