"""Every page type in Chromium under the site's CSP (default-src 'none'), Permissions-Policy and
Subresource Integrity: no `securitypolicyviolation` event, no console message about the CSP, the
Permissions-Policy header or an integrity check, and the scripts really ran (Bootstrap, htmx)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login
from tests.factories import (
    DEFAULT_PASSWORD,
    ForumThreadFactory,
    GarageTruckFactory,
    ListingFactory,
    StatePageFactory,
    UserFactory,
)

WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""
SECURITY_MESSAGE = re.compile(r"Content Security Policy|Permissions-Policy|integrity|digest|Refused to", re.IGNORECASE)


def watch(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Record CSP violations (the DOM event) and security console messages of any level."""
    messages: list[str] = []
    page.context.add_init_script(WATCH_VIOLATIONS)
    page.on(
        "console", lambda msg: messages.append(f"{msg.type}: {msg.text}") if SECURITY_MESSAGE.search(msg.text) else None
    )
    return messages


@pytest.fixture
def content_ready(settings):  # type: ignore[no-untyped-def]
    """In-process tasks (CI sets REDIS_URL) and the forum categories a flushed test database lost."""
    from forum.demo import ensure_categories
    from kei_community.celery import app

    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ensure_categories()
    yield
    app.conf.task_always_eager = before


def visit(page, url: str, problems: dict[str, list[str]], messages: list[str], *, layout: bool = True) -> None:  # type: ignore[no-untyped-def]
    response = page.goto(url)
    assert response is not None and response.status in (200, 404), url
    page.wait_for_load_state("load")
    found = page.evaluate("window.__violations") + messages[:]
    messages.clear()
    if layout:  # the layout's scripts passed their integrity check and ran
        ran = page.evaluate("typeof window.bootstrap === 'object' && typeof window.htmx === 'object'")
        if not ran:
            found.append("Bootstrap or htmx did not run")
    if found:
        problems[url] = found


@pytest.mark.django_db(transaction=True)
def test_public_pages_and_the_api_docs_run_under_the_policies(page, content_ready):
    messages = watch(page)
    listing = ListingFactory(zip_code="78701", title="Policy Carry")
    thread = ForumThreadFactory(title="Policy thread about idling")
    state = StatePageFactory(code="TX")
    problems: dict[str, list[str]] = {}
    for url in [
        "/",
        "/listings/",
        "/listings/?state=TX",
        listing.get_absolute_url(),
        "/forum/",
        "/forum/c/maintenance/",
        thread.get_absolute_url(),
        "/states/",
        state.get_absolute_url(),
        f"/states/{state.code.lower()}/history/",
        state.published_revision.get_absolute_url(),
        "/search/?q=policy",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/no-such-page/",
    ]:
        visit(page, url, problems, messages)

    # The API docs: Swagger UI renders, and "Try it out" fetches from the API (connect-src).
    visit(page, "/api/v1/docs/", problems, messages, layout=False)
    page.wait_for_selector(".opblock-summary-path >> text=/api/v1/listings/")
    operation = page.locator(".opblock-get").filter(
        has=page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/listings/$"))
    )
    operation.first.locator(".opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".live-responses-table .response-col_status >> text=200")
    if found := page.evaluate("window.__violations") + messages:
        problems["/api/v1/docs/ try it out"] = found
    assert problems == {}


@pytest.mark.django_db(transaction=True)
def test_member_pages_run_under_the_policies(page, content_ready):
    messages = watch(page)
    member = UserFactory(display_name="Policy Member")
    listing = ListingFactory(seller=member)
    truck = GarageTruckFactory(owner=member)
    login(page, member.email, DEFAULT_PASSWORD)
    problems: dict[str, list[str]] = {}
    for url in [
        "/listings/new/",
        f"/listings/{listing.pk}/edit/",
        f"/listings/{listing.pk}/photos/",
        "/listings/mine/",
        truck.get_absolute_url(),
        "/forum/new/",
        "/settings/profile/",
        f"/members/{member.pk}/",
        "/notifications/",
        "/accounts/email/",
        "/accounts/2fa/",
    ]:
        visit(page, url, problems, messages)
    # The account menu (Bootstrap's dropdown) opens: its script runs under the nonce and SRI.
    page.goto("/")
    page.get_by_role("button", name="Policy Member").click()
    assert page.get_by_role("link", name="My profile").is_visible()
    # Two-factor set-up shows the QR code, a data: image (img-src data:).
    page.goto("/accounts/2fa/totp/activate/")
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.locator("img[src^='data:image/svg+xml']").evaluate("img => img.complete && img.naturalWidth > 0")
    if found := page.evaluate("window.__violations") + messages:
        problems["totp activate"] = found
    assert problems == {}
