"""axe-core on the key pages: 0 serious or critical violations. Plus the API docs under our CSP."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, login
from tests.factories import DEFAULT_PASSWORD, UserFactory

PUBLIC_PAGES = [
    "/",
    "/accounts/signup/",
    "/accounts/login/",
    "/accounts/password/reset/",
    "/listings/",
    "/forum/",
    "/states/",
]


@pytest.mark.django_db(transaction=True)
def test_public_pages_have_no_serious_accessibility_violations(page):
    member = UserFactory(bio="Hauling hay in a **Hijet**.\n\n> Kei trucks rule")
    failures = {}
    for path in [*PUBLIC_PAGES, f"/members/{member.pk}/"]:
        page.goto(path)
        assert page.locator("main").count() == 1, path
        assert page.locator("h1").count() >= 1, path
        violations = axe_violations(page)
        if violations:
            failures[path] = violations
    assert page.console_errors == []  # type: ignore[attr-defined]
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    if violations := axe_violations(page):
        failures["404 page"] = violations
    assert failures == {}


@pytest.mark.django_db(transaction=True)
def test_signed_in_pages_have_no_serious_accessibility_violations(page):
    member = UserFactory(display_name="Axe Tester")
    login(page, member.email, DEFAULT_PASSWORD)
    failures = {}
    for path in [
        f"/members/{member.pk}/",
        "/settings/profile/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/logout/",
    ]:
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            failures[path] = violations
    # Two-factor set-up: allauth asks for the password again, then shows the QR code (a data: URI).
    page.goto("/accounts/2fa/totp/activate/")
    page.wait_for_url("**/accounts/reauthenticate/**")
    if violations := axe_violations(page):
        failures["reauthenticate"] = violations
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()  # the QR code
    if violations := axe_violations(page):
        failures["totp activate"] = violations
    # The account menu opened (Bootstrap's dropdown) is checked too.
    page.get_by_role("button", name="Axe Tester").click()
    assert page.get_by_role("link", name="My profile").is_visible()
    if violations := axe_violations(page):
        failures["account menu"] = violations
    assert failures == {}
    assert page.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_settings_form_errors_are_announced_and_accessible(page):
    member = UserFactory()
    login(page, member.email, DEFAULT_PASSWORD)
    page.goto("/settings/profile/")
    page.get_by_label("ZIP code").fill("00000")
    page.get_by_role("button", name="Save profile").click()
    zip_input = page.get_by_label("ZIP code")
    assert zip_input.get_attribute("aria-invalid") == "true"
    described = zip_input.get_attribute("aria-describedby") or ""
    assert "is not a known 5-digit US ZIP code" in page.locator(f"#{described.split()[-1]}").inner_text()
    assert axe_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_api_docs_render_under_the_csp(page):
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock-summary-path >> text=/api/v1/me/")
    assert page.locator("text=/api/v1/auth/token/").first.is_visible()
    assert page.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_marketplace_and_garage_pages_with_content_have_no_serious_accessibility_violations(page):
    from tests.factories import GarageTruckFactory, ListingFactory

    truck = GarageTruckFactory()
    listing = ListingFactory(seller=truck.owner, truck=truck, title="Axe Carry", zip_code="78701")
    ListingFactory(zip_code="97201", title="Axe Hijet")
    login(page, UserFactory().email, DEFAULT_PASSWORD)
    failures = {}
    # The search page with the state map open (a state chosen), the listing page, the truck's history.
    for path in ["/listings/?state=TX", "/listings/?q=axe", listing.get_absolute_url(), truck.get_absolute_url()]:
        page.goto(path)
        assert page.locator("h1").count() >= 1, path
        if path == "/listings/?state=TX":  # the map is open and links the other state
            assert page.get_by_role("link", name="Oregon: 1 truck").is_visible()
        if violations := axe_violations(page):
            failures[path] = violations
    assert failures == {}
    assert page.console_errors == []  # type: ignore[attr-defined]
