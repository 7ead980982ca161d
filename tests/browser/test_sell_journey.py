"""Sell flow journey (issue 12, part 4), at 1366 px and at 390 px: from a garage truck "Sell this truck", the
steps with one deliberate error (summary focused, linked to the field), two photos uploaded in the background
with visible progress to their thumbnails, reordered by keyboard and by buttons, published; axe-clean."""

from __future__ import annotations

import pytest

from kei_community.vehicles.models import ChassisCode
from kei_community.vehicles.services import catalog_load
from marketplace.models import Listing
from tests.browser.conftest import axe_violations, login
from tests.factories import DEFAULT_PASSWORD, GarageTruckFactory, UserFactory
from tests.media.images import jpeg_bytes

# Records every state an upload goes through (uploading, processing, ready), as the seller sees them.
WATCH_UPLOADS = """() => {
  window.__uploadStates = [];
  new MutationObserver((changes) => changes.forEach((c) => {
    const el = c.target.nodeType === 1 ? c.target : null;
    const nodes = c.type === 'childList' ? Array.from(c.addedNodes) : [el];
    nodes.forEach((n) => { if (n && n.getAttribute && n.getAttribute('data-upload-state')) {
      window.__uploadStates.push(n.getAttribute('data-upload-state')); } });
  })).observe(document.getElementById('sell-uploads'), {subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-upload-state']});
}"""


def _order(listing):
    return list(listing.photos.order_by("position", "id").values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_sell_a_garage_truck_step_by_step(page, settings, tmp_path, width):
    from kei_community.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    settings.LISTING_MIN_READY_PHOTOS = 1
    catalog_load()
    page.set_viewport_size({"width": width, "height": 900})
    seller = UserFactory(email="seller@example.com", display_name="Sam Seller", zip_code="78701")
    code = ChassisCode.objects.get(code="DA63T")
    truck = GarageTruckFactory(owner=seller, chassis_code=code, year_built=2004, month_built=4, nickname="Blue")
    photos = [tmp_path / "front.jpg", tmp_path / "side.jpg"]
    for n, path in enumerate(photos):
        path.write_bytes(jpeg_bytes((1200 + n * 100, 900)))

    # --- from the garage: "Sell this truck" fills what the truck knows -------------------------------------
    login(page, seller.email, DEFAULT_PASSWORD)
    page.goto(truck.get_absolute_url())
    page.get_by_role("link", name="Sell this truck").click()
    page.wait_for_url("**/listings/new/?truck=*")
    assert page.locator("#id_chassis_code").input_value() == str(code.pk)
    assert page.locator("#id_year_built").input_value() == "2004"
    assert page.locator("#id_month_built").input_value() == "4"
    assert page.locator("[aria-current=step]").text_content().strip() == "1. The truck"
    assert axe_violations(page) == []

    # One deliberate error: no transmission. The summary lists it, has focus and links to the field.
    page.locator("#id_drive").select_option("4WD")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "Transmission" in summary.text_content()
    assert axe_violations(page) == []
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_transmission" or page.url.endswith("#id_transmission")
    page.locator("#id_transmission").select_option("manual")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/sell/condition/")
    listing = Listing.objects.get(seller=seller)
    assert listing.status == "draft" and listing.truck_id == truck.pk and listing.chassis_code_id == code.pk

    # --- condition -------------------------------------------------------------------------------------------
    page.locator("#id_odometer").fill("52000")
    page.locator("#id_colour").fill("White")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/sell/photos/")

    # --- photos: uploaded in the background as soon as they are chosen ------------------------------------
    page.evaluate(WATCH_UPLOADS)
    page.locator("#id_photos").set_input_files([str(p) for p in photos])
    uploads = page.locator("#sell-uploads li")
    assert uploads.count() == 2 and page.locator("#sell-uploads progress").count() == 2
    assert page.locator("#sell-uploads progress").first.is_visible()
    page.locator("#sell-uploads img").nth(1).wait_for()  # both thumbnails
    states = page.evaluate("window.__uploadStates")
    assert {"uploading", "processing", "ready"} <= set(states), states
    assert (
        page.locator("#sell-uploads progress").first.get_attribute("value") == "100"
        or page.evaluate("document.querySelector('#sell-uploads progress').value") == 100
    )
    assert axe_violations(page) == []
    # The page then reads the list again: the photos are on the draft.
    page.locator("#photo-list .photo-item").nth(1).wait_for()
    first, second = _order(listing)
    assert page.locator("#photo-list .photo-item").count() == 2
    assert axe_violations(page) == []

    # Keyboard: Space picks photo 2 up, an arrow moves it, Space saves.
    page.get_by_role("button", name="Reorder photo 2").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowUp")
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert _order(listing) == [second, first]
    # Buttons (touch): the cover moves back after the other.
    page.get_by_role("button", name="Move later photo 1").click()
    page.wait_for_load_state()
    assert _order(listing) == [first, second]
    assert page.locator("#photo-list .photo-item").first.get_attribute("data-photo-id") == str(first)
    page.get_by_role("link", name="Continue to price and place").click()

    # --- price and place: the ZIP comes from the profile ------------------------------------------------------
    page.wait_for_url("**/sell/place/")
    assert page.locator("#id_zip_code").input_value() == "78701"
    page.locator("#id_price").fill("6900")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save and continue").click()

    # --- review and publish ----------------------------------------------------------------------------------
    page.wait_for_url("**/sell/review/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Publish listing").click()
    page.wait_for_url(f"**{listing.get_absolute_url()}")
    listing.refresh_from_db()
    assert listing.status == "active" and listing.price == 6900 and listing.state == "TX"
    assert (listing.drive, listing.transmission, listing.colour) == ("4WD", "manual", "White")
    # The only console line: the deliberately refused step answered 400 (as form errors do on this site).
    assert [e for e in page.console_errors if "status of 400" not in e] == []


@pytest.mark.django_db(transaction=True)
def test_sell_without_javascript(chromium, live_server, settings, tmp_path):
    """The same steps as plain form posts: the error summary, the photo upload as a multipart post, publish."""
    from tests.conftest import require_or_skip

    require_or_skip(chromium is not None, "browser tests need Debian's Chromium at /usr/bin/chromium and playwright")
    from kei_community.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    settings.LISTING_MIN_READY_PHOTOS = 1
    seller = UserFactory(email="nojs@example.com", zip_code="97201")
    photo = tmp_path / "front.jpg"
    photo.write_bytes(jpeg_bytes((800, 600)))
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 800}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, seller.email, DEFAULT_PASSWORD)
        page.goto("/listings/new/")
        page.locator("#id_make").fill("Honda")
        page.get_by_role("button", name="Save and continue").click()
        summary = page.locator("#error-summary")
        assert "Year built" in summary.text_content() and "Transmission" in summary.text_content()
        page.locator("#id_year_built").fill("1996")
        page.locator("#id_drive").select_option("2WD")
        page.locator("#id_transmission").select_option("manual")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url("**/sell/condition/")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url("**/sell/photos/")
        assert page.get_by_role("button", name="Upload").is_visible()
        page.locator("#id_photos").set_input_files([str(photo)])
        page.get_by_role("button", name="Upload").click()
        page.wait_for_url("**/sell/photos/")
        assert page.locator("#photo-list .photo-item").count() == 1
        page.get_by_role("link", name="Continue to price and place").click()
        assert page.locator("#id_zip_code").input_value() == "97201"
        page.locator("#id_price").fill("4200")
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url("**/sell/review/")
        page.get_by_role("button", name="Publish listing").click()
        page.wait_for_url("**/listings/*-*/")
        assert Listing.objects.get(seller=seller).status == "active"
    finally:
        context.close()
