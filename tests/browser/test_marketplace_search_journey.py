"""Search finds what people type (issue 12, part 3), in Chromium at 1366 and 390 px, axe-core clean (no
violation of any impact), no console error, no sideways scroll:

- a buyer types "tipper" and then "4x4" in the keyword box (behind the Filters button on a phone) and finds
  the dump-bed 4WD Carry whose title says neither word; a misspelt "hijat" finds the Hijet;
- "Listed in state" is a picker of state names: typing "oregon" keeps the Oregon truck only, and "Texass"
  gets a clear message beside the field;
- price comps take a make, a model or a chassis code in one box ("hijet" finds the Hijet family);
- the header's site search shows the true number of listings with a "See all" link to the same search.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import axe_violations, sized_context
from tests.factories import ListingFactory, UserFactory

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
WIDTHS = (1366, 390)


@pytest.fixture
def trucks(db):  # type: ignore[no-untyped-def]
    from kei_community.vehicles.services import catalog_load

    catalog_load()
    seller = UserFactory(display_name="Search Seller")
    carry = ListingFactory(
        seller=seller, title="1997 Suzuki Carry KC", make="Suzuki", model="Carry", bed_type="dump", drive="4WD",
        description="Runs well.", zip_code="78701",
    )  # fmt: skip
    hijet = ListingFactory(
        seller=seller, title="1995 Daihatsu Hijet", make="Daihatsu", model="Hijet", bed_type="flat", drive="2WD",
        description="Clean bed.", zip_code="97201",
    )  # fmt: skip
    carries = [
        ListingFactory(
            seller=seller,
            title=f"Plain Carry {i}",
            make="Suzuki",
            model="Carry",
            bed_type="flat",
            drive="2WD",
            description="Farm runabout.",
            zip_code="78701",
        )  # fmt: skip
        for i in range(12)
    ]
    return {"carry": carry, "hijet": hijet, "carries": carries}


def _check(page) -> None:  # type: ignore[no-untyped-def]
    assert axe_violations(page, impacts=ALL_IMPACTS) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.console_errors == []  # type: ignore[attr-defined]


def _search(page, *, phone: bool, fields: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Fill the filter panel (opened from "Filters (n)" on a phone) and press "Show trucks"."""
    if phone:
        page.get_by_role("button", name=re.compile(r"^Filters")).click()
        page.locator("#filters.show").wait_for()
    for label, value in fields.items():
        page.locator("#filters").get_by_label(label, exact=True).fill(value)
    with page.expect_response(lambda r: "/listings/" in r.url and r.status == 200):
        page.locator("#filters").get_by_role("button", name="Show trucks").click()
    page.wait_for_load_state("networkidle")


def _cards(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator("article.listing-card h3, article.listing-card h2").all_inner_texts()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_buyer_finds_trucks_by_the_words_people_type(chromium, live_server, trucks, width):  # type: ignore[no-untyped-def]
    phone = width < 768
    context, page = sized_context(chromium, live_server, width)
    carry, hijet = trucks["carry"], trucks["hijet"]
    try:
        page.goto("/listings/")
        assert page.locator("#f-q").get_attribute("placeholder") == "Carry, dump bed, 4x4, DA63T"

        # A synonym of the bed type ("tipper") and of the drive ("4x4"): neither is in the title.
        _search(page, phone=phone, fields={"Keywords": "tipper"})
        assert page.get_by_role("heading", name="1 truck found").is_visible()
        assert page.locator("article.listing-card", has_text=carry.title).is_visible()
        _check(page)
        _search(page, phone=phone, fields={"Keywords": "4x4"})
        assert page.locator("article.listing-card", has_text=carry.title).is_visible()
        assert not page.locator("article.listing-card", has_text=hijet.title).count()

        # "Listed in state" takes a state's name in any case; a misspelt one is explained beside the field.
        _search(page, phone=phone, fields={"Keywords": "", "Listed in state": "oregon"})
        assert page.get_by_role("heading", name="1 truck found").is_visible()
        assert page.locator("article.listing-card", has_text=hijet.title).is_visible()
        assert page.locator("datalist#state-options option[value='Oregon']").count() == 1
        _check(page)
        _search(page, phone=phone, fields={"Listed in state": "Texass"})
        assert "“Texass” is not a US state" in page.content()

        # Price comps by model, any case.
        page.goto("/listings/prices/")
        page.get_by_label("Make, model or chassis code").fill("hijet")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(re.compile(r"/listings/prices/\?q=hijet"))
        assert "Hijet" in page.locator(".comps-match").inner_text()
        _check(page)

        # Site search: the true count of listings and a "See all" link to the same search.
        page.goto("/search/?q=carry")
        link = page.get_by_role("link", name="See all 13 listings")
        assert link.is_visible()
        _check(page)
        link.click()
        page.wait_for_url(re.compile(r"/listings/\?q=carry"))
        assert page.get_by_role("heading", name="13 trucks found").is_visible()

        # A misspelt model is read as the catalog's name (PostgreSQL's trigram fallback; SQLite has none).
        from django.db import connection

        if connection.vendor == "postgresql":
            page.goto("/listings/?q=hijat")
            assert page.locator("article.listing-card", has_text=hijet.title).is_visible()
            assert page.get_by_text(re.compile(r"Showing results for .*hijet", re.I)).is_visible()
    finally:
        context.close()
