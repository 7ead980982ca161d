"""Issue 10, defect 3: member-written text can never produce a slot the page cache fills in.

Every placeholder the cache has ever filled (`__page_csrf__`, `__page_nonce__`) and the card slots
(`<!--mkt:distance-->`, `<!--mkt:footer-->`) are written by a member into a forum post, a thread title,
a listing's title and description and a display name. The anonymous page, freshly rendered (miss) and
served from the cache (hit), must show the literal text and never the reader's CSRF token or CSP nonce.
"""

from __future__ import annotations

import re

import pytest

from tests.factories import ForumPostFactory, ForumThreadFactory, ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

WORDS = ("__page_csrf__", "__page_nonce__")
TEXT = "zq __page_csrf__ __page_nonce__ <!--mkt:distance--> <!--mkt:footer--> qz"
ESCAPED = "zq __page_csrf__ __page_nonce__ &lt;!--mkt:distance--&gt; &lt;!--mkt:footer--&gt; qz"
MARKDOWN = (
    "zq \\_\\_page_csrf\\_\\_ \\_\\_page_nonce\\_\\_ <!--mkt:distance--> <!--mkt:footer--> qz\n\n"
    "`__page_csrf__ __page_nonce__ <!--mkt:footer-->`\n\n"
    "```\n__page_csrf__\n__page_nonce__\n<!--mkt:footer-->\n```\n\n"
    '[a link](https://example.com/?t=__page_csrf__&n=__page_nonce__ "__page_nonce__ __page_csrf__")\n\n'
    "![a picture](https://example.com/__page_nonce__.png)\n"
)


def _secrets(response) -> tuple[str, str]:
    """The CSRF token and the CSP nonce this response was given."""
    nonce = response["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    token = response.cookies["csrftoken"].value if "csrftoken" in response.cookies else ""
    return token, nonce


def _assert_literal(response, *snippets: str) -> None:
    body = response.content.decode()
    token, nonce = _secrets(response)
    for snippet in snippets:
        assert snippet in body, snippet
    # Wherever a member wrote a placeholder, the literal text is there: no slot was filled inside it.
    member_words = sum(body.count(word) for word in WORDS)
    assert member_words >= 2 * len(snippets)
    for secret in filter(None, (token, nonce)):
        for match in re.finditer(re.escape(secret), body):
            before = body[max(0, match.start() - 40) : match.start()]
            assert "zq " not in before and "?t=" not in before and "&amp;n=" not in before, before


def _get_twice(client, url: str) -> tuple:
    first = client.get(url)
    second = client.get(url)
    assert first.status_code == 200 and second.status_code == 200
    cache_headers = [h for h in ("X-Page-Cache", "X-Forum-Cache", "X-Stategide-Cache") if h in second]
    assert cache_headers and second[cache_headers[0]] == "hit", "the second anonymous read comes from the cache"
    return first, second


def test_placeholders_in_a_forum_post_are_shown_literally(client):
    thread = ForumThreadFactory(title="A plain thread title")
    ForumPostFactory(thread=thread, body=MARKDOWN)
    for response in _get_twice(client, thread.get_absolute_url()):
        _assert_literal(
            response,
            ESCAPED,
            "<code>__page_csrf__ __page_nonce__ &lt;!--mkt:footer--&gt;</code>",
            "__page_csrf__\n__page_nonce__\n&lt;!--mkt:footer--&gt;",
            "?t=__page_csrf__&amp;n=__page_nonce__",
        )


def test_placeholders_in_a_thread_title_are_shown_literally(client):
    thread = ForumThreadFactory(title=TEXT)
    for url in (thread.get_absolute_url(), "/forum/", thread.category.get_absolute_url()):
        for response in _get_twice(client, url):
            _assert_literal(response, ESCAPED)


def test_placeholders_in_a_display_name_are_shown_literally(client):
    author = UserFactory(display_name=TEXT[:60])
    thread = ForumThreadFactory(author=author)
    listing = ListingFactory(seller=author, title="Plain seller truck")
    for url in (thread.get_absolute_url(), listing.get_absolute_url()):
        for response in _get_twice(client, url):
            _assert_literal(response, "zq __page_csrf__ __page_nonce__ &lt;!--mkt:distance--&gt;")


def test_placeholders_in_a_listing_title_and_description_are_shown_literally(client):
    listing = ListingFactory(title=TEXT[:80], description=MARKDOWN)
    for response in _get_twice(client, listing.get_absolute_url()):
        _assert_literal(
            response,
            ESCAPED,
            "<code>__page_csrf__ __page_nonce__ &lt;!--mkt:footer--&gt;</code>",
            "?t=__page_csrf__&amp;n=__page_nonce__",
        )
    for response in _get_twice(client, "/listings/?q=zq"):
        _assert_literal(response, ESCAPED)
