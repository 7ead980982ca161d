"""A finished site on phones and desktops (issue 13): the account menu, the footer pages, the off-canvas
filters, the sticky listing bar, and 20 main pages with no sideways scroll (scrollWidth <= innerWidth) at
360, 390 and 1366 px signed out and signed in, axe-core clean (no violation of any impact) at both phone widths."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser.conftest import axe_violations, login
from tests.factories import (
    DEFAULT_PASSWORD,
    ChassisCodeFactory,
    ForumThreadFactory,
    GarageTruckFactory,
    ListingFactory,
    StatePageFactory,
    UserFactory,
)

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
PHONES = (360, 390)
DESKTOP = 1366


@pytest.fixture
def site_content(settings):  # type: ignore[no-untyped-def]
    """One of everything the 20 pages show, with tasks in-process and the forum's categories."""
    from forum.demo import ensure_categories
    from kei_community.celery import app
    from marketplace.services import conversation_start, dealer_profile_save, saved_search_create

    before = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ensure_categories()
    seller = UserFactory(display_name="Dale's Farm", home_state="TX", zip_code="78701")
    member = UserFactory(display_name="Site Tester", home_state="OR", zip_code="97201")
    dealer = dealer_profile_save(
        user=UserFactory(display_name="Pacific Kei Imports"),
        data={"business_name": "Pacific Kei Imports", "city": "Seattle", "state": "WA", "about": "Imports since 2009."},
    )
    ChassisCodeFactory(make="Suzuki")
    truck = GarageTruckFactory(owner=member)
    listing = ListingFactory(seller=seller, zip_code="78701", title="2001 Suzuki Carry 4WD dump with a long title")
    for i in range(5):
        ListingFactory(seller=seller, title=f"Hijet jumbo {i}", make="Daihatsu", model="Hijet")
    ListingFactory(seller=dealer.user, title="Dealer Acty")
    thread = ForumThreadFactory(
        author=seller, title="A very long build thread title about a 1998 Carry with a dump bed and a snow plow"
    )
    ForumThreadFactory(author=member, title="Idle speed hunting after a carb clean")
    state = StatePageFactory(code="TX")
    conversation_start(buyer=member, listing=listing, body="Is it still for sale?")
    saved_search_create(user=member, name="Carry in Texas", query="make=Suzuki&state=TX")
    content = {
        "seller": seller,
        "member": member,
        "listing": listing,
        "thread": thread,
        "state": state,
        "dealer": dealer,
        "truck": truck,
    }
    yield content
    app.conf.task_always_eager = before


def twenty_pages(c: dict) -> list[str]:
    return [
        "/",
        "/listings/",
        "/listings/?make=Daihatsu&drive=4wd",
        c["listing"].get_absolute_url(),
        "/listings/prices/",
        c["dealer"].get_absolute_url(),
        "/forum/",
        "/forum/c/maintenance/",
        c["thread"].get_absolute_url(),
        "/forum/search/?q=carry",
        "/states/",
        c["state"].get_absolute_url(),
        "/garage/catalog/",
        c["seller"].get_absolute_url(),
        "/search/?q=carry",
        "/about/",
        "/help/",
        "/guidelines/",
        "/contact/",
        "/status/",
    ]


MEMBER_PAGES = [
    "/listings/mine/",
    "/messages/",
    "/garage/",
    "/listings/favorites/",
    "/listings/saved-searches/",
    "/forum/bookmarks/",
    "/notifications/",
    "/settings/profile/",
]


def _overflow(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _check(page, paths: list[str], *, axe: bool, failures: dict, label: str) -> None:  # type: ignore[no-untyped-def]
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, (label, path)
        scroll_width, inner_width = _overflow(page)
        if scroll_width > inner_width:
            failures[f"{label} {path}"] = f"scrollWidth {scroll_width} > innerWidth {inner_width}"
        if axe and (violations := axe_violations(page, impacts=ALL_IMPACTS)):
            failures[f"{label} {path} axe"] = violations


@pytest.mark.django_db(transaction=True)
def test_twenty_pages_fit_phones_and_desktops_and_are_axe_clean_signed_out_and_in(page, site_content):
    pages = twenty_pages(site_content)
    assert len(pages) == 20
    failures: dict = {}
    for width in (*PHONES, DESKTOP):
        page.set_viewport_size({"width": width, "height": 800})
        _check(page, pages, axe=width in PHONES, failures=failures, label=f"signed out {width}px")
    login(page, site_content["member"].email, DEFAULT_PASSWORD)
    for width in (*PHONES, DESKTOP):
        page.set_viewport_size({"width": width, "height": 800})
        _check(page, pages + MEMBER_PAGES, axe=width in PHONES, failures=failures, label=f"signed in {width}px")
    assert failures == {}
    assert page.console_errors == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_account_menu_reaches_everything_a_member_owns_on_a_phone(page, site_content):
    member = site_content["member"]
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, member.email, DEFAULT_PASSWORD)
    page.goto("/")
    page.get_by_role("button", name="Menu").click()
    page.get_by_role("button", name="Site Tester").click()
    menu = page.locator(".account-menu")
    for label in (
        "My profile",
        "Messages",
        "My listings",
        "Garage",
        "Favourites",
        "Saved searches",
        "Bookmarks",
        "Notifications",
        "Settings",
    ):
        assert menu.get_by_role("link", name=label).first.is_visible(), label
    assert menu.get_by_role("button", name="Sign out").is_visible()
    assert axe_violations(page, impacts=ALL_IMPACTS) == []
    menu.get_by_role("link", name="Garage").click()
    page.wait_for_url("**/garage/")
    assert page.get_by_text(site_content["truck"].display_name).first.is_visible()
    # The bell is an SVG icon from the vendored sprite, not an emoji.
    bell = page.locator("header a[href='/notifications/'] svg use").first
    assert "bootstrap-icons/icons" in (bell.get_attribute("href") or "")


@pytest.mark.django_db(transaction=True)
def test_footer_pages_and_the_contact_form(page, site_content):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/")
    for label, heading in (
        ("About", "About"),
        ("Help", "Buying a kei truck in the US"),
        ("Community guidelines", "Community guidelines"),
        ("Terms", "Terms of use"),
        ("Privacy", "Privacy"),
        ("Status", "Site status"),
        ("Contact", "Contact the moderators"),
    ):
        page.locator("footer").get_by_role("link", name=label, exact=True).click()
        assert page.get_by_role("heading", level=1, name=heading).is_visible(), label
    page.get_by_label("Subject").fill("Photos do not upload")
    page.get_by_label("Message").fill("My listing photos stay on 'processing' for an hour.")
    page.get_by_label("Your email address").fill("visitor@example.org")
    page.get_by_role("button", name="Send to the moderators").click()
    assert page.get_by_text("your message reached the moderators").is_visible()
    from kei_community.moderation.models import Report

    assert Report.objects.get().target.subject == "Photos do not upload"


@pytest.mark.django_db(transaction=True)
def test_phone_search_shows_results_first_with_filters_off_canvas_and_one_tap_sorting(page, site_content):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/listings/?make=Daihatsu")
    results = page.get_by_role("heading", name="5 trucks found")
    toggle = page.get_by_role("button", name="Filters (1)")
    assert results.is_visible() and toggle.is_visible()
    assert results.bounding_box()["y"] < 400  # the first truck is near the top, not after the filters
    assert not page.get_by_label("Keywords").is_visible()  # the filters wait behind the button
    sort = page.get_by_label("Sort by")
    assert sort.is_visible()
    sort.select_option(label="Price: low to high")  # one tap: the results change, no Search button
    page.wait_for_url("**ordering=price**")
    toggle.click()
    assert page.get_by_role("heading", name="Filters").is_visible()
    page.get_by_label("Keywords").fill("jumbo")
    assert page.get_by_role("button", name="Filters (2)").count() == 1
    page.get_by_role("button", name="Show trucks").click()
    page.wait_for_url("**q=jumbo**")
    page.get_by_label("Keywords").wait_for(state="hidden")  # the panel closed over the new results
    query = dict(parse_qsl(urlsplit(page.url).query, keep_blank_values=True))
    assert query == {"q": "jumbo", "make": "Daihatsu", "ordering": "price"}  # no empty parameters
    assert axe_violations(page, impacts=ALL_IMPACTS) == []


@pytest.mark.django_db(transaction=True)
def test_desktop_search_keeps_the_filters_beside_the_results(page, site_content):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/listings/")
    assert page.get_by_label("Keywords").is_visible()
    assert not page.get_by_role("button", name="Filters (0)").is_visible()


@pytest.mark.django_db(transaction=True)
def test_listing_page_has_a_sticky_message_and_save_bar_on_phones(page, site_content):
    listing = site_content["listing"]
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, site_content["member"].email, DEFAULT_PASSWORD)
    page.goto(listing.get_absolute_url())
    bar = page.get_by_role("navigation", name="Contact the seller or save this truck")
    assert bar.is_visible()
    box = bar.bounding_box()
    assert box is not None and abs(box["y"] + box["height"] - 800) <= 1  # at the bottom of the screen
    page.mouse.wheel(0, 2500)
    assert bar.is_visible() and abs(bar.bounding_box()["y"] + bar.bounding_box()["height"] - 800) <= 1
    bar.get_by_role("button", name="Save").click()
    bar.locator("button[aria-pressed='true']").wait_for()
    from marketplace.models import Favorite

    assert Favorite.objects.filter(user=site_content["member"], listing=listing).exists()
    bar.get_by_role("link", name="Message seller").click()
    assert page.get_by_label("Message the seller").is_visible()
    assert axe_violations(page, impacts=ALL_IMPACTS) == []
    page.set_viewport_size({"width": 1366, "height": 900})
    assert not bar.is_visible()  # on a desktop the seller box is beside the photos


@pytest.mark.django_db(transaction=True)
def test_seller_dashboard_is_cards_with_reachable_actions_at_390(page, site_content):
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, site_content["seller"].email, DEFAULT_PASSWORD)
    page.goto("/listings/mine/")
    assert _overflow(page)[0] <= 390
    sell = page.get_by_role("link", name="Sell a truck")
    assert sell.bounding_box()["height"] < 50  # one line
    for name in ("Edit", "Renew", "Mark sold"):
        button = page.get_by_role("link" if name == "Edit" else "button", name=name).first
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, name
