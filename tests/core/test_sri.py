"""Subresource Integrity: every <script src> and <link rel=stylesheet> the site renders carries an
integrity value equal to the sha384 of the bytes the site then serves for that URL (recomputed here
from the response), in development (finders) and with production's manifest storage (hashed copies,
whose CSS and JS differ from the sources)."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client

from kei_community.core import sri
from tests.factories import ForumThreadFactory, ListingFactory, UserFactory


class _Subresources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if (tag == "script" and found.get("src")) or (tag == "link" and found.get("rel") == "stylesheet"):
            self.tags.append({"tag": tag, "url": found.get("src") or found.get("href"), **found})


def subresources(html: str) -> list[dict[str, str | None]]:
    parser = _Subresources()
    parser.feed(html)
    return parser.tags


def served_digest(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


def assert_integrity_matches(client: Client, html: str, where: str) -> int:
    tags = subresources(html)
    for tag in tags:
        assert tag.get("integrity"), f"{where}: {tag}"
        assert tag["integrity"] == served_digest(client, str(tag["url"])), f"{where}: {tag['url']}"
        assert tag.get("crossorigin") == "anonymous", f"{where}: {tag}"
    return len(tags)


def test_digest_is_the_base64_sha384_of_the_bytes():
    # echo -n abc | openssl dgst -sha384 -binary | base64
    assert sri.digest(b"abc") == "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"


def test_a_missing_static_file_is_an_error_not_an_empty_integrity():
    with pytest.raises(ValueError, match="no/such.js"):
        sri.integrity("no/such.js")


def test_an_edited_file_gets_its_new_digest(tmp_path, settings):
    source = tmp_path / "assets"
    source.mkdir()
    (source / "edited.js").write_text("console.log(1);\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, source]
    before = sri.integrity("edited.js")
    (source / "edited.js").write_text("console.log(22);\n")
    after = sri.integrity("edited.js")
    assert before == sri.digest(b"console.log(1);\n")
    assert after == sri.digest(b"console.log(22);\n")


ANONYMOUS_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/listings/", "/forum/", "/states/", "/api/v1/docs/"]


@pytest.mark.django_db
def test_every_script_and_stylesheet_on_anonymous_pages_has_the_right_integrity(client):
    listing = ListingFactory()
    thread = ForumThreadFactory()
    pages = [*ANONYMOUS_PAGES, listing.get_absolute_url(), thread.get_absolute_url(), "/no-such-page/"]
    counted = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        counted[url] = assert_integrity_matches(client, response.content.decode(), url)
    assert counted["/"] >= 5  # Bootstrap CSS and JS, site.css, htmx, site.js
    assert counted["/api/v1/docs/"] == 3  # Swagger UI's CSS, bundle and preset
    assert counted["/states/"] >= 7  # plus the state guide's stylesheet and script
    assert counted[thread.get_absolute_url()] >= 6  # plus forum.js


@pytest.mark.django_db
def test_every_script_and_stylesheet_on_member_pages_has_the_right_integrity(client):
    seller = UserFactory()
    listing = ListingFactory(seller=seller)
    client.force_login(seller)
    counted = {}
    for url in ["/listings/new/", f"/listings/{listing.pk}/photos/", "/forum/new/", "/settings/profile/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        counted[url] = assert_integrity_matches(client, response.content.decode(), url)
    assert counted[f"/listings/{listing.pk}/photos/"] >= 6  # plus listing_photos.js
    assert counted["/forum/new/"] >= 6  # plus forum.js


@pytest.mark.django_db
@pytest.mark.urls("tests.core.urls")
def test_the_500_page_stylesheets_have_the_right_integrity():
    client = Client(raise_request_exception=False)
    response = client.get("/test-boom/")
    assert response.status_code == 500
    assert assert_integrity_matches(Client(), response.content.decode(), "500") == 2


@pytest.fixture
def manifest_static(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Production's static files: collectstatic into a fresh STATIC_ROOT with the manifest storage."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    from kei_community.core.context_processors import _layout_sri_once, layout_links

    layout_links.cache_clear()
    _layout_sri_once.cache_clear()
    yield staticfiles_storage
    layout_links.cache_clear()
    _layout_sri_once.cache_clear()


@pytest.mark.django_db
def test_with_the_manifest_storage_integrity_is_that_of_the_hashed_copy_served(manifest_static):
    client = Client()  # a new client: WhiteNoise reads the collected files
    for url in ["/", "/api/v1/docs/"]:
        html = client.get(url).content.decode()
        tags = subresources(html)
        assert tags and all(re.search(r"\.[0-9a-f]{12}\.(js|css)$", str(t["url"])) for t in tags), tags
        assert assert_integrity_matches(client, html, url) == len(tags)
    # Bootstrap's stylesheet is rewritten by collectstatic (its sourceMappingURL now names the hashed map),
    # so the digest of the source file would be wrong: it is the served copy's.
    hashed = manifest_static.stored_name("vendor/bootstrap/bootstrap.min.css")
    with (
        manifest_static.open(hashed) as served,
        open(manifest_static.location + "/vendor/bootstrap/bootstrap.min.css", "rb") as original,
    ):
        served_bytes, original_bytes = served.read(), original.read()
    assert served_bytes != original_bytes
    assert sri.integrity("vendor/bootstrap/bootstrap.min.css") == sri.digest(served_bytes)
