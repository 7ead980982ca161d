import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace import services
from marketplace.models import Conversation, Listing
from tests.factories import ListingFactory, UserFactory, listing_data
from tests.marketplace.conftest import make_listings
from tests.media.images import heic_bytes, jpeg_bytes

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = {k: v for k, v in listing_data(**overrides).items() if v is not None}
    return data


# --- search page ----------------------------------------------------------------------


def test_search_page_lists_and_filters(client):
    make_listings(2)
    ListingFactory(make="Honda", model="Acty", title="Acty dump")
    body = client.get("/listings/?make=honda").content.decode()
    assert "Acty dump" in body and "Truck number 0" not in body
    assert "1 truck found" in body


def test_search_page_bad_zip_shows_message_not_500(client):
    response = client.get("/listings/?zip=00000&radius=20")
    assert response.status_code == 400
    assert "not a US ZIP code we know" in response.content.decode()


def test_empty_results_suggest_widening(client):
    ListingFactory(zip_code="77002")
    body = client.get("/listings/?zip=78701&radius=25").content.decode()
    assert "No trucks match" in body and "Search within 50 miles" in body


def test_htmx_request_gets_only_the_results(client):
    make_listings(1)
    body = client.get("/listings/?q=truck", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in body and "Truck number 0" in body


@pytest.mark.parametrize("count", [3, 30])
def test_search_query_budget(client, user, count, django_assert_max_num_queries, states):
    make_listings(count)
    client.force_login(user)
    url = "/listings/?q=truck&make=suzuki&drive=4WD&zip=78701&radius=100&registrable_in=TX&ordering=distance"
    client.get(url)  # warm the shared caches (state guide outlooks, content types)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert f"{count} trucks found" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_search_query_budget_anonymous(client, count, django_assert_max_num_queries):
    make_listings(count)
    with django_assert_max_num_queries(7):
        assert client.get("/listings/").status_code == 200


# --- detail --------------------------------------------------------------------------------


def test_detail_redirects_bare_id_and_wrong_slug(client):
    listing = ListingFactory()
    response = client.get(f"/listings/{listing.pk}/")
    assert response.status_code == 301 and response.url == listing.get_absolute_url()
    response = client.get(f"/listings/{listing.pk}-old-title/")
    assert response.status_code == 301 and response.url == listing.get_absolute_url()


def test_detail_shows_eligibility_registration_and_og_tags(client, states):
    listing = ListingFactory(year_built=1998, month_built=6, zip_code="97201", frame_number="DA63T-123456")
    viewer = UserFactory(home_state="TX")
    client.force_login(viewer)
    body = client.get(listing.get_absolute_url()).content.decode()
    assert "25-year eligible" in body
    assert "Can it be registered in Oregon?" in body and "Can it be registered in Texas?" in body
    assert 'property="og:title"' in body
    assert "DA63T-****56" in body and "DA63T-123456" not in body


def test_detail_registration_for_entered_zip(client, states):
    listing = ListingFactory(zip_code="97201")
    body = client.get(listing.get_absolute_url() + "?zip=10001").content.decode()
    assert "Can it be registered in New York?" in body
    assert "not a US ZIP" in client.get(listing.get_absolute_url() + "?zip=00000").content.decode()


def test_detail_seller_card_shows_activity_from_member_activity_hooks(client, monkeypatch):
    from kei_community.core import registry

    listing = ListingFactory()
    calls = []

    def forum_like_activity(user_ids):
        calls.append(list(user_ids))
        return {listing.seller_id: {"threads": 2, "posts": 1, "url": "/forum/search/?author=x", "label": "Forum"}}

    monkeypatch.setitem(registry._hooks, "member_activity", [(0, forum_like_activity)])
    body = client.get(listing.get_absolute_url()).content.decode()
    assert calls == [[listing.seller_id]]
    assert 'Forum: <a href="/forum/search/?author=x">2 threads, 1 post</a>' in body


def test_young_truck_shows_countdown_in_years_and_months_never_days(client):
    from datetime import date

    from kei_community.vehicles.eligibility import eligible_in_words

    listing = ListingFactory(year_built=date.today().year - 10, month_built=1, location_status="japan")
    body = client.get(listing.get_absolute_url()).content.decode()
    when = eligible_in_words(date(date.today().year + 15, 1, 1))
    assert when.startswith("in 14 years") or when.startswith("in 15 years")
    assert f"Import-eligible {when}." in body
    assert not re.search(r"\d+ days from now", body)


@pytest.mark.parametrize("count", [3, 30])
def test_detail_query_budget(client, user, count, django_assert_max_num_queries, states, catalog):
    from kei_community.vehicles.models import ChassisCode

    code = ChassisCode.objects.get(code="DA63T")
    listings = make_listings(count, chassis_code=code, year_built=2004, zip_code="97201")
    target = listings[0]
    for i in range(3):
        services.question_ask(asker=UserFactory(), listing=target, body=f"Question {i}?")
    services.listing_photo_add(actor=target.seller, listing=target, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    client.force_login(user)
    client.get(target.get_absolute_url())  # warm the shared caches (state guide, content types)
    with django_assert_max_num_queries(12):
        response = client.get(target.get_absolute_url())
    assert response.status_code == 200
    assert "Question 2?" in response.content.decode()


def test_detail_query_budget_cold_caches(client, user, django_assert_max_num_queries, states):
    listing = make_listings(3)[0]
    client.force_login(user)
    with django_assert_max_num_queries(14):
        assert client.get(listing.get_absolute_url()).status_code == 200


def test_drafts_are_hidden_from_others(client, other_user):
    draft = ListingFactory(publish=False)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(other_user)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(draft.seller)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_sold_listing_keeps_its_page(client):
    listing = ListingFactory()
    services.listing_mark_sold(actor=listing.seller, listing=listing, sold_price=5000)
    body = client.get(listing.get_absolute_url()).content.decode()
    assert "SOLD" in body


# --- create / edit / photos ---------------------------------------------------------------------


def test_create_with_two_photos_then_publish(client, user):
    client.force_login(user)
    response = client.post("/listings/new/", _form_data())  # the sell flow's first step (the truck)
    listing = Listing.objects.get(seller=user)
    assert response.status_code == 302 and response.url == f"/listings/{listing.pk}/sell/condition/"
    client.post(f"/listings/{listing.pk}/sell/place/", {"price": "8500", "zip_code": "78701"})
    photos = [SimpleUploadedFile("a.jpg", jpeg_bytes()), SimpleUploadedFile("b.heic", heic_bytes())]
    client.post(f"/listings/{listing.pk}/sell/photos/", {"photos": photos})
    assert listing.status == "draft" and listing.photos.count() == 2
    response = client.post(f"/listings/{listing.pk}/publish/")
    listing.refresh_from_db()
    assert response.status_code == 302 and listing.status == "active"


def test_create_form_errors_are_shown_and_nothing_saved(client, user):
    client.force_login(user)
    response = client.post("/listings/new/", _form_data(year_built="", month_built=13))
    body = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_year_built"' in body and 'href="#id_month_built"' in body
    assert not Listing.objects.exists()


def test_bad_photo_keeps_the_listing_text(client, user):
    client.force_login(user)
    listing = services.listing_create(seller=user, data=listing_data(description="My careful description"))
    data = {"photos": [SimpleUploadedFile("broken.jpg", b"definitely not an image")]}
    response = client.post(f"/listings/{listing.pk}/sell/photos/", data)
    listing.refresh_from_db()
    assert listing.description == "My careful description" and listing.photos.count() == 0
    assert "broken.jpg" in response.content.decode()


def test_reorder_photos_by_buttons(client, user):
    listing = ListingFactory(seller=user)
    a = services.listing_photo_add(actor=user, listing=listing, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    b = services.listing_photo_add(actor=user, listing=listing, upload=SimpleUploadedFile("b.jpg", jpeg_bytes()))
    client.force_login(user)
    client.post(f"/listings/{listing.pk}/photos/{b.pk}/", {"action": "up"})
    assert list(listing.photos.order_by("position").values_list("pk", flat=True)) == [b.pk, a.pk]
    client.post(f"/listings/{listing.pk}/photos/{b.pk}/", {"action": "cover"})
    b.refresh_from_db()
    assert b.is_cover


def _two_photos(listing):
    return [
        services.listing_photo_add(actor=listing.seller, listing=listing, upload=SimpleUploadedFile(n, jpeg_bytes()))
        for n in ("a.jpg", "b.jpg")
    ]


def _order(listing):
    return list(listing.photos.order_by("position").values_list("pk", flat=True))


def test_photos_page_loads_the_drag_and_drop_script_with_the_nonce(client, user):
    listing = ListingFactory(seller=user)
    _two_photos(listing)
    client.force_login(user)
    html = client.get(f"/listings/{listing.pk}/photos/").content.decode()
    assert 'src="/static/js/listing_photos.js" integrity="sha384-' in html  # Subresource Integrity
    assert 'crossorigin="anonymous" defer nonce="' in html
    assert f'data-reorder-url="/listings/{listing.pk}/photos/order/"' in html
    assert "Move earlier" in html  # the buttons still work without JavaScript


def test_owner_saves_a_whole_photo_order(client, user):
    listing = ListingFactory(seller=user)
    a, b = _two_photos(listing)
    client.force_login(user)
    response = client.post(f"/listings/{listing.pk}/photos/order/", {"order": [b.pk, a.pk]})
    assert response.status_code == 204
    assert _order(listing) == [b.pk, a.pk]


def test_other_member_cannot_save_a_photo_order(client, other_user):
    listing = ListingFactory()
    a, b = _two_photos(listing)
    client.force_login(other_user)
    response = client.post(f"/listings/{listing.pk}/photos/order/", {"order": [b.pk, a.pk]})
    assert response.status_code == 404
    assert _order(listing) == [a.pk, b.pk]


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("letters", "whole numbers"),
        ("empty", "whole numbers"),
        ("missing", "exactly once"),
        ("twice", "exactly once"),
        ("foreign", "exactly once"),
    ],
)
def test_bad_photo_order_is_400_with_a_message(client, user, order, message):
    listing = ListingFactory(seller=user)
    a, b = _two_photos(listing)
    foreign = services.listing_photo_add(
        actor=user, listing=ListingFactory(seller=user), upload=SimpleUploadedFile("c.jpg", jpeg_bytes())
    )
    ids = {
        "letters": ["first", str(a.pk)],
        "empty": ["", str(a.pk)],
        "missing": [b.pk],
        "twice": [b.pk, b.pk, a.pk],
        "foreign": [b.pk, a.pk, foreign.pk],
    }[order]
    client.force_login(user)
    response = client.post(f"/listings/{listing.pk}/photos/order/", {"order": ids})
    assert response.status_code == 400 and message in response.json()["detail"]
    assert _order(listing) == [a.pk, b.pk]


def test_new_account_photo_cap_answers_400_and_keeps_the_listing(client, settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 1}
    seller = UserFactory()
    listing = ListingFactory(seller=seller, description="My careful description")
    client.force_login(seller)
    url = f"/listings/{listing.pk}/photos/"
    assert client.post(url, {"photos": [SimpleUploadedFile("a.jpg", jpeg_bytes())]}).status_code == 302
    response = client.post(url, {"photos": [SimpleUploadedFile("b.jpg", jpeg_bytes())]})
    assert response.status_code == 400
    assert "b.jpg: New accounts can add up to 1 photo a day" in response.content.decode()
    listing.refresh_from_db()
    assert listing.description == "My careful description" and listing.photos.count() == 1


def test_old_account_photo_uploads_are_not_capped(client, settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 1}
    seller = UserFactory(date_joined=timezone.now() - timedelta(days=30))
    listing = ListingFactory(seller=seller)
    client.force_login(seller)
    photos = [SimpleUploadedFile("a.jpg", jpeg_bytes()), SimpleUploadedFile("b.jpg", jpeg_bytes())]
    assert client.post(f"/listings/{listing.pk}/photos/", {"photos": photos}).status_code == 302
    assert listing.photos.count() == 2


def test_photo_uploads_are_not_capped_when_new_account_limits_are_off(client, settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = False
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 1}
    seller = UserFactory()
    listing = ListingFactory(seller=seller)
    client.force_login(seller)
    photos = [SimpleUploadedFile("a.jpg", jpeg_bytes()), SimpleUploadedFile("b.jpg", jpeg_bytes())]
    assert client.post(f"/listings/{listing.pk}/photos/", {"photos": photos}).status_code == 302
    assert listing.photos.count() == 2


def test_other_member_cannot_edit_delete_or_manage_photos(client, other_user):
    listing = ListingFactory()
    client.force_login(other_user)
    assert client.get(f"/listings/{listing.pk}/edit/").status_code == 404
    assert client.post(f"/listings/{listing.pk}/edit/", _form_data(price=1)).status_code == 404
    assert client.post(f"/listings/{listing.pk}/delete/").status_code == 404
    assert client.post(f"/listings/{listing.pk}/status/", {"status": "sold"}).status_code == 404
    assert client.get(f"/listings/{listing.pk}/photos/").status_code == 404
    assert Listing.objects.get(pk=listing.pk).status == "active"


def test_owner_marks_sold_with_price(client):
    listing = ListingFactory()
    client.force_login(listing.seller)
    client.post(f"/listings/{listing.pk}/status/", {"status": "sold", "sold_price": "6500"})
    listing.refresh_from_db()
    assert listing.status == "sold" and listing.sold_price == 6500


# --- favourites, messages, questions --------------------------------------------------------------


def test_favorite_toggle_and_list(client, user):
    listing = ListingFactory(title="Lovely Hijet")
    client.force_login(user)
    client.post(f"/listings/{listing.pk}/favorite/")
    assert "Lovely Hijet" in client.get("/listings/favorites/").content.decode()
    client.post(f"/listings/{listing.pk}/favorite/", {"remove": "1"})
    assert "Lovely Hijet" not in client.get("/listings/favorites/").content.decode()


def test_contact_seller_and_inbox_unread(client, user):
    listing = ListingFactory()
    client.force_login(user)
    response = client.post(f"/listings/{listing.pk}/contact/", {"body": "Is it available?"})
    conversation = Conversation.objects.get()
    assert response.url == f"/messages/{conversation.pk}/"
    client.force_login(listing.seller)
    assert "1 unread</span></h1>" in client.get("/messages/").content.decode()
    client.get(f"/messages/{conversation.pk}/")
    assert "unread</span></h1>" not in client.get("/messages/").content.decode()


def test_refused_message_keeps_the_typed_text_in_the_form(client, user, settings):
    settings.MESSAGE_RATE_PER_MINUTE = 10
    conversation = services.conversation_start(buyer=user, listing=ListingFactory(), body="1")
    for n in range(2, 11):
        services.message_send(sender=user, conversation=conversation, body=f"{n}")
    client.force_login(user)
    response = client.post(f"/messages/{conversation.pk}/", {"body": "My long & careful offer"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "up to 10 a minute" in page and 'role="alert"' in page
    assert "My long &amp; careful offer</textarea>" in page
    assert conversation.messages.count() == 10


def test_refused_first_message_to_a_seller_keeps_the_typed_text(client, user, settings):
    settings.MESSAGE_RATE_PER_MINUTE = 1
    services.conversation_start(buyer=user, listing=ListingFactory(), body="first")
    listing = ListingFactory()
    client.force_login(user)
    response = client.post(f"/listings/{listing.pk}/contact/", {"body": "Is the bed straight?"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "up to 1 a minute" in page and "Is the bed straight?</textarea>" in page
    assert f'action="/listings/{listing.pk}/contact/"' in page
    assert not listing.conversations.exists()


def test_contact_seller_with_an_empty_message_is_400_with_the_form(client, user):
    listing = ListingFactory()
    client.force_login(user)
    response = client.post(f"/listings/{listing.pk}/contact/", {"body": "   "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_conversation_not_readable_by_others(client, other_user, user):
    listing = ListingFactory()
    conversation = services.conversation_start(buyer=user, listing=listing, body="private")
    client.force_login(other_user)
    assert client.get(f"/messages/{conversation.pk}/").status_code == 404
    assert client.post(f"/messages/{conversation.pk}/", {"body": "hi"}).status_code == 404


def test_scam_warning_shown_to_both(client, user):
    listing = ListingFactory()
    conversation = services.conversation_start(buyer=user, listing=listing, body="I'll pay with gift cards")
    for member in (user, listing.seller):
        client.force_login(member)
        assert "common in scams" in client.get(f"/messages/{conversation.pk}/").content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_inbox_query_budget(client, user, count, django_assert_max_num_queries):
    for listing in make_listings(count):
        services.conversation_start(buyer=user, listing=listing, body="hi")
    client.force_login(user)
    with django_assert_max_num_queries(8):
        assert client.get("/messages/").status_code == 200


def test_question_ask_and_answer_on_page(client, user):
    listing = ListingFactory()
    client.force_login(user)
    client.post(f"/listings/{listing.pk}/questions/", {"body": "Frame rust?"})
    question = listing.questions.get()
    client.post(f"/listings/{listing.pk}/questions/{question.pk}/answer/", {"answer": "hacked"})
    question.refresh_from_db()
    assert question.answer == ""
    client.force_login(listing.seller)
    client.post(f"/listings/{listing.pk}/questions/{question.pk}/answer/", {"answer": "None at all."})
    body = client.get(listing.get_absolute_url()).content.decode()
    assert "Frame rust?" in body and "None at all." in body


# --- dashboard, saved searches, comps, dealer ---------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
def test_dashboard_query_budget(client, user, count, django_assert_max_num_queries):
    make_listings(count, seller=user)
    client.force_login(user)
    with django_assert_max_num_queries(8):
        response = client.get("/listings/mine/")
    assert response.status_code == 200 and "Truck number 0" in response.content.decode()


def test_save_search_from_page_and_delete(client, user):
    client.force_login(user)
    client.post("/listings/saved-searches/", {"name": "Near me", "frequency": "daily", "query": "zip=78701&radius=50"})
    saved = user.saved_searches.get()
    assert saved.query == "zip=78701&radius=50"
    other = UserFactory()
    client.force_login(other)
    assert client.post(f"/listings/saved-searches/{saved.pk}/", {"delete": "1"}).status_code == 404
    client.force_login(user)
    client.post(f"/listings/saved-searches/{saved.pk}/", {"delete": "1"})
    assert not user.saved_searches.exists()


def test_save_search_with_bad_query_is_refused(client, user):
    client.force_login(user)
    response = client.post(
        "/listings/saved-searches/", {"name": "x", "frequency": "daily", "query": "zip=00000"}, follow=True
    )
    assert "not a US ZIP" in response.content.decode() and not user.saved_searches.exists()


def test_prices_page_and_chart(client, catalog):
    from kei_community.vehicles.models import ChassisCode

    make_listings(3, chassis_code=ChassisCode.objects.get(code="DA63T"), year_built=2005)
    body = client.get("/listings/prices/").content.decode()
    assert "DA63T" in body and "<svg" in body


def test_dealer_profile_page_lists_trucks(client, user):
    ListingFactory(seller=user, title="Dealer truck")
    client.force_login(user)
    response = client.post(
        "/listings/dealers/me/",
        {"business_name": "Pacific Kei", "city": "Seattle", "state": "WA", "phone": "555", "show_phone": ""},
    )
    assert response.status_code == 302
    body = client.get(response.url).content.decode()
    assert "Dealer truck" in body and "555" not in body


def test_dealer_filter_in_search(client, user):
    ListingFactory(title="Private one")
    services.dealer_profile_save(user=user, data={"business_name": "Kei Depot"})
    ListingFactory(seller=user, title="Dealer one")
    body = client.get("/listings/?seller_type=dealer").content.decode()
    assert "Dealer one" in body and "Private one" not in body


def test_held_listing_review_by_moderator(client, moderator, settings, django_capture_on_commit_callbacks):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    listing = ListingFactory(seller=UserFactory())
    assert listing.held_for_review
    from kei_community.moderation.registry import queue_sources

    assert any(item["title"] == listing.title for item in queue_sources()["marketplace"]())
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/listings/{listing.pk}/review/", {"decision": "approve"})
    listing.refresh_from_db()
    assert not listing.held_for_review and listing.is_public


def test_home_sections_and_site_search_hooks(client):
    ListingFactory(title="Hook truck")
    assert "Hook truck" in client.get("/").content.decode()
    data = client.get("/api/v1/search/?q=hook").json()
    assert any(r["title"] == "Hook truck" for g in data["groups"] for r in g["results"])


def test_truck_listings_hook_on_garage_page(client):
    from tests.factories import GarageTruckFactory

    truck = GarageTruckFactory()
    ListingFactory(seller=truck.owner, truck=truck, title="Garage-linked truck")
    assert "Garage-linked truck" in client.get(truck.get_absolute_url()).content.decode()


def test_anonymous_pages_are_cached_and_invalidated_by_writes(client, django_capture_on_commit_callbacks):
    listing = ListingFactory(title="Cached Carry", price=5000)
    first = client.get(listing.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    second = client.get(listing.get_absolute_url())
    assert second["X-Page-Cache"] == "hit" and "$5,000" in second.content.decode()
    assert 'nonce="csrf' not in second.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=listing.seller, listing=listing, data={"price": 4500})
    third = client.get(listing.get_absolute_url())
    assert third["X-Page-Cache"] == "miss" and "$4,500" in third.content.decode()


def test_signed_in_pages_are_never_cached(client, user):
    listing = ListingFactory()
    client.force_login(user)
    client.get(listing.get_absolute_url())
    assert not client.get(listing.get_absolute_url()).has_header("X-Page-Cache")


def test_profile_section_lists_members_trucks_for_sale(user):
    from kei_community.core.registry import call_hooks

    ListingFactory(seller=user, title="Profile truck")
    html = "".join(call_hooks("profile_sections", user))
    assert "Profile truck" in html
    assert "".join(call_hooks("profile_sections", UserFactory())) == ""


@pytest.mark.parametrize("count", [3, 30])
def test_favorites_and_dealer_pages_query_budget(client, user, count, django_assert_max_num_queries):
    dealer = UserFactory()
    profile = services.dealer_profile_save(user=dealer, data={"business_name": f"Dealer {count}"})
    for listing in make_listings(count, seller=dealer):
        services.favorite_add(user=user, listing=listing)
    client.force_login(user)
    client.get("/listings/favorites/")
    with django_assert_max_num_queries(9):
        assert client.get("/listings/favorites/").status_code == 200
    with django_assert_max_num_queries(10):
        assert f"Trucks for sale ({count})" in client.get(profile.get_absolute_url()).content.decode()


def test_owner_marks_sold_to_a_buyer_from_the_page(client, user):
    from tests.factories import GarageTruckFactory

    truck = GarageTruckFactory()
    listing = ListingFactory(seller=truck.owner, truck=truck)
    services.conversation_start(buyer=user, listing=listing, body="Deal?")
    client.force_login(truck.owner)
    assert "Sold to (moves the truck to their garage)" in client.get(listing.get_absolute_url()).content.decode()
    client.post(f"/listings/{listing.pk}/status/", {"status": "sold", "sold_price": "5000", "buyer": str(user.pk)})
    truck.refresh_from_db()
    assert truck.owner == user


def test_result_cards_show_a_photo_change_and_the_viewers_favourite(client, user):
    from marketplace.models import Favorite

    listing = make_listings(1)[0]
    client.force_login(user)
    assert "No photo" in client.get("/listings/").content.decode()
    services.listing_photo_add(actor=listing.seller, listing=listing, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    page = client.get("/listings/").content.decode()
    assert "No photo" not in page
    assert 'aria-pressed="false"' in page
    Favorite.objects.create(user=user, listing=listing)
    assert 'aria-pressed="true"' in client.get("/listings/").content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_search_results_block_shared_by_readers_with_their_own_favourites(
    client, user, other_user, count, django_assert_max_num_queries
):
    from marketplace.models import Favorite

    listings = make_listings(count)
    Favorite.objects.bulk_create([Favorite(user=user, listing=obj) for obj in listings])
    url = "/listings/?make=Suzuki&ordering=newest"
    client.force_login(other_user)
    client.get(url)  # builds the shared results block
    client.force_login(user)
    with django_assert_max_num_queries(5):
        page = client.get(url).content.decode()
    assert f"{count} trucks found" in page
    assert 'aria-pressed="true"' in page and 'aria-pressed="false"' not in page
    client.force_login(other_user)
    page = client.get(url).content.decode()
    assert 'aria-pressed="false"' in page and 'aria-pressed="true"' not in page


def test_search_results_block_shows_a_listing_edit(client, user):
    listing = make_listings(1)[0]
    client.force_login(user)
    assert "Truck number 0" in client.get("/listings/?ordering=newest").content.decode()
    services.listing_update(actor=listing.seller, listing=listing, data={"title": "Renamed kei truck"})
    page = client.get("/listings/?ordering=newest").content.decode()
    assert "Renamed kei truck" in page and "Truck number 0" not in page


def test_search_results_block_is_rebuilt_by_one_reader_while_the_others_get_the_last_one(client, user):
    from django.core.cache import cache

    from kei_community.core import caching

    make_listings(1)
    url = "/listings/?make=Suzuki&ordering=newest"
    client.force_login(user)
    assert "1 truck found" in client.get(url).content.decode()
    ListingFactory(make="Suzuki", title="Second Carry")  # fires the search's tags
    lock = caching._key("marketplace.results", "make=Suzuki&ordering=newest", {}, ()) + ":building"
    assert cache.add(lock, 1, 30)  # another process is building the block again
    page = client.get(url).content.decode()
    assert "1 truck found" in page and "Second Carry" not in page
    cache.delete(lock)
    page = client.get(url).content.decode()
    assert "2 trucks found" in page and "Second Carry" in page


def test_anonymous_views_served_from_the_page_cache_are_counted(client):
    from marketplace import selectors

    listing = ListingFactory()
    for _ in range(3):
        client.get(listing.get_absolute_url())
    assert client.get(listing.get_absolute_url())["X-Page-Cache"] == "hit"
    listing.refresh_from_db()
    assert listing.views_count + selectors.pending_views([listing.pk])[listing.pk] == 4


def test_detail_sections_shared_by_readers_but_not_with_the_seller(client, user, other_user):
    listing = ListingFactory(frame_number="DA63T-123456", show_full_frame_number=False, title="Shared Carry")
    client.force_login(user)
    reader_page = client.get(listing.get_absolute_url()).content.decode()
    assert "DA63T-123456" not in reader_page and "Shared Carry" in reader_page
    client.force_login(other_user)
    assert "DA63T-123456" not in client.get(listing.get_absolute_url()).content.decode()
    client.force_login(listing.seller)
    seller_page = client.get(listing.get_absolute_url()).content.decode()
    assert "DA63T-123456" in seller_page and "Your listing" in seller_page


def test_detail_sections_follow_a_listing_write_for_signed_in_readers(client, user, django_capture_on_commit_callbacks):
    listing = ListingFactory(description="Original words")
    client.force_login(user)
    assert "Original words" in client.get(listing.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=listing.seller, listing=listing, data={"description": "Fresh words"})
    page = client.get(listing.get_absolute_url()).content.decode()
    assert "Fresh words" in page and "Original words" not in page


def test_detail_sections_keep_the_readers_own_parts(client, user, other_user):
    from marketplace.models import Favorite

    listing = ListingFactory()
    Favorite.objects.create(user=user, listing=listing)
    client.force_login(user)
    assert 'aria-pressed="true"' in client.get(listing.get_absolute_url()).content.decode()
    client.force_login(other_user)
    page = client.get(listing.get_absolute_url()).content.decode()
    assert 'aria-pressed="false"' in page and "Contact seller" in page


def test_cached_search_form_shows_each_readers_home_state(client):
    make_listings(2)
    client.force_login(UserFactory(home_state="OR"))
    assert 'placeholder="OR"' in client.get("/listings/?q=truck").content.decode()
    client.force_login(UserFactory(home_state="TX"))
    page = client.get("/listings/?q=truck").content.decode()
    assert 'placeholder="TX"' in page and 'placeholder="OR"' not in page


def test_search_form_keeps_the_query_and_marks_a_bad_filter(client):
    page = client.get("/listings/?q=carry&year_min=abc").content.decode()
    assert 'value="carry"' in page
    assert 'id="f-ymin"' in page and "is-invalid" in page


def test_card_favourite_button_escapes_the_title(client, user):
    ListingFactory(title='<img src=x onerror="alert(1)"> Carry')
    client.force_login(user)
    page = client.get("/listings/").content.decode()
    assert '<img src=x onerror="alert(1)">' not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Carry to favourites" in page


# --- trucks-by-state map on the search page ----------------------------------------------


def test_state_map_shows_a_states_count_and_links_to_it_keeping_the_filters(client):
    make_listings(2)  # Austin, TX
    ListingFactory(zip_code="97201")  # Portland, OR
    page = client.get("/listings/?make=Suzuki&page=1").content.decode()
    assert "Map: trucks by state" in page
    assert '<a class="mkt-map-cell" href="?make=Suzuki&amp;state=TX" title="Texas: 2 trucks">' in page
    assert '<a class="mkt-map-cell" href="?make=Suzuki&amp;state=OR" title="Oregon: 1 truck">' in page
    assert '<li class="mkt-map-tile mkt-map-l1 tile-r7 tile-c3">' in page  # TX: 1–2 trucks shade, grid place


def test_state_map_does_not_link_a_state_without_trucks(client):
    make_listings(1)
    page = client.get("/listings/").content.decode()
    assert '<span class="mkt-map-cell" title="Wyoming: no trucks">' in page
    assert '<li class="mkt-map-tile mkt-map-l0 tile-r3 tile-c2">' in page
    assert "state=WY" not in page


def test_state_map_marks_the_searched_state_and_offers_all_states(client):
    make_listings(2)
    page = client.get("/listings/?make=Suzuki&state=tx").content.decode()
    assert 'href="?make=Suzuki&amp;state=TX" title="Texas: 2 trucks" aria-current="true"' in page
    assert "mkt-map-current" in page and '<details class="mb-3 mkt-map" open>' in page
    assert 'Showing Texas. <a href="?make=Suzuki">All states</a>' in page
    unfiltered = client.get("/listings/?make=Suzuki").content.decode()
    assert (
        'aria-current="true"' not in unfiltered
        and "mkt-map-current" not in unfiltered
        and "All states" not in unfiltered
    )


def test_state_map_counts_only_the_trucks_matching_the_filters(client):
    make_listings(3)  # Suzukis in TX
    ListingFactory(make="Honda", model="Acty", zip_code="78701")
    ListingFactory(make="Honda", model="Acty", zip_code="97201")
    page = client.get("/listings/?make=Honda").content.decode()
    assert 'title="Texas: 1 truck"' in page and 'title="Oregon: 1 truck"' in page
    assert "Texas: 4 trucks" not in page
    assert "Texas: 4 trucks" in client.get("/listings/").content.decode()


def test_state_map_counts_trucks_without_a_us_state_apart(client):
    make_listings(2)
    Listing.objects.filter(pk=make_listings(1)[0].pk).update(state="")
    page = client.get("/listings/").content.decode()
    assert 'title="Texas: 2 trucks"' in page
    assert "1 truck without a US location is not on the map." in page


def test_htmx_results_carry_the_state_map(client):
    make_listings(1)
    body = client.get("/listings/?q=truck", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in body and 'title="Texas: 1 truck"' in body


@pytest.mark.parametrize("count", [3, 30])
def test_state_map_adds_no_query(client, user, count, monkeypatch, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from marketplace.views import search as search_views

    make_listings(count)
    client.force_login(user)
    client.get("/listings/?q=truck")  # warm the shared caches (session, content types)
    with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as with_map:
        page = client.get("/listings/?q=truck+number").content.decode()
    monkeypatch.setattr(search_views, "state_map_html", lambda **kwargs: "")
    with CaptureQueriesContext(connection) as without_map:
        other = client.get("/listings/?q=number+truck").content.decode()
    assert f'title="Texas: {count} trucks"' in page and "Map: trucks by state" not in other
    assert len(with_map) == len(without_map)


def test_state_map_with_a_state_chosen_still_counts_the_other_states_under_the_other_filters(client):
    make_listings(2)  # Suzukis in Austin, TX
    ListingFactory(zip_code="97201")  # a Suzuki in Portland, OR
    ListingFactory(make="Honda", model="Acty", zip_code="97201")
    page = client.get("/listings/?make=Suzuki&state=TX").content.decode()
    assert "2 trucks found" in page
    assert 'href="?make=Suzuki&amp;state=OR" title="Oregon: 1 truck"' in page  # the Honda is filtered out
    assert 'title="Texas: 2 trucks" aria-current="true"' in page


def test_api_state_facet_counts_every_state_when_a_state_is_chosen(client):
    make_listings(2)
    ListingFactory(zip_code="97201")
    body = client.get("/api/v1/listings/?state=TX").json()
    state_facet = next(f for f in body["facets"] if f["name"] == "state")
    assert {v["value"]: v["count"] for v in state_facet["values"]} == {"TX": 2, "OR": 1}
    assert body["count"] == 2


def test_state_map_with_a_state_chosen_keeps_the_radius(client):
    make_listings(2)  # Austin, TX
    ListingFactory(zip_code="97201")  # Portland, OR: far outside 100 miles of Austin
    page = client.get("/listings/?zip=78701&radius=100&state=OR").content.decode()
    assert 'title="Texas: 2 trucks"' in page
    assert 'title="Oregon: no trucks"' in page


def test_empty_search_offers_to_widen_in_words(client):
    """Issue 13: the suggestion read "Remove “q: nonexistentxyz”"."""
    body = client.get("/listings/?q=nonexistentxyz&state=TX").content.decode()
    assert "Search without the keywords “nonexistentxyz”" in body
    assert "Search every state, not only TX" in body
    assert "Remove “q:" not in body


def test_result_cards_say_negotiable_like_the_listing_page(client, settings):
    """Issue 13: cards said "OBO" while the listing page said "Negotiable"."""
    settings.LISTING_MIN_READY_PHOTOS = 0
    listing = ListingFactory(title="Deal Carry", negotiable=True)
    cards = client.get("/listings/").content.decode()
    assert "Negotiable" in cards and ">OBO<" not in cards
    assert "Negotiable" in client.get(listing.get_absolute_url()).content.decode()


# --- the sell flow (issue 12, part 4): steps saved as a draft ---------------------------------------------


def _sell_truck_step(**overrides):
    data = {
        "make": "Suzuki", "model": "Carry", "year_built": "1998", "month_built": "6", "drive": "4WD",
        "transmission": "manual", "bed_type": "dump", "nav": "next",
    }  # fmt: skip
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _sell_draft(user, **overrides):
    data = {k: v for k, v in listing_data(**overrides).items() if k in overrides or k not in ("price", "zip_code")}
    return services.listing_create(seller=user, data=data)


def test_sell_first_step_saves_a_draft_and_goes_to_condition(client, user):
    client.force_login(user)
    response = client.post("/listings/new/", _sell_truck_step())
    listing = Listing.objects.get(seller=user)
    assert listing.status == Listing.Status.DRAFT and listing.price is None and listing.zip_code == ""
    assert response.status_code == 302 and response["Location"] == f"/listings/{listing.pk}/sell/condition/"


def test_sell_step_shows_every_error_at_once_with_a_summary(client, user):
    client.force_login(user)
    response = client.post("/listings/new/", _sell_truck_step(year_built="", transmission="", drive=""))
    body = response.content.decode()
    assert response.status_code == 400 and not Listing.objects.exists()
    summary = body[body.index('id="error-summary"') - 60 : body.index("</ul>", body.index('id="error-summary"'))]
    assert 'role="alert"' in summary and "autofocus" in summary
    for field in ("year_built", "drive", "transmission"):
        assert f'href="#id_{field}"' in summary


def test_sell_place_step_reports_price_and_unknown_zip_together(client, user):
    listing = _sell_draft(user)
    client.force_login(user)
    response = client.post(f"/listings/{listing.pk}/sell/place/", {"price": "0", "zip_code": "00000", "nav": "next"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_price"' in body and 'href="#id_zip_code"' in body and "not a US ZIP code we know" in body


def test_sell_each_step_saves_on_the_draft(client, user):
    listing = _sell_draft(user)
    client.force_login(user)
    response = client.post(
        f"/listings/{listing.pk}/sell/condition/",
        {"odometer": "52000", "odometer_unit": "km", "colour": "White", "title_status": "clean", "nav": "next"},
    )
    assert response["Location"] == f"/listings/{listing.pk}/sell/photos/"
    response = client.post(f"/listings/{listing.pk}/sell/place/", {"price": "7400", "zip_code": "78701"})
    assert response["Location"] == f"/listings/{listing.pk}/sell/review/"
    listing.refresh_from_db()
    assert (listing.odometer, listing.colour, listing.price, listing.state) == (52000, "White", 7400, "TX")
    assert listing.status == Listing.Status.DRAFT


def test_sell_back_saves_and_goes_to_the_previous_step(client, user):
    listing = _sell_draft(user)
    client.force_login(user)
    response = client.post(f"/listings/{listing.pk}/sell/condition/", {"colour": "Red", "nav": "back"})
    assert response["Location"] == f"/listings/{listing.pk}/sell/truck/"
    listing.refresh_from_db()
    assert listing.colour == "Red"


def test_sell_photos_survive_a_form_error(client, user):
    listing = _sell_draft(user)
    client.force_login(user)
    upload = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    assert client.post(f"/listings/{listing.pk}/sell/photos/", {"photos": [upload]}).status_code == 302
    response = client.post(f"/listings/{listing.pk}/sell/place/", {"price": "-5", "zip_code": "78701"})
    assert response.status_code == 400
    assert listing.photos.count() == 1
    assert "Your photos (1)" in client.get(f"/listings/{listing.pk}/sell/photos/").content.decode()


def test_sell_photos_step_refuses_a_bad_file_with_the_summary(client, user):
    listing = _sell_draft(user)
    client.force_login(user)
    bad = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(f"/listings/{listing.pk}/sell/photos/", {"photos": [bad]})
    assert response.status_code == 400 and 'id="error-summary"' in response.content.decode()
    assert listing.photos.count() == 0


def test_sell_photo_buttons_come_back_to_the_step(client, user):
    listing = _sell_draft(user)
    client.force_login(user)
    for name in ("a.jpg", "b.jpg"):
        upload = SimpleUploadedFile(name, jpeg_bytes(), "image/jpeg")
        client.post(f"/listings/{listing.pk}/sell/photos/", {"photos": [upload]})
    first, second = listing.photos.order_by("position", "id")
    step = f"/listings/{listing.pk}/sell/photos/"
    response = client.post(f"/listings/{listing.pk}/photos/{second.pk}/", {"action": "up", "next": step})
    assert response["Location"] == step
    assert list(listing.photos.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_sell_from_garage_prefills_what_the_truck_knows(client, user):
    from tests.factories import ChassisCodeFactory, GarageTruckFactory

    code = ChassisCodeFactory(code="DA52T", drive="4WD", years_from=1999, years_to=2002)
    truck = GarageTruckFactory(owner=user, chassis_code=code, year_built=2001, month_built=3, us_market=False)
    client.force_login(user)
    form = client.get(f"/listings/new/?truck={truck.pk}").context["form"]
    assert form.initial["truck"] == truck.pk and form.initial["chassis_code"] == code.pk
    assert (form.initial["year_built"], form.initial["month_built"], form.initial["drive"]) == (2001, 3, "4WD")
    assert form.initial["frame_number"] == truck.frame_number


def test_sell_from_someone_elses_truck_prefills_nothing(client, user, other_user):
    from tests.factories import GarageTruckFactory

    truck = GarageTruckFactory(owner=other_user)
    client.force_login(user)
    initial = client.get(f"/listings/new/?truck={truck.pk}").context["form"].initial
    assert initial["truck"] is None and initial["make"] == ""


def test_sell_place_step_takes_the_zip_from_the_profile(client, user):
    user.zip_code = "97201"
    user.save()
    listing = _sell_draft(user)
    client.force_login(user)
    assert client.get(f"/listings/{listing.pk}/sell/place/").context["form"]["zip_code"].value() == "97201"


def test_sell_steps_of_another_members_draft_are_404(client, user, other_user):
    listing = _sell_draft(user)
    client.force_login(other_user)
    for step in ("truck", "photos", "review"):
        assert client.get(f"/listings/{listing.pk}/sell/{step}/").status_code == 404
    assert client.post(f"/listings/{listing.pk}/sell/review/").status_code == 404
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_sell_unknown_step_is_404(client, user):
    listing = _sell_draft(user)
    client.force_login(user)
    assert client.get(f"/listings/{listing.pk}/sell/nope/").status_code == 404


def test_sell_review_refuses_to_publish_without_a_ready_photo(client, user, settings):
    settings.LISTING_MIN_READY_PHOTOS = 1
    listing = _sell_draft(user, price=5000, zip_code="78701", transmission="")
    client.force_login(user)
    response = client.post(f"/listings/{listing.pk}/sell/review/")
    body = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in body
    assert f'href="/listings/{listing.pk}/sell/photos/"' in body
    assert f'href="/listings/{listing.pk}/sell/truck/#id_transmission"' in body
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_sell_review_publishes_with_a_ready_photo(client, user, settings, django_capture_on_commit_callbacks):
    from tests.factories import make_photo

    settings.LISTING_MIN_READY_PHOTOS = 1
    listing = _sell_draft(user, price=5000, zip_code="78701")
    with django_capture_on_commit_callbacks(execute=True):
        make_photo(owner=listing, uploader=user)  # processed at once (eager tasks)
    client.force_login(user)
    response = client.post(f"/listings/{listing.pk}/sell/review/")
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE and response["Location"] == listing.get_absolute_url()


def test_sell_dashboard_resumes_a_draft(client, user):
    listing = _sell_draft(user)
    client.force_login(user)
    assert f"/listings/{listing.pk}/sell/review/" in client.get("/listings/mine/").content.decode()


def test_sell_published_listing_steps_redirect_to_edit(client, user):
    listing = ListingFactory(seller=user)
    client.force_login(user)
    assert client.get(f"/listings/{listing.pk}/sell/truck/")["Location"] == f"/listings/{listing.pk}/edit/"


@pytest.mark.parametrize("photos", [1, 4])
@pytest.mark.parametrize("step", ["truck", "condition", "photos", "place", "review"])
def test_sell_step_query_budget(client, user, step, photos, django_assert_max_num_queries):
    from tests.factories import make_photo

    listing = _sell_draft(user, price=5000, zip_code="78701")
    for _ in range(photos):
        make_photo(owner=listing, uploader=user)
    client.force_login(user)
    client.get(f"/listings/{listing.pk}/sell/{step}/")
    with django_assert_max_num_queries(12):
        assert client.get(f"/listings/{listing.pk}/sell/{step}/").status_code == 200


def test_saved_searches_show_their_criteria_not_only_a_name(client):
    """Issue 13: the list showed only each search's name."""
    member = UserFactory()
    services.saved_search_create(user=member, name="My kei search", query="q=hijet&state=TX&drive=&price_max=9000")
    client.force_login(member)
    body = client.get("/listings/saved-searches/").content.decode()
    assert "Keywords: hijet · Price up to $: 9000 · Listed in: TX" in body


def test_dealer_seller_card_names_the_dealer_once_and_their_profile_links_the_dealer_page(client, settings):
    """Issue 13: the seller card said "Pacific Kei Imports · Pacific Kei Imports"; the member profile
    did not link the dealer page."""
    settings.LISTING_MIN_READY_PHOTOS = 0
    seller = UserFactory(display_name="Pacific Kei Imports")
    dealer = services.dealer_profile_save(user=seller, data={"business_name": "Pacific Kei Imports", "city": "Seattle"})
    listing = ListingFactory(seller=seller, title="Dealer Acty")
    page = client.get(listing.get_absolute_url()).content.decode()
    seller_box = page.split('id="seller-heading"', 1)[1].split("</section>", 1)[0]
    assert seller_box.count("Pacific Kei Imports") == 1 and dealer.get_absolute_url() in seller_box
    profile = client.get(seller.get_absolute_url()).content.decode()
    assert f'href="{dealer.get_absolute_url()}"' in profile


# --- import eligibility where buyers look; the seller's warnings ---------------------------------------


TOO_NEW = "Too new to have been imported legally under the 25-year rule — ask for import papers."


def _cards(body: str) -> dict[str, str]:
    """The result cards of a page by listing title."""
    found = {}
    for chunk in body.split("<article")[1:]:
        card = chunk.split("</article>")[0]
        title = re.search(r'-title"><a [^>]*>([^<]+)</a>', card)
        if title:
            found[title.group(1)] = card
    return found


def _too_new(**kwargs):
    return ListingFactory(year_built=timezone.now().year - 4, month_built=3, location_status="us", **kwargs)


def test_search_card_warns_about_a_truck_too_new_for_the_25_year_rule(client):
    _too_new(title="Young Carry")
    ListingFactory(title="Old Carry", year_built=1998)
    cards = _cards(client.get("/listings/").content.decode())
    assert TOO_NEW in cards["Young Carry"]
    assert "Too new to have been imported" not in cards["Old Carry"]


def test_search_card_of_a_truck_in_japan_says_when_it_becomes_eligible(client):
    from kei_community.vehicles.eligibility import eligible_in_words

    listing = ListingFactory(year_built=timezone.now().year - 4, month_built=3, location_status="japan")
    body = client.get("/listings/").content.decode()
    assert f"In Japan · import-eligible {eligible_in_words(listing.import_eligible_on)}" in body
    assert "Too new to have been imported" not in body and not re.search(r"\d+ days", body)


def test_import_eligible_now_filter_on_the_search_page(client):
    _too_new(title="Young Carry")
    ListingFactory(title="Old Carry", year_built=1998)
    body = client.get("/listings/?import_eligible=true").content.decode()
    assert "Old Carry" in body and "Young Carry" not in body
    assert re.search(r'name="import_eligible" value="true"[^>]* checked', body)
    assert 'data-facet="import_eligible" data-value="true">Import-eligible now</a>' in body
    everything = client.get("/listings/").content.decode()
    not_yet = (
        'data-facet="import_eligible" data-value="false">Not yet eligible</a> <span class="text-body-secondary">(1)'
    )
    assert not_yet in everything


def test_search_with_import_eligible_stays_within_budget_on_a_cold_cache(client, user, django_assert_max_num_queries):
    from django.core.cache import cache

    seller = UserFactory()
    for i in range(12):
        listing = ListingFactory(seller=seller, title=f"Truck {i}", year_built=1990 + i)
        services.listing_photo_add(actor=seller, listing=listing, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    client.force_login(user)
    cache.clear()
    with django_assert_max_num_queries(10):
        response = client.get("/listings/?import_eligible=true&make=suzuki")
    assert response.status_code == 200 and "12 trucks found" in response.content.decode()


def test_listing_page_warns_and_counts_down_in_months_or_years(client):
    listing = _too_new()
    body = client.get(listing.get_absolute_url()).content.decode()
    assert 'id="import-warning"' in body
    assert "Too new to have been imported legally under the 25-year rule — ask for import papers." in body
    assert f"Import-eligible {listing.eligibility.eligible_in}." in body and not re.search(r"\d+ days from now", body)
    assert 'id="import-warning"' not in client.get(ListingFactory(year_built=1998).get_absolute_url()).content.decode()


def test_seller_sees_the_import_warning_before_publishing(client, user):
    client.force_login(user)
    young = timezone.now().year - 4
    response = client.post("/listings/new/", _form_data(year_built=young, location_status="us"), follow=True)
    listing = Listing.objects.get(seller=user)
    assert listing.status == Listing.Status.DRAFT  # saved: a warning never blocks
    body = response.content.decode()
    assert 'id="seller-warnings"' in body and "Too new to have been imported legally" in body
    photos_page = client.get(f"/listings/{listing.pk}/photos/").content.decode()
    assert "Too new to have been imported legally" in photos_page and "Publish listing" in photos_page


def test_the_listing_form_shows_warnings_with_its_errors(client, user):
    listing = ListingFactory(seller=user, price=5000)
    client.force_login(user)
    data = _form_data(year_built=timezone.now().year - 4, frame_number="JS3TD62V1Y4100000", price=0)
    body = client.post(f"/listings/{listing.pk}/edit/", data).content.decode()
    assert 'id="seller-warnings"' in body
    assert "Too new to have been imported legally" in body and "looks like a 17-character VIN" in body
    listing.refresh_from_db()
    assert listing.price == 5000 and listing.frame_number == ""


def test_a_vin_in_the_frame_number_gets_the_garage_forms_warning(client, user):
    from kei_community.vehicles.frame import VIN_WARNING

    client.force_login(user)
    response = client.post("/listings/new/", _form_data(frame_number="JS3TD62V1Y4100000"), follow=True)
    assert Listing.objects.get(seller=user).frame_number == "JS3TD62V1Y4100000"
    assert VIN_WARNING.replace("'", "&#x27;") in response.content.decode()


def test_editing_shows_the_warnings_after_saving(client, user):
    listing = ListingFactory(seller=user)
    client.force_login(user)
    data = _form_data(year_built=timezone.now().year - 4, location_status="port")
    response = client.post(f"/listings/{listing.pk}/edit/", data, follow=True)
    assert "Too new to have been imported legally" in response.content.decode()


def test_year_outside_the_chassis_codes_years_is_a_form_error_shown_with_the_others(client, user, catalog):
    from kei_community.vehicles.models import ChassisCode

    client.force_login(user)
    code = ChassisCode.objects.get(code="DA63T")
    data = _form_data(chassis_code=code.pk, year_built=1995, zip_code="00000")
    body = client.post("/listings/new/", data).content.decode()
    assert "The Suzuki Carry DA63T was built 2002–2013, so a truck built in 1995 cannot be a DA63T." in body
    assert "not a US ZIP code" in body or "is-invalid" in body
    assert not Listing.objects.exists()


# --- the listing page's gallery; the home page's photo cards ------------------------------------------


def _ready_photos(listing, count, **fields):
    from kei_community.media.tasks import process_photo

    photos = []
    for i in range(count):
        photo = services.listing_photo_add(
            actor=listing.seller, listing=listing, upload=SimpleUploadedFile(f"p{i}.jpg", jpeg_bytes((640, 480)))
        )
        process_photo.apply(args=[photo.pk])
        photo.refresh_from_db()
        if fields:
            type(photo).objects.filter(pk=photo.pk).update(**fields)
            photo.refresh_from_db()
        photos.append(photo)
    return photos


def _gallery(body: str) -> str:
    start = body.index('<section class="gallery')
    return body[start : body.index("</section>", start)]


def test_gallery_thumbnails_link_to_the_full_size_photo_and_open_a_viewer(client):
    listing = ListingFactory(title="Carry with photos")
    photos = _ready_photos(listing, 3)
    gallery = _gallery(client.get(listing.get_absolute_url()).content.decode())
    links = re.findall(
        r'<a class="d-block gallery-thumb gallery-link" href="([^"]+)" data-gallery-index="(\d)"', gallery
    )
    assert links == [(photo.largest_url(), str(i)) for i, photo in enumerate(photos)]
    assert f'href="{photos[0].largest_url()}" data-gallery-index="0"' in gallery  # the large photo
    assert "3 photos" in gallery
    assert '<dialog class="gallery-viewer" aria-labelledby="gallery-viewer-title"' in gallery
    assert "data-gallery-prev" in gallery and "data-gallery-next" in gallery and "data-gallery-close" in gallery


def test_every_gallery_image_has_alt_text(client):
    listing = ListingFactory(title="Blue Hijet")
    _ready_photos(listing, 2)
    _ready_photos(listing, 1, alt="The bed with the sides down")
    gallery = _gallery(client.get(listing.get_absolute_url()).content.decode())
    images = re.findall(r"<img[^>]*>", gallery)
    viewer = [tag for tag in images if "data-gallery-image" in tag]  # its alt is the chosen photo's (gallery.js)
    alts = [re.search(r'alt="([^"]*)"', tag).group(1) for tag in images if tag not in viewer]
    assert len(viewer) == 1 and len(alts) == 4 and all(alts), alts
    assert "Blue Hijet — photo 2 of 3" in alts and "The bed with the sides down" in alts
    assert 'data-gallery-caption="The bed with the sides down"' in gallery


def test_gallery_of_a_listing_without_photos_shows_no_viewer(client):
    body = client.get(ListingFactory().get_absolute_url()).content.decode()
    assert "No photo" in _gallery(body) and "<dialog" not in _gallery(body)


def test_listing_page_loads_the_gallery_script_with_its_nonce_and_integrity(client):
    body = client.get(ListingFactory().get_absolute_url()).content.decode()
    script = re.search(r'<script src="[^"]*js/gallery[^"]*\.js" integrity="(sha384-[^"]+)"[^>]*nonce="([^"]+)"', body)
    assert script and script.group(2)
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/gallery[^"]*\.css" integrity="sha384-[^"]+"', body)


@pytest.mark.parametrize("signed_in", [False, True])
def test_listing_page_with_a_full_gallery_stays_within_budget(client, user, signed_in, django_assert_max_num_queries):
    from django.core.cache import cache

    listing = ListingFactory()
    _ready_photos(listing, 6)
    if signed_in:
        client.force_login(user)
    client.get(ListingFactory(seller=UserFactory()).get_absolute_url())  # warm the shared caches (content types)
    cache.clear()
    with django_assert_max_num_queries(12):
        response = client.get(listing.get_absolute_url())
    assert response.status_code == 200 and "6 photos" in response.content.decode()


def test_home_page_shows_the_newest_listings_as_photo_cards(client):
    from kei_community.vehicles.eligibility import TOO_NEW_WARNING

    old = ListingFactory(title="Photo Carry", year_built=1998)
    _ready_photos(old, 2)
    ListingFactory(title="Young Acty", make="Honda", model="Acty", year_built=timezone.now().year - 3)
    body = client.get("/").content.decode()
    section = body[body.index('id="newest-listings"') :]
    section = section[: section.index("</section>")]
    cards = _cards(section)
    assert set(cards) == {"Photo Carry", "Young Acty"}
    assert "<picture>" in cards["Photo Carry"] and "No photo" in cards["Young Acty"]
    assert TOO_NEW_WARNING in cards["Young Acty"] and TOO_NEW_WARNING not in cards["Photo Carry"]
    assert 'href="/listings/"' in section


def test_home_page_cards_stay_within_budget(client, user, django_assert_max_num_queries):
    for i in range(8):
        _ready_photos(ListingFactory(title=f"Truck {i}"), 1)
    client.force_login(user)
    client.get("/")
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200


def test_a_listing_page_with_photos_is_cached_for_the_next_reader(client, user, monkeypatch):
    """The link-preview image was stored as a bound method (largest_url without the call), which the cache
    refuses: a listing with a ready photo was rebuilt for every signed-in reader."""
    from marketplace import selectors

    listing = ListingFactory()
    _ready_photos(listing, 1)
    calls = []
    real = selectors.listing_get_for_detail
    monkeypatch.setattr(selectors, "listing_get_for_detail", lambda **kw: calls.append(kw) or real(**kw))
    client.force_login(user)
    first = client.get(listing.get_absolute_url()).content.decode()
    second = client.get(listing.get_absolute_url()).content.decode()
    assert len(calls) == 1
    assert listing.photos.get().largest_url() in first and listing.photos.get().largest_url() in second


def test_a_sell_step_without_the_place_warns_from_where_the_listing_says_the_truck_is(user):
    from kei_community.vehicles.eligibility import TOO_NEW_WARNING
    from marketplace.sell_forms import SellStepForm

    young = timezone.now().year - 4
    step = {"make": "Suzuki", "model": "Carry", "year_built": young, "month_built": 5, "drive": "4WD"}
    step |= {"transmission": "manual", "bed_type": "flat"}
    in_japan = ListingFactory(seller=user, year_built=1998, location_status="japan")
    form = SellStepForm(data=step, instance=in_japan, user=user, step="truck")
    assert form.is_valid(), form.errors
    assert form.warnings == []
    in_the_us = ListingFactory(seller=user, year_built=1998, location_status="us")
    form = SellStepForm(data=step, instance=in_the_us, user=user, step="truck")
    assert form.is_valid(), form.errors
    assert form.warnings == [TOO_NEW_WARNING]


def test_result_cards_show_how_many_photos_are_ready(client, django_capture_on_commit_callbacks):
    listing = make_listings(1)[0]
    with django_capture_on_commit_callbacks(execute=True):  # processed in-process (eager tasks)
        for name in ("a.jpg", "b.jpg"):
            services.listing_photo_add(
                actor=listing.seller, listing=listing, upload=SimpleUploadedFile(name, jpeg_bytes())
            )
    page = client.get("/listings/").content.decode()
    assert '<span class="photo-count">2 photos</span>' in page
    assert 'class="photo-count"' not in client.get("/listings/?make=Nobody").content.decode()


def test_a_capped_keyword_count_shows_a_plus(client, monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    for _ in range(3):
        ListingFactory(description="Snorkel fitted.")
    body = client.get("/listings/?q=snorkel").content.decode()
    assert ("2+ trucks found" in body) is (connection.vendor == "postgresql")
    assert ("3 trucks found" in body) is (connection.vendor != "postgresql")


def test_a_capped_search_says_its_facets_and_map_count_the_first_matches(client, monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    seller = UserFactory()
    for zip_code in ("78701", "77002", "73102"):
        ListingFactory(seller=seller, zip_code=zip_code)
    body = client.get("/listings/").content.decode()
    postgresql = connection.vendor == "postgresql"
    assert ("2+ trucks found" in body) is postgresql
    assert ("these counts, prices and years are of the first 2 in the order shown" in body) is postgresql
    assert ("How many of the first 2 trucks matching this search are in each state" in body) is postgresql
    assert ("Trucks matching this search in each state" in body) is not postgresql


# --- the declared search drives the form, chips and widen links (issue 11 part 3); states by name, comps by
# make, model or chassis code (issue 12 part 3) -------------------------------------------------------------


def test_search_form_has_a_labelled_control_for_every_declared_filter(client):
    """Fails when a filter is declared in marketplace.search without a control in the form."""
    from marketplace.search import SEARCH_FILTERS

    page = client.get("/listings/").content.decode()
    for f in SEARCH_FILTERS:
        assert f'name="{f.param}"' in page, f.param
        assert f'id="{f.id}"' in page and f'for="{f.id}"' in page, f.param


def test_state_filters_are_pickers_of_state_names(client):
    page = client.get("/listings/").content.decode()
    assert page.count('list="state-options"') == 2
    options = page.split('<datalist id="state-options">', 1)[1].split("</datalist>", 1)[0]
    assert options.count("<option ") == 51
    assert '<option value="District of Columbia">' in options and '<option value="Texas">' in options


def test_search_by_state_name_in_any_case(client):
    make_listings(1)  # Austin, TX
    ListingFactory(zip_code="97201", title="Portland truck")
    page = client.get("/listings/?state=texas").content.decode()
    assert "1 truck found" in page and "Truck number 0" in page and "Portland truck" not in page
    assert 'value="texas"' in page  # the form keeps what was typed


def test_a_bad_state_on_the_search_page_says_so(client):
    response = client.get("/listings/?registrable_in=Texass")
    assert response.status_code == 400
    assert "“Texass” is not a US state (use its name or two-letter code, e.g. Oregon or OR)." in (
        response.content.decode()
    )


def test_active_filter_chips_remove_one_filter_each(client):
    make_listings(1)
    page = client.get("/listings/?make=Suzuki&drive=4WD&state=texas&zip=78701&radius=50&ordering=price").content
    chips = page.decode().split('aria-label="Filters in use"', 1)[1].split("</ul>", 1)[0]
    assert '<span class="visually-hidden">Remove </span>Make: Suzuki' in chips
    assert 'href="?drive=4WD&amp;state=texas&amp;zip=78701&amp;radius=50&amp;ordering=price"' in chips
    assert "Listed in: Texas" in chips  # a state by its name
    assert 'href="?make=Suzuki&amp;drive=4WD&amp;state=texas&amp;ordering=price"' in chips  # the ZIP with its radius
    assert "Sorted by" not in chips and "ordering" not in chips.split("data-filter=")[-1]
    assert chips.count("<li") == 5  # make, ZIP, radius, drive, state; the sort is no filter


def test_no_chips_without_filters(client):
    make_listings(1)
    assert 'aria-label="Filters in use"' not in client.get("/listings/?ordering=price").content.decode()


def test_a_filter_with_a_bad_value_has_no_chip_but_a_widen_link(client):
    page = client.get("/listings/?make=Nomake&year_min=abc").content.decode()
    chips = page.split('aria-label="Filters in use"', 1)[1].split("</ul>", 1)[0]
    assert "Make: Nomake" in chips and "Built from" not in chips
    assert "Search without “built in abc or later”" in page


def test_widen_links_come_from_the_declaration(client):
    body = client.get("/listings/?q=nothingmatches&state=texas&price_min=9000&import_eligible=true").content.decode()
    assert "Search every state, not only TX" in body  # a state named either way reads as its code
    assert 'href="?q=nothingmatches&amp;price_min=9000&amp;import_eligible=true"' in body
    assert "Search without the $9000 minimum price" in body
    assert "Search without “import-eligible now”" in body


def test_saved_search_criteria_come_from_the_declaration(client):
    member = UserFactory()
    services.saved_search_create(
        user=member, name="Mine", query="registrable_in=oregon&seller_type=dealer&import_eligible=true&ordering=-price"
    )
    client.force_login(member)
    body = client.get("/listings/saved-searches/").content.decode()
    assert "Seller: dealer · Registrable in: oregon · Import-eligible now: yes · Sorted by: Price: high to low" in body


def _comps_listings():
    from kei_community.vehicles.models import ChassisCode

    make_listings(2, chassis_code=ChassisCode.objects.get(code="DA63T"), year_built=2005)
    ListingFactory(chassis_code=ChassisCode.objects.get(code="HA8"), year_built=2012, make="Honda", model="Acty")


@pytest.mark.parametrize(
    ("q", "matched"),
    [("Suzuki", "the make <strong>Suzuki</strong>"), ("carry", "the model <strong>Carry</strong>"),
     ("da63t", "the chassis code <strong>DA63T</strong>")],
)  # fmt: skip
def test_prices_page_takes_a_make_a_model_or_a_chassis_code(client, catalog, q, matched):
    _comps_listings()
    response = client.get(f"/listings/prices/?q={q}")
    body = response.content.decode()
    assert response.status_code == 200 and f"Showing {matched}" in body
    assert "<td>DA63T</td>" in body and "<td>HA8</td>" not in body
    assert f'value="{q}"' in body


def test_prices_page_says_when_nothing_matches(client, catalog):
    _comps_listings()
    response = client.get("/listings/prices/?q=Lamborghini")
    body = response.content.decode()
    assert response.status_code == 200
    assert "No make, model or chassis code matches “Lamborghini”" in body and "comps-table" not in body


def test_prices_page_keeps_the_older_family_parameter(client, catalog):
    _comps_listings()
    body = client.get("/listings/prices/?family=HA8").content.decode()
    assert "<td>HA8</td>" in body and "<td>DA63T</td>" not in body


@pytest.mark.parametrize("q", ["", "Suzuki", "DA63T", "Lamborghini"])
def test_prices_page_query_budget(client, catalog, q, django_assert_max_num_queries):
    _comps_listings()
    with django_assert_max_num_queries(4):  # cold: the catalog, the chassis families, the comps (+ session-less)
        assert client.get(f"/listings/prices/?q={q}").status_code == 200
    with django_assert_max_num_queries(0):  # then cached (region "marketplace.comps")
        assert client.get(f"/listings/prices/?q={q}").status_code == 200


def test_a_keyword_search_of_only_common_words_says_so_and_is_not_applied(client):
    ListingFactory(title="Carry for the farm", zip_code="97201")  # Portland, Oregon
    body = client.get("/listings/", {"q": "for the"}).content.decode()
    assert "Every word of “for the” is too common to search for" in body
    assert 'aria-describedby="f-q-error"' in body and "Carry for the farm" in body  # the other filters still apply
    oregon = client.get("/listings/", {"q": "OR"}).content.decode()  # a state code in capitals is not a stop word
    assert "too common" not in oregon and "Carry for the farm" in oregon


def test_a_write_to_another_listing_renders_only_the_parts_that_list_it(client, user, monkeypatch):
    """Similar trucks and the seller's other trucks follow any listing write; the rest of the page (the
    listing's row, gallery, specs, questions) stays cached until this listing changes."""
    from marketplace import selectors

    listing = ListingFactory(make="Suzuki", title="The truck on this page")
    similar = ListingFactory(make="Suzuki", title="A similar Carry", price=4100)
    calls = []
    real = selectors.listing_get_for_detail
    monkeypatch.setattr(selectors, "listing_get_for_detail", lambda **kw: calls.append(kw) or real(**kw))
    client.force_login(user)
    assert "$4,100" in client.get(listing.get_absolute_url()).content.decode()
    services.listing_update(actor=similar.seller, listing=similar, data={"price": 3900})
    body = client.get(listing.get_absolute_url()).content.decode()
    assert "$3,900" in body and "$4,100" not in body
    assert len(calls) == 1


def test_a_write_to_the_listing_itself_renders_its_page_again(client, user):
    listing = ListingFactory(make="Suzuki", price=5200)
    client.force_login(user)
    assert "5,200" in client.get(listing.get_absolute_url()).content.decode()
    services.listing_update(actor=listing.seller, listing=listing, data={"price": 4800})
    body = client.get(listing.get_absolute_url()).content.decode()
    assert "4,800" in body and "5,200" not in body
