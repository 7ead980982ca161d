"""User markdown is rendered harmless: asserted on the stored and served HTML."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.factories import ForumPostFactory, ForumThreadFactory

pytestmark = pytest.mark.django_db

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
                "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
                "thead", "tr", "ul"}  # fmt: skip


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.found.append((tag, dict(attrs)))


def dangers(html: str) -> list[str]:
    """Every element or attribute in html that could run script or load a hostile URL."""
    parser = Elements()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag not in ALLOWED_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name in {"style", "srcdoc", "formaction"}:
                problems.append(f"{tag}[{name}]")
            if name in {"href", "src"}:
                scheme = (value or "").strip().lower().split(":", 1)[0] if ":" in (value or "") else ""
                if scheme and scheme not in {"http", "https", "mailto"}:
                    problems.append(f"{tag}[{name}={value}]")
    return problems


NASTY = [
    ("<script>alert(1)</script>", ["<script"]),
    ('<img src=x onerror="alert(1)">', ["onerror", "<img src=x"]),
    ("[click](javascript:alert(1))", ["javascript:"]),
    ("[click](JaVaScRiPt:alert(1))", ["javascript:"]),
    ("[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", ["data:text/html"]),
    ("![x](javascript:alert(1))", ["javascript:"]),
    ('<a href="https://ok.example" onclick="steal()">x</a>', ["onclick", '<a href="https://ok.example" onclick']),
    ("<iframe src=https://evil.example></iframe>", ["<iframe"]),
    ('<div style="background:url(javascript:x)">', ["<div", "style="]),
    ("**unclosed [link](http://x.example <b>bold", ["<b>"]),
    ("```\n<script>alert(1)</script>\n", ["<script"]),
    ("[a](<javascript:alert(1)>)", ["javascript:"]),
]


@pytest.mark.parametrize(("markdown", "forbidden"), NASTY)
def test_rendered_post_is_harmless(markdown, forbidden, user):
    post = ForumPostFactory(body=markdown, author=user)
    assert dangers(post.body_html) == []
    assert "<script" not in post.body_html.lower()


@pytest.mark.parametrize(("markdown", "forbidden"), NASTY)
def test_thread_page_serves_harmless_html(markdown, forbidden, client):
    thread = ForumThreadFactory(body=markdown, title="Harmless please")
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    prose = body.split('<div class="prose', 1)[1].split(">", 1)[1].split("</div>", 1)[0]
    assert dangers(prose) == []


def test_links_get_nofollow_ugc(user):
    post = ForumPostFactory(body="[site](https://example.com)", author=user)
    assert 'rel="nofollow ugc noopener"' in post.body_html


def test_title_with_html_is_escaped(client):
    thread = ForumThreadFactory(title="<script>alert('t')</script> title")
    body = client.get(thread.get_absolute_url()).content.decode()
    assert "<script>alert('t')" not in body
    assert "&lt;script&gt;" in body


def test_preview_of_malicious_markdown_is_harmless(client, user):
    client.force_login(user)
    response = client.post(reverse("forum:preview"), {"body": "<svg onload=alert(1)> [x](javascript:y)"})
    assert response.status_code == 200
    inner = response.content.decode().split(">", 1)[1].rsplit("</div>", 1)[0]
    assert dangers(inner) == []
    assert "&lt;svg" in inner
