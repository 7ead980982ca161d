from datetime import UTC, datetime

import pytest

from kei_community.core import registry
from tests.factories import ForumThreadFactory, GarageTruckFactory, ListingFactory, UserFactory, forum_category

pytestmark = pytest.mark.django_db


def test_garage_truck_page_shows_hook_results_and_masks_frame(client):
    truck = GarageTruckFactory(frame_number="DA63T-123456", nickname="Blue")

    def threads(t):
        return [{"title": f"Build of {t.nickname}", "url": "/forum/t/1/", "subtitle": "3 posts"}]

    registry.register("truck_threads", threads)
    try:
        response = client.get(f"/garage/{truck.pk}/")
    finally:
        registry._hooks["truck_threads"] = [h for h in registry._hooks["truck_threads"] if h[1] is not threads]
    body = response.content.decode()
    assert response.status_code == 200
    assert "Build of Blue" in body
    assert "DA63T-****56" in body and "DA63T-123456" not in body


def test_owner_sees_full_frame_number(client):
    truck = GarageTruckFactory(frame_number="DA63T-123456")
    client.force_login(truck.owner)
    assert "DA63T-123456" in client.get(f"/garage/{truck.pk}/").content.decode()


def test_add_truck_through_the_form(client, user, catalog):
    from kei_community.vehicles.models import ChassisCode, GarageTruck

    client.force_login(user)
    code = ChassisCode.objects.get(code="DA63T")
    response = client.post(
        "/garage/new/",
        {
            "chassis_code": code.pk,
            "make": "",
            "model": "",
            "frame_number": "ZZ1-99",
            "year_built": 2004,
            "month_built": 5,
        },
    )
    truck = GarageTruck.objects.get(owner=user)
    assert response.status_code == 302 and response.url == truck.get_absolute_url()
    assert truck.make == "Suzuki"


def test_add_truck_with_equipment_odometer_and_colour_and_its_page_shows_them(client, user):
    from kei_community.vehicles.models import GarageTruck

    client.force_login(user)
    response = client.post(
        "/garage/new/",
        {
            "make": "Daihatsu", "model": "Hijet", "transmission": "automatic", "bed_type": "dump",
            "odometer": "45210", "odometer_unit": "mi", "colour": "Silver",
        },
    )  # fmt: skip
    truck = GarageTruck.objects.get(owner=user)
    assert response.status_code == 302
    assert (truck.transmission, truck.bed_type, truck.odometer, truck.odometer_unit, truck.colour) == (
        "automatic", "dump", 45210, "mi", "Silver",
    )  # fmt: skip
    facts = client.get(truck.get_absolute_url()).content.decode()
    for text in ("Automatic", "Dump", "45,210 miles", "Silver"):
        assert text in facts


def test_truck_form_without_an_odometer_unit_reads_in_km_and_refuses_a_bad_bed(client, user):
    from kei_community.vehicles.models import GarageTruck

    client.force_login(user)
    response = client.post("/garage/new/", {"make": "Suzuki", "bed_type": "tipper"})
    assert "bed_type" in response.context["form"].errors and not GarageTruck.objects.exists()
    client.post("/garage/new/", {"make": "Suzuki", "odometer": "100"})
    assert GarageTruck.objects.get(owner=user).odometer_unit == "km"


def test_edit_truck_form_offers_the_new_fields_and_keeps_them(client):
    truck = GarageTruckFactory(transmission="manual", odometer=9000, odometer_unit="mi", colour="Red")
    client.force_login(truck.owner)
    form = client.get(f"/garage/{truck.pk}/edit/").context["form"]
    assert (form["transmission"].value(), form["odometer"].value(), form["odometer_unit"].value()) == (
        "manual", 9000, "mi",
    )  # fmt: skip
    client.post(
        f"/garage/{truck.pk}/edit/",
        {"make": "Suzuki", "transmission": "cvt", "odometer": "9100", "odometer_unit": "mi", "colour": "Red"},
    )
    truck.refresh_from_db()
    assert (truck.transmission, truck.odometer, truck.colour) == ("cvt", 9100, "Red")


def test_other_member_cannot_change_a_trucks_equipment_through_the_form(client, other_user):
    truck = GarageTruckFactory(transmission="manual", colour="Red")
    client.force_login(other_user)
    response = client.post(f"/garage/{truck.pk}/edit/", {"make": "Suzuki", "transmission": "cvt", "colour": "Blue"})
    assert response.status_code == 404
    truck.refresh_from_db()
    assert (truck.transmission, truck.colour) == ("manual", "Red")


def test_other_member_cannot_edit_or_delete_a_truck(client, other_user):
    truck = GarageTruckFactory()
    client.force_login(other_user)
    assert client.get(f"/garage/{truck.pk}/edit/").status_code == 404
    assert client.post(f"/garage/{truck.pk}/delete/").status_code == 404


def test_catalog_page_marks_unverified_rows(client, catalog):
    body = client.get("/garage/catalog/?make=suzuki").content.decode()
    assert "DA63T" in body and "unverified" in body and "HA4" not in body


def test_garage_list_query_count_is_constant(client, user, django_assert_max_num_queries):
    client.force_login(user)
    for _ in range(3):
        GarageTruckFactory(owner=user)
    with django_assert_max_num_queries(8):
        assert client.get("/garage/").status_code == 200
    for _ in range(20):
        GarageTruckFactory(owner=user)
    with django_assert_max_num_queries(8):
        assert client.get("/garage/").status_code == 200


# --- the truck's history timeline (build threads from the forum, listings from the marketplace) ----------


def _at(day: int) -> datetime:
    return datetime(2025, 3, day, 12, 0, tzinfo=UTC)


def _thread(truck, *, author=None, title: str, day: int):  # type: ignore[no-untyped-def]
    from forum.models import Thread

    thread = ForumThreadFactory(
        author=author or truck.owner, truck=truck, category=forum_category("builds"), title=title
    )
    Thread.objects.filter(pk=thread.pk).update(created_at=_at(day))
    return thread


def _listing(truck, *, title: str, day: int, price: int = 8500):  # type: ignore[no-untyped-def]
    from marketplace.models import Listing

    listing = ListingFactory(seller=truck.owner, truck=truck, title=title, price=price)
    Listing.objects.filter(pk=listing.pk).update(published_at=_at(day))
    listing.refresh_from_db()
    return listing


def _history(body: str) -> str:
    """The timeline's <ol>, so other parts of the page cannot satisfy an assertion."""
    start = body.index('id="truck-history"')
    return body[start : body.index("</ol>", start)]


def test_history_merges_threads_and_listings_oldest_first_and_follows_the_truck(client):
    from marketplace.models import Listing
    from marketplace.services import conversation_start, listing_mark_sold

    truck = GarageTruckFactory()
    seller = truck.owner
    buyer = UserFactory(display_name="Second Owner")
    _thread(truck, title="Bed rebuild log", day=2)
    listing = _listing(truck, title="Carry with new bed", day=5, price=8500)
    conversation_start(buyer=buyer, listing=listing, body="Still for sale?")
    listing_mark_sold(actor=seller, listing=listing, sold_price=7900, buyer_id=buyer.pk)
    Listing.objects.filter(pk=listing.pk).update(sold_at=_at(9))
    truck.refresh_from_db()
    assert truck.owner_id == buyer.pk  # the sale moved the truck to the buyer's garage
    _thread(truck, author=buyer, title="Second owner lift kit", day=20)

    body = client.get(truck.get_absolute_url()).content.decode()
    history = _history(body)
    order = [
        history.index("Build thread started"),
        history.index("Listed for sale"),
        history.index("Sold"),
        history.index("Second owner lift kit"),
    ]
    assert order == sorted(order)
    assert (
        history.index("Bed rebuild log") < history.index("Carry with new bed") < history.index("Second owner lift kit")
    )
    assert '<time datetime="2025-03-02' in history and '<time datetime="2025-03-20' in history
    assert "asking $8,500" in history and "for $7,900" in history and ">SOLD</span>" in history
    assert seller.public_name in history and "Second Owner" in history
    assert "Owned by" in body and "Second Owner" in body[: body.index('id="truck-history"')]


def test_sold_price_only_when_recorded_and_no_sold_badge_while_open(client):
    from marketplace.services import listing_mark_sold

    truck = GarageTruckFactory()
    listing = _listing(truck, title="Open listing", day=3, price=6000)
    history = _history(client.get(truck.get_absolute_url()).content.decode())
    assert "Listed for sale" in history and "asking $6,000" in history
    assert "SOLD" not in history and "Sold" not in history

    listing_mark_sold(actor=truck.owner, listing=listing)  # no sold price given
    body = client.get(truck.get_absolute_url()).content.decode()
    history = _history(body)
    assert ">SOLD</span>" in history and "Sold" in history
    assert "for $" not in history
    assert "For sale:" not in body  # a sold truck is no longer advertised as for sale


def test_open_listing_is_advertised_above_the_history(client):
    truck = GarageTruckFactory()
    _listing(truck, title="Come buy me", day=3)
    body = client.get(truck.get_absolute_url()).content.decode()
    assert "For sale:" in body and body.index("For sale:") < body.index('id="truck-history"')


def test_history_leaves_out_drafts_held_hidden_and_other_trucks(client, other_user):
    from forum.models import Thread
    from marketplace.models import Listing

    truck = GarageTruckFactory()
    ListingFactory(seller=truck.owner, truck=truck, title="Secret draft", publish=False)
    hidden = _listing(truck, title="Reported listing", day=4)
    Listing.objects.filter(pk=hidden.pk).update(hidden=True)
    held = _listing(truck, title="Held listing", day=5)
    Listing.objects.filter(pk=held.pk).update(held_for_review=True)
    removed = _thread(truck, title="Removed thread", day=6)
    Thread.objects.filter(pk=removed.pk).update(is_hidden=True)
    other_truck = GarageTruckFactory(owner=truck.owner)
    _thread(other_truck, title="Another truck's thread", day=7)
    _thread(truck, title="Visible build", day=8)

    client.force_login(other_user)
    body = client.get(truck.get_absolute_url()).content.decode()
    assert "Visible build" in _history(body)
    for title in ("Secret draft", "Reported listing", "Held listing", "Removed thread", "Another truck's thread"):
        assert title not in body


def test_empty_history_says_so(client):
    truck = GarageTruckFactory()
    body = client.get(truck.get_absolute_url()).content.decode()
    assert "No build threads or listings yet." in body


def test_truck_page_query_count_does_not_grow_with_history(client, settings, django_assert_max_num_queries):
    settings.FORUM_POSTS_PER_MINUTE = 100  # ten build threads by one owner in a second
    truck = GarageTruckFactory()
    _thread(truck, title="Build 0", day=1)
    _listing(truck, title="Listing 0", day=1)
    with django_assert_max_num_queries(6) as one:
        assert client.get(truck.get_absolute_url()).status_code == 200
    for n in range(1, 10):
        _thread(truck, title=f"Build {n}", day=n + 1)
        _listing(truck, title=f"Listing {n}", day=n + 1)
    with django_assert_max_num_queries(6) as ten:
        body = client.get(truck.get_absolute_url()).content.decode()
    assert len(ten.captured_queries) == len(one.captured_queries)  # one query per hook, not per item
    assert body.count("Build thread started") == 10 and body.count("Listed for sale") == 10


@pytest.mark.django_db
def test_garage_truck_form_labels_the_us_market_box_in_words(client):
    """Issue 13: the checkbox read "Us market"."""
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    body = client.get("/garage/new/").content.decode()
    assert "Built for the US market" in body and ">Us market<" not in body
