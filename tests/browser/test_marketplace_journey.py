"""Marketplace journey: a seller lists a truck with two photos (one HEIC), reorders them and
publishes; a buyer finds it by ZIP radius, favourites it and messages the seller; the seller
answers and marks it sold — in Chromium against the live server, axe-clean on the key pages."""

from __future__ import annotations

import pytest

from kei_community.vehicles.models import ChassisCode
from kei_community.vehicles.services import catalog_load
from marketplace.models import Conversation, Favorite, Listing
from tests.browser.conftest import axe_violations, login
from tests.factories import DEFAULT_PASSWORD, StatePageFactory, UserFactory
from tests.media.images import heic_bytes, jpeg_bytes


@pytest.mark.django_db(transaction=True)
def test_list_find_favourite_message_sell(page, chromium, live_server, settings, tmp_path):
    from kei_community.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    catalog_load()
    StatePageFactory(code="TX", published__status="road_legal", published__summary="Road legal under 45 mph.")
    seller = UserFactory(email="seller@example.com", display_name="Sam Seller", home_state="TX")
    buyer = UserFactory(email="buyer@example.com", display_name="Bea Buyer", home_state="TX", zip_code="78613")
    front, back = tmp_path / "front.jpg", tmp_path / "back.heic"
    front.write_bytes(jpeg_bytes((1200, 900)))
    back.write_bytes(heic_bytes((1024, 768)))

    # --- the seller lists a truck with two photos --------------------------------------------------
    login(page, seller.email, DEFAULT_PASSWORD)
    page.goto("/listings/")
    page.get_by_role("link", name="Sell a truck").click()
    code = ChassisCode.objects.get(code="DA63T")
    # The sell flow (marketplace/sell.py): the truck, its condition, photos, price and place, review.
    page.locator("#id_chassis_code").select_option(str(code.pk))
    page.locator("#id_year_built").fill("2001")
    page.locator("#id_month_built").fill("4")
    page.locator("#id_transmission").select_option("manual")
    page.locator("#id_drive").select_option("4WD")
    page.locator("#id_bed_type").select_option("dump")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/sell/condition/")
    page.locator("#id_odometer").fill("52000")
    page.locator("#id_description").fill("Hi-lo, diff lock, **new tyres**.")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/sell/photos/")
    page.locator("#id_photos").set_input_files([str(front), str(back)])  # uploaded in the background
    page.locator("#photo-list .photo-item").nth(1).wait_for()
    listing = Listing.objects.get(seller=seller)
    assert listing.status == "draft" and listing.make == "Suzuki"
    first, second = list(listing.photos.order_by("position").values_list("pk", flat=True))
    assert page.locator(".photo-item").count() == 2
    assert axe_violations(page) == []

    # Reorder: the HEIC photo becomes the first (cover position).
    page.get_by_role("button", name="Move later photo 1").click()
    page.wait_for_load_state()
    assert list(listing.photos.order_by("position").values_list("pk", flat=True)) == [second, first]
    assert page.locator(".photo-item").first.get_attribute("data-photo-id") == str(second)

    # Drag and drop (static/js/listing_photos.js) saves the whole order: the cover goes after the other…
    items = page.locator(".photo-item")
    with page.expect_navigation():
        items.nth(0).drag_to(items.nth(1))
    assert list(listing.photos.order_by("position").values_list("pk", flat=True)) == [first, second]
    # …and the keyboard handle brings it back: Space picks it up, an arrow moves it, Space saves.
    page.get_by_role("button", name="Reorder photo 2").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowUp")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert list(listing.photos.order_by("position").values_list("pk", flat=True)) == [second, first]
    assert page.locator(".photo-item").first.get_attribute("data-photo-id") == str(second)
    page.get_by_role("link", name="Continue to price and place").click()
    page.wait_for_url("**/sell/place/")
    page.locator("#id_title").fill("2001 Suzuki Carry 4WD dump, cold A/C")
    page.locator("#id_zip_code").fill("78701")
    page.locator("#id_price").fill("6900")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/sell/review/")
    listing.refresh_from_db()  # the title (and so the page's address) came with the price and place
    page.get_by_role("button", name="Publish listing").click()
    page.wait_for_url(f"**{listing.get_absolute_url()}")
    listing.refresh_from_db()
    assert listing.status == "active"
    assert page.get_by_text("25-year eligible").is_visible()
    assert page.get_by_role("heading", name="2001 Suzuki Carry 4WD dump, cold A/C").is_visible()

    # --- a buyer finds it by ZIP radius, favourites it and writes -------------------------------------
    buyer_context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    bpage = buyer_context.new_page()
    try:
        login(bpage, buyer.email, DEFAULT_PASSWORD)
        bpage.goto("/listings/")
        bpage.get_by_label("ZIP").fill("78613")
        bpage.get_by_label("Within (mi)").select_option("25")
        bpage.get_by_role("button", name="Show trucks", exact=True).click()
        bpage.wait_for_function(
            "() => document.querySelector('#results-heading').textContent.includes('within 25 miles')"
        )
        assert "1 truck found" in bpage.locator("#results-heading").text_content()
        assert "mi away" in bpage.locator(".listing-card").first.text_content()
        assert axe_violations(bpage) == []
        bpage.get_by_role("link", name="2001 Suzuki Carry 4WD dump, cold A/C").click()
        bpage.wait_for_url(f"**{listing.get_absolute_url()}")
        assert bpage.get_by_text("Can it be registered in Texas?").is_visible()
        bpage.locator("#contact").get_by_role("button", name="Save").click()
        bpage.wait_for_selector("#contact button[aria-pressed='true']")
        assert Favorite.objects.filter(user=buyer, listing=listing).exists()
        bpage.get_by_label("Message the seller").fill("Hi Sam, is the frame rust-free? Can I see it Saturday?")
        bpage.get_by_role("button", name="Contact seller").click()
        bpage.wait_for_url("**/messages/*/")
        assert bpage.get_by_text("Can I see it Saturday?").is_visible()
        assert axe_violations(bpage) == []
    finally:
        buyer_context.close()
    conversation = Conversation.objects.get(listing=listing, buyer=buyer)

    # --- the seller answers and marks it sold ----------------------------------------------------------
    page.goto("/messages/")
    assert page.get_by_text("1 unread").is_visible()
    page.get_by_role("link", name="2001 Suzuki Carry 4WD dump, cold A/C").click()
    page.get_by_label("Message", exact=True).fill("Yes, frame is solid. Saturday works.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(f"**/messages/{conversation.pk}/**")
    assert page.get_by_text("Saturday works.").is_visible()
    page.goto(listing.get_absolute_url())
    page.get_by_label("Sold price ($, optional)").fill("6600")
    page.get_by_role("button", name="Mark sold").click()
    page.wait_for_selector("text=SOLD")
    listing.refresh_from_db()
    assert listing.status == "sold" and listing.sold_price == 6600
    assert conversation.messages.count() == 2
    assert axe_violations(page) == []

    # The catalog and the garage form are accessible too.
    page.goto("/garage/catalog/?make=suzuki")
    assert page.get_by_role("rowheader", name="DA63T").is_visible()
    assert axe_violations(page) == []
    page.goto("/garage/new/")
    assert axe_violations(page) == []
    assert page.console_errors == []
