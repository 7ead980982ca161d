from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kei_community.notifications.models import Notification
from kei_community.vehicles.models import ChassisCode
from marketplace import listing_fields, services
from marketplace.models import Conversation, Favorite, Listing, PriceChange
from tests.factories import GarageTruckFactory, ListingFactory, UserFactory, listing_data
from tests.media.images import heic_bytes, jpeg_bytes

pytestmark = pytest.mark.django_db


def test_create_derives_location_km_eligibility_and_html(user):
    listing = services.listing_create(
        seller=user, data=listing_data(zip_code="97201", odometer=10000, odometer_unit="mi", description="**big**")
    )
    assert (listing.city, listing.state) == ("Portland", "OR")
    assert listing.lat == pytest.approx(45.5, abs=0.2)
    assert listing.odometer_km == 16093
    assert listing.import_eligible_on.isoformat() == "2023-06-01"
    assert "<strong>big</strong>" in listing.description_html
    assert listing.status == Listing.Status.DRAFT and listing.slug == "1998-suzuki-carry-4wd-dump"


def test_description_markdown_is_sanitised(user):
    listing = services.listing_create(seller=user, data=listing_data(description="<script>alert(1)</script> hi"))
    assert "<script>" not in listing.description_html


def test_choosing_a_chassis_code_fills_make_model_and_drive(user, catalog):
    listing = services.listing_create(
        seller=user, data=listing_data(make="", model="", drive="", chassis_code=ChassisCode.objects.get(code="HA4"))
    )
    assert (listing.make, listing.model, listing.drive) == ("Honda", "Acty", "4WD")


def test_listing_from_garage_truck_copies_its_facts(user):
    truck = GarageTruckFactory(owner=user, year_built=1997, month_built=2, frame_number="DA63T-777777")
    listing = services.listing_create(seller=user, data=listing_data(truck=truck, make="", model="", frame_number=""))
    assert listing.truck == truck and listing.frame_number == "DA63T-777777"


def test_cannot_list_someone_elses_garage_truck(user):
    truck = GarageTruckFactory()
    with pytest.raises(ValidationError) as exc:
        services.listing_create(seller=user, data=listing_data(truck=truck))
    assert "truck" in exc.value.message_dict


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", 0, "above $0"),
        ("price", 900_000, "Prices above $500,000"),
        ("odometer", 2_000_001, "above 2,000,000"),
        ("odometer", -1, "cannot be negative"),
        ("year_built", 1959, "between 1960"),
        ("year_built", timezone.now().year + 1, "between 1960"),
        ("month_built", 13, "between 1 and 12"),
        ("zip_code", "00000", "not a US ZIP"),
    ],
)
def test_bad_input_is_a_validation_error_with_a_message(user, field, value, message):
    with pytest.raises(ValidationError) as exc:
        services.listing_create(seller=user, data=listing_data(**{field: value}))
    assert message in " ".join(exc.value.message_dict[field])
    assert not Listing.objects.exists()


def test_unknown_fields_are_rejected(user):
    with pytest.raises(ValidationError):
        services.listing_create(seller=user, data=listing_data(vin="JS3"))


def test_publish_sets_expiry_and_goes_live(user, settings):
    settings.LISTING_TTL_DAYS = 60
    listing = ListingFactory(seller=user)
    assert listing.status == Listing.Status.ACTIVE and listing.is_public
    assert (listing.expires_at - listing.published_at).days == 60


def test_first_listing_of_new_account_is_held(settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    seller = UserFactory()
    listing = ListingFactory(seller=seller)
    assert listing.held_for_review and not listing.is_public
    second = ListingFactory(seller=seller)
    assert not second.held_for_review


def test_new_account_listing_cap(settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_DAILY_CAPS = {"listing": 1}
    seller = UserFactory()
    ListingFactory(seller=seller)
    with pytest.raises(ValidationError):
        ListingFactory(seller=seller)


def test_other_member_cannot_update_publish_or_delete(other_user):
    listing = ListingFactory(publish=False)
    with pytest.raises(PermissionDenied):
        services.listing_update(actor=other_user, listing=listing, data={"price": 1})
    with pytest.raises(PermissionDenied):
        services.listing_publish(actor=other_user, listing=listing)
    with pytest.raises(PermissionDenied):
        services.listing_delete(actor=other_user, listing=listing)
    with pytest.raises(PermissionDenied):
        services.listing_set_status(actor=other_user, listing=listing, status="sold")


def test_life_cycle_active_pending_sold_with_price(user):
    listing = ListingFactory(seller=user)
    services.listing_set_status(actor=user, listing=listing, status="pending")
    services.listing_mark_sold(actor=user, listing=listing, sold_price=7000)
    listing.refresh_from_db()
    assert listing.status == "sold" and listing.sold_price == 7000 and listing.sold_at
    with pytest.raises(ValidationError):
        services.listing_set_status(actor=user, listing=listing, status="active")


def test_draft_cannot_jump_to_sold(user):
    listing = ListingFactory(seller=user, publish=False)
    with pytest.raises(ValidationError) as exc:
        services.listing_set_status(actor=user, listing=listing, status="sold")
    assert "cannot become sold" in exc.value.message_dict["status"][0]


def test_renew_extends_an_expired_listing(user):
    listing = ListingFactory(seller=user)
    Listing.objects.filter(pk=listing.pk).update(status="expired", expires_at=timezone.now() - timedelta(days=1))
    listing.refresh_from_db()
    services.listing_renew(actor=user, listing=listing)
    assert listing.status == "active" and listing.expires_at > timezone.now() + timedelta(days=50)


def test_price_drop_records_change_and_notifies_favouriters(user, other_user, django_capture_on_commit_callbacks):
    listing = ListingFactory(seller=user, price=9000)
    services.favorite_add(user=other_user, listing=listing)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=user, listing=listing, data={"price": 8000})
    change = PriceChange.objects.get(listing=listing)
    assert (change.old_price, change.new_price) == (9000, 8000) and change.notified_at
    note = Notification.objects.get(recipient=other_user, kind="price_drop")
    assert "$8,000" in note.title


def test_price_rise_notifies_nobody(user, other_user, django_capture_on_commit_callbacks):
    listing = ListingFactory(seller=user, price=9000)
    services.favorite_add(user=other_user, listing=listing)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=user, listing=listing, data={"price": 9500})
    assert not Notification.objects.filter(kind="price_drop").exists()


def test_favorite_is_idempotent_and_counted(user):
    listing = ListingFactory()
    services.favorite_add(user=user, listing=listing)
    services.favorite_add(user=user, listing=listing)
    listing.refresh_from_db()
    assert Favorite.objects.count() == 1 and listing.favorites_count == 1
    services.favorite_remove(user=user, listing=listing)
    listing.refresh_from_db()
    assert listing.favorites_count == 0


def test_one_conversation_per_listing_and_buyer(user, other_user):
    listing = ListingFactory(seller=user)
    c1 = services.conversation_start(buyer=other_user, listing=listing, body="Still available?")
    c2 = services.conversation_start(buyer=other_user, listing=listing, body="Hello again")
    assert c1.pk == c2.pk and c1.messages.count() == 2
    assert Notification.objects.filter(recipient=user, kind="message").count() == 2


def test_cannot_message_yourself(user):
    listing = ListingFactory(seller=user)
    with pytest.raises(ValidationError):
        services.conversation_start(buyer=user, listing=listing, body="hi")


def test_cannot_message_about_removed_listing(user, moderator):
    listing = ListingFactory()
    services.listing_remove(actor=moderator, listing=listing, note="scam")
    with pytest.raises(ValidationError):
        services.conversation_start(buyer=user, listing=listing, body="hi")


def test_stranger_cannot_write_into_a_conversation(user, other_user):
    listing = ListingFactory()
    conversation = services.conversation_start(buyer=user, listing=listing, body="hi")
    with pytest.raises(PermissionDenied):
        services.message_send(sender=other_user, conversation=conversation, body="me too")


@pytest.mark.parametrize(
    "text", ["Pay by wire transfer please", "I accept gift cards", "my shipping agent will call", "text me on WhatsApp"]
)
def test_scam_phrases_set_a_warning(user, text):
    conversation = services.conversation_start(buyer=user, listing=ListingFactory(), body=text)
    assert conversation.messages.get().scam_warning is True


def test_plain_message_has_no_warning(user):
    conversation = services.conversation_start(buyer=user, listing=ListingFactory(), body="Does it have hi-lo?")
    assert conversation.messages.get().scam_warning is False
    assert Conversation.objects.count() == 1


# --- message rate limits (issue 10, defect 6) ---------------------------------------------------


@pytest.fixture
def message_rates(settings):
    settings.MESSAGE_RATE_PER_MINUTE = 10
    settings.MESSAGE_RATE_PER_DAY = 30
    return settings


def _burst(sender, conversation, n):
    for i in range(n):
        services.message_send(sender=sender, conversation=conversation, body=f"Message {i}")


def test_message_rate_limit_refuses_the_11th_message_in_a_minute(user, message_rates):
    from kei_community.core.exceptions import RateLimited
    from marketplace.models import Message

    conversation = services.conversation_start(buyer=user, listing=ListingFactory(), body="Message 0")
    _burst(user, conversation, 9)
    with pytest.raises(RateLimited) as exc:
        services.message_send(sender=user, conversation=conversation, body="the eleventh")
    assert "up to 10 a minute" in exc.value.message
    assert 1 <= exc.value.retry_after <= 60
    assert Message.objects.filter(sender=user).count() == 10
    assert Notification.objects.filter(kind="message").count() == 10  # the refused one notifies nobody


def test_message_rate_limit_is_per_member(user, other_user, message_rates):
    from kei_community.core.exceptions import RateLimited

    listing = ListingFactory()
    mine = services.conversation_start(buyer=user, listing=listing, body="Message 0")
    _burst(user, mine, 9)
    with pytest.raises(RateLimited):
        services.message_send(sender=user, conversation=mine, body="one too many")
    # Another member (the seller answering, or another buyer) is not held back by the flooder.
    services.message_send(sender=listing.seller, conversation=mine, body="Slow down please")
    theirs = services.conversation_start(buyer=other_user, listing=listing, body="Still available?")
    assert theirs.messages.count() == 1


def test_message_rate_limit_window_slides(user, message_rates):
    from marketplace.models import Message

    conversation = services.conversation_start(buyer=user, listing=ListingFactory(), body="Message 0")
    _burst(user, conversation, 9)
    Message.objects.filter(sender=user).update(created_at=timezone.now() - timedelta(seconds=61))
    services.message_send(sender=user, conversation=conversation, body="a minute later")


def test_message_rate_limit_per_day(user, message_rates):
    from kei_community.core.exceptions import RateLimited
    from marketplace.models import Message

    message_rates.MESSAGE_RATE_PER_MINUTE = 0  # off: only the daily limit counts here
    conversation = services.conversation_start(buyer=user, listing=ListingFactory(), body="Message 0")
    _burst(user, conversation, 29)
    Message.objects.filter(sender=user).update(created_at=timezone.now() - timedelta(hours=2))
    with pytest.raises(RateLimited) as exc:
        services.message_send(sender=user, conversation=conversation, body="the 31st today")
    assert "up to 30 a day" in exc.value.message
    assert 21 * 3600 < exc.value.retry_after <= 22 * 3600  # when the oldest leaves the 24 hours
    assert "22 hours" in exc.value.message


def test_message_rate_limits_are_off_by_default(user):
    conversation = services.conversation_start(buyer=user, listing=ListingFactory(), body="Message 0")
    _burst(user, conversation, 30)
    assert conversation.messages.count() == 31


def test_message_rate_limit_costs_two_queries(user, message_rates, django_assert_num_queries):
    from kei_community.moderation import limits
    from marketplace.models import Message

    # One lock on the member's row and one count for both windows, however many messages there are.
    _burst(user, services.conversation_start(buyer=user, listing=ListingFactory(), body="Message 0"), 5)
    with django_assert_num_queries(2):
        limits.check_rate(
            user=user, done=Message.objects.filter(sender=user), rates=limits.message_rates(), noun="messages"
        )


def test_question_and_answer_notify_each_side(user, other_user):
    listing = ListingFactory(seller=user)
    question = services.question_ask(asker=other_user, listing=listing, body="Any frame rust?")
    assert Notification.objects.filter(recipient=user, kind="listing_question").exists()
    with pytest.raises(PermissionDenied):
        services.question_answer(actor=other_user, question=question, answer="none")
    services.question_answer(actor=user, question=question, answer="Very little.")
    assert Notification.objects.filter(recipient=other_user, kind="listing_question").exists()


def test_photos_through_the_listing_service(user, other_user):
    listing = ListingFactory(seller=user)
    first = services.listing_photo_add(actor=user, listing=listing, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    second = services.listing_photo_add(actor=user, listing=listing, upload=SimpleUploadedFile("b.heic", heic_bytes()))
    assert first.is_cover and not second.is_cover
    services.listing_photos_reorder(actor=user, listing=listing, ordered_ids=[second.pk, first.pk])
    assert list(listing.photos.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]
    with pytest.raises(PermissionDenied):
        services.listing_photo_add(actor=other_user, listing=listing, upload=SimpleUploadedFile("c.jpg", jpeg_bytes()))


def test_a_broken_photo_never_loses_the_listing(user):
    listing = ListingFactory(seller=user, description="Long careful description")
    with pytest.raises(ValidationError):
        services.listing_photo_add(actor=user, listing=listing, upload=SimpleUploadedFile("x.jpg", b"not an image"))
    listing.refresh_from_db()
    assert listing.description == "Long careful description"


def test_too_many_photos(user, settings):
    settings.PHOTO_MAX_PER_OBJECT = 1
    listing = ListingFactory(seller=user)
    services.listing_photo_add(actor=user, listing=listing, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()))
    with pytest.raises(ValidationError) as exc:
        services.listing_photo_add(actor=user, listing=listing, upload=SimpleUploadedFile("b.jpg", jpeg_bytes()))
    assert "at most 1 photo" in exc.value.messages[0]


def _photo(name: str = "a.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes())


def test_new_account_photo_cap_counts_listing_photos_of_the_last_24_hours(settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 2, "listing": 5}
    seller = UserFactory()
    first = ListingFactory(seller=seller, description="First truck text")
    second = ListingFactory(seller=seller, description="Second truck text")
    old = services.listing_photo_add(actor=seller, listing=first, upload=_photo())
    services.listing_photo_add(actor=seller, listing=second, upload=_photo())
    with pytest.raises(ValidationError) as exc:
        services.listing_photo_add(actor=seller, listing=second, upload=_photo())
    assert exc.value.code == "new_account_cap" and "up to 2 photos a day" in exc.value.messages[0]
    second.refresh_from_db()
    assert second.description == "Second truck text" and second.photos.count() == 1
    # A photo added before today no longer counts (25 hours ago is always before midnight).
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    services.listing_photo_add(actor=seller, listing=second, upload=_photo())
    assert second.photos.count() == 2


def test_old_account_photos_are_not_capped(settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 1}
    seller = UserFactory(date_joined=timezone.now() - timedelta(days=30))
    listing = ListingFactory(seller=seller)
    for name in ("a.jpg", "b.jpg"):
        services.listing_photo_add(actor=seller, listing=listing, upload=_photo(name))
    assert listing.photos.count() == 2


def test_moderator_photos_are_not_capped(settings, moderator):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 1}
    listing = ListingFactory(seller=moderator)
    for name in ("a.jpg", "b.jpg"):
        services.listing_photo_add(actor=moderator, listing=listing, upload=_photo(name))
    assert listing.photos.count() == 2


def test_photo_cap_is_off_when_new_account_limits_are_disabled(settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = False
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 1}
    seller = UserFactory()
    listing = ListingFactory(seller=seller)
    for name in ("a.jpg", "b.jpg"):
        services.listing_photo_add(actor=seller, listing=listing, upload=_photo(name))
    assert listing.photos.count() == 2


def test_moderation_hide_and_restore(user):
    listing = ListingFactory()
    services.listing_hide(listing)
    listing.refresh_from_db()
    assert not listing.is_public
    services.listing_restore(listing)
    listing.refresh_from_db()
    assert listing.is_public


def test_remove_requires_moderator_and_is_audited(user, moderator):
    from kei_community.moderation.models import AuditLogEntry

    listing = ListingFactory()
    with pytest.raises(PermissionDenied):
        services.listing_remove(actor=user, listing=listing)
    services.listing_remove(actor=moderator, listing=listing, note="scam")
    assert listing.status == "removed"
    assert AuditLogEntry.objects.filter(action="content_remove", note="scam").exists()


def test_dealer_profile_marks_listings_as_dealer(user):
    listing = ListingFactory(seller=user)
    profile = services.dealer_profile_save(user=user, data={"business_name": "Kei Imports LLC", "state": "WA"})
    listing.refresh_from_db()
    assert listing.seller_type == "dealer" and profile.slug == "kei-imports-llc"


def test_sold_to_a_buyer_moves_the_garage_truck(user, other_user):
    truck = GarageTruckFactory(owner=user)
    listing = ListingFactory(seller=user, truck=truck)
    services.conversation_start(buyer=other_user, listing=listing, body="I'll take it")
    services.listing_mark_sold(actor=user, listing=listing, sold_price=6000, buyer_id=other_user.pk)
    truck.refresh_from_db()
    assert truck.owner == other_user and listing.status == "sold"


def test_sold_to_someone_who_never_wrote_is_refused(user, other_user):
    truck = GarageTruckFactory(owner=user)
    listing = ListingFactory(seller=user, truck=truck)
    with pytest.raises(ValidationError):
        services.listing_mark_sold(actor=user, listing=listing, buyer_id=other_user.pk)
    listing.refresh_from_db()
    truck.refresh_from_db()
    assert listing.status == "active" and truck.owner == user


def test_active_listing_cap_per_seller(user, settings):
    settings.LISTING_MAX_ACTIVE_PER_SELLER = 1
    ListingFactory(seller=user)
    draft = ListingFactory(seller=user, publish=False)
    with pytest.raises(ValidationError) as exc:
        services.listing_publish(actor=user, listing=draft)
    assert "1 active listings" in exc.value.messages[0]


def test_views_are_written_in_batches_and_pending_views_are_shown_to_the_seller(settings):
    from marketplace import selectors

    settings.LISTING_VIEWS_BUFFER = 1  # each view sent to the cache at once (the buffer: tests below)
    listing = ListingFactory()
    for _ in range(services.VIEWS_BATCH - 1):
        services.listing_record_view(listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.views_count == 0
    assert selectors.seller_dashboard(user=listing.seller)[0].views_count == services.VIEWS_BATCH - 1
    services.listing_record_view(listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.views_count == services.VIEWS_BATCH
    assert selectors.seller_dashboard(user=listing.seller)[0].views_count == services.VIEWS_BATCH


def test_a_process_holds_its_views_and_sends_them_with_one_count_when_its_buffer_is_full(settings, monkeypatch):
    from django.core.cache import cache, caches

    settings.LISTING_VIEWS_BUFFER, settings.LISTING_VIEWS_BUFFER_SECONDS = 5, 60
    listing = ListingFactory()
    sent = []
    backend = caches["default"]
    real = backend.count
    monkeypatch.setattr(backend, "count", lambda key, delta=1: sent.append(delta) or real(key, delta))
    for _ in range(4):
        services.listing_record_view(listing_id=listing.pk)
    assert sent == [] and cache.get(services.views_key(listing.pk)) is None
    services.listing_record_view(listing_id=listing.pk)
    assert sent == [5] and cache.get(services.views_key(listing.pk)) == 5


def test_views_held_by_this_process_are_shown_to_the_seller_at_once(settings):
    from marketplace import selectors

    settings.LISTING_VIEWS_BUFFER, settings.LISTING_VIEWS_BUFFER_SECONDS = 100, 60
    listing = ListingFactory()
    for _ in range(3):
        services.listing_record_view(listing_id=listing.pk)
    assert selectors.seller_dashboard(user=listing.seller)[0].views_count == 3


def test_held_views_are_sent_once_the_oldest_is_old_enough(settings, monkeypatch):
    import time

    from django.core.cache import cache

    from marketplace import keys

    settings.LISTING_VIEWS_BUFFER, settings.LISTING_VIEWS_BUFFER_SECONDS = 100, 2
    listing, other = ListingFactory(), ListingFactory()
    services.listing_record_view(listing_id=listing.pk)
    now = time.monotonic()
    monkeypatch.setattr(keys.time, "monotonic", lambda: now + 3)
    services.listing_record_view(listing_id=other.pk)  # the next view sends everything held
    assert cache.get(services.views_key(listing.pk)) == 1 and cache.get(services.views_key(other.pk)) == 1


def test_a_send_that_crosses_a_batch_writes_the_row_once(settings):
    settings.LISTING_VIEWS_BUFFER, settings.LISTING_VIEWS_BUFFER_SECONDS = 30, 60
    listing = ListingFactory()
    for _ in range(60):  # sent as 30 + 30: the second send crosses 50
        services.listing_record_view(listing_id=listing.pk)
    listing.refresh_from_db()
    assert listing.views_count == services.VIEWS_BATCH


def test_flushing_sends_what_the_process_holds(settings):
    from django.core.cache import cache

    settings.LISTING_VIEWS_BUFFER, settings.LISTING_VIEWS_BUFFER_SECONDS = 100, 60
    listing = ListingFactory()
    services.listing_record_view(listing_id=listing.pk)
    services.listing_views_flush()
    assert cache.get(services.views_key(listing.pk)) == 1


# --- the build year against the chassis code's production years; the too-new import warning ---------------


def test_build_year_outside_the_chassis_codes_years_is_refused(user, catalog):
    code = ChassisCode.objects.get(code="DA63T")  # built 2002–2013
    with pytest.raises(ValidationError) as exc:
        services.listing_create(seller=user, data=listing_data(chassis_code=code, year_built=1998))
    assert exc.value.message_dict["year_built"] == [
        "The Suzuki Carry DA63T was built 2002–2013, so a truck built in 1998 cannot be a DA63T. "
        "Check the year built and the chassis code."
    ]
    assert not Listing.objects.exists()


@pytest.mark.parametrize(
    ("year", "ok"), [(2000, False), (2001, True), (2002, True), (2013, True), (2014, True), (2015, False)]
)
def test_build_year_may_differ_from_the_catalog_by_one_year(user, catalog, year, ok):
    data = listing_data(chassis_code=ChassisCode.objects.get(code="DA63T"), year_built=year)
    if ok:
        assert services.listing_create(seller=user, data=data).year_built == year
    else:
        with pytest.raises(ValidationError):
            services.listing_create(seller=user, data=data)


def test_a_chassis_code_still_built_accepts_up_to_next_year(user, catalog):
    code = ChassisCode.objects.get(code="DA16T")  # 2013–present
    assert services.listing_create(seller=user, data=listing_data(chassis_code=code, year_built=2024))
    with pytest.raises(ValidationError):
        services.listing_create(seller=user, data=listing_data(chassis_code=code, year_built=2011))


def test_the_chassis_code_of_a_garage_truck_is_checked_too(user, catalog):
    truck = GarageTruckFactory(owner=user, chassis_code=ChassisCode.objects.get(code="HA9"), year_built=2012)
    with pytest.raises(ValidationError) as exc:
        services.listing_create(seller=user, data=listing_data(truck=truck, make="", model="", year_built=1996))
    assert "HA9 was built 2009–2021" in exc.value.message_dict["year_built"][0]


def test_an_edit_that_leaves_year_and_code_alone_is_not_refused_for_older_data(user, catalog):
    code = ChassisCode.objects.get(code="DA63T")
    listing = services.listing_create(seller=user, data=listing_data(chassis_code=code, year_built=2005))
    Listing.objects.filter(pk=listing.pk).update(year_built=1990)  # saved before the rule existed
    listing.refresh_from_db()
    services.listing_update(actor=user, listing=listing, data={"price": 7000})
    with pytest.raises(ValidationError):
        services.listing_update(actor=user, listing=listing, data={"year_built": 1991})


def test_a_truck_too_new_for_the_25_year_rule_said_to_be_in_the_us_carries_the_warning(user):
    from kei_community.vehicles.eligibility import TOO_NEW_WARNING

    young = timezone.now().year - 5
    assert ListingFactory(seller=user, year_built=young, location_status="us").import_warning == TOO_NEW_WARNING
    assert ListingFactory(seller=user, year_built=young, location_status="port").import_warning == TOO_NEW_WARNING
    assert ListingFactory(seller=user, year_built=young, location_status="japan").import_warning == ""
    assert ListingFactory(seller=user, year_built=young, us_market=True, make="Mahindra").import_warning == ""
    assert ListingFactory(seller=user, year_built=1998).import_warning == ""


def test_seller_warnings_are_the_import_warning_and_the_garage_forms_frame_warnings(catalog):
    from kei_community.vehicles.eligibility import TOO_NEW_WARNING
    from kei_community.vehicles.frame import VIN_WARNING, frame_number_warnings
    from kei_community.vehicles.selectors import known_chassis_codes
    from marketplace.warnings import seller_warnings

    vin = "JS3TD62V1Y4100000"
    found = seller_warnings(
        year_built=timezone.now().year - 3, month_built=1, us_market=False, location_status="", frame_number=vin
    )
    assert found == [TOO_NEW_WARNING, VIN_WARNING]
    assert found[1:] == frame_number_warnings(vin, known_codes=known_chassis_codes())  # the garage's words
    assert seller_warnings(year_built=1998, month_built=6, us_market=False, location_status="us", frame_number="") == []


# --- publishing needs drive, transmission and a ready photo (issue 12, part 4) ---------------------------


def _draft(user, **overrides):
    return services.listing_create(seller=user, data=listing_data(**overrides))


def test_publish_refuses_a_listing_without_a_ready_photo(user, settings):
    settings.LISTING_MIN_READY_PHOTOS = 1
    listing = _draft(user)
    with pytest.raises(ValidationError) as exc:
        services.listing_publish(actor=user, listing=listing)
    assert "processed (0 ready so far)" in exc.value.message_dict["photos"][0]
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_publish_does_not_count_a_photo_still_processing(user, settings):
    from tests.factories import make_photo

    settings.LISTING_MIN_READY_PHOTOS = 1
    listing = _draft(user)
    make_photo(owner=listing, uploader=user)  # pending: its task runs only once the transaction commits
    with pytest.raises(ValidationError) as exc:
        services.listing_publish(actor=user, listing=listing)
    assert "photos" in exc.value.message_dict


def test_publish_with_a_ready_photo(user, settings, django_capture_on_commit_callbacks):
    from tests.factories import make_photo

    settings.LISTING_MIN_READY_PHOTOS = 1
    listing = _draft(user)
    with django_capture_on_commit_callbacks(execute=True):
        make_photo(owner=listing, uploader=user)
    assert services.listing_publish(actor=user, listing=listing).status == Listing.Status.ACTIVE


def test_publish_needs_the_setting_number_of_ready_photos(user, settings, django_capture_on_commit_callbacks):
    from tests.factories import make_photo

    settings.LISTING_MIN_READY_PHOTOS = 2
    listing = _draft(user)
    with django_capture_on_commit_callbacks(execute=True):
        make_photo(owner=listing, uploader=user)
    assert "at least 2 photos" in services.publish_problems(listing)["photos"][0]


@pytest.mark.parametrize("field", ["drive", "transmission"])
def test_publish_needs_drive_and_transmission(user, field):
    listing = _draft(user, **{field: ""}, chassis_code=None)
    with pytest.raises(ValidationError) as exc:
        services.listing_publish(actor=user, listing=listing)
    assert set(exc.value.message_dict) == {field}


def test_a_draft_may_wait_for_its_price_and_zip(user):
    data = {k: v for k, v in listing_data().items() if k not in ("price", "zip_code")}
    listing = services.listing_create(seller=user, data=data)
    assert listing.status == Listing.Status.DRAFT and listing.price is None
    assert set(services.publish_problems(listing)) == {"price", "zip_code"}


def test_a_published_listing_cannot_lose_its_zip(user):
    listing = ListingFactory(seller=user)
    with pytest.raises(ValidationError) as exc:
        services.listing_update(actor=user, listing=listing, data={"zip_code": ""})
    assert "zip_code" in exc.value.message_dict


# --- a listing's field rules have one owner (marketplace.listing_fields) -----------------------------------


def _rule_forms(name):
    """Every form field that takes `name`: the listing form, the sell step that asks for it, the sold form."""
    from marketplace.forms import ListingForm, SoldForm
    from marketplace.sell_forms import SellStepForm, step_of_field

    if name == "sold_price":
        return [SoldForm().fields[name]]
    return [ListingForm(user=None).fields[name], SellStepForm(user=None, step=step_of_field(name)).fields[name]]


@pytest.mark.parametrize("name", sorted(listing_fields.NUMBER_RANGES))
def test_every_form_and_the_api_take_the_ranges_of_the_rules(name):
    from django import forms
    from rest_framework import serializers as drf

    from marketplace.api.serializers import ListingWriteSerializer

    rule = listing_fields.NUMBER_RANGES[name]
    low, high = rule.low, rule.upper
    for field in _rule_forms(name):
        assert (field.min_value, field.max_value) == (low, high)
        assert (field.widget.attrs["min"], field.widget.attrs["max"]) == (low, high)
        assert field.clean(str(low)) == low and field.clean(str(high)) == high
        for bad, message in ((low - 1, rule.too_low), (high + 1, rule.too_high)):
            with pytest.raises(forms.ValidationError) as exc:
                field.clean(str(bad))
            assert exc.value.messages == [message.format(low=low, high=high)]
    api_field = ListingWriteSerializer().fields[name]
    assert (api_field.min_value, api_field.max_value) == (low, high)
    assert api_field.run_validation(low) == low and api_field.run_validation(high) == high
    for bad, message in ((low - 1, rule.too_low), (high + 1, rule.too_high)):
        with pytest.raises(drf.ValidationError) as api_exc:
            api_field.run_validation(bad)
        assert api_exc.value.detail == [message.format(low=low, high=high)]


@pytest.mark.parametrize("name", sorted(listing_fields.NUMBER_RANGES))
def test_the_model_and_the_service_hold_the_ranges_of_the_rules(name, user):
    rule = listing_fields.NUMBER_RANGES[name]
    limits = {type(v).__name__: v.limit_value for v in Listing._meta.get_field(name).validators}
    assert limits.get("MinValueValidator", 0) == rule.low  # 0: a positive field's own bound
    if not callable(rule.high):
        assert limits["MaxValueValidator"] == rule.high
    listing = services.listing_create(seller=user, data=listing_data(), publish=False)
    for bad, message in ((rule.low - 1, rule.too_low), (rule.upper + 1, rule.too_high)):
        listing.status = Listing.Status.ACTIVE
        with pytest.raises(ValidationError) as exc:
            if name == "sold_price":
                services.listing_set_status(actor=user, listing=listing, status="sold", sold_price=bad)
            else:
                services.listing_update(actor=user, listing=listing, data={name: bad})
        assert exc.value.message_dict[name] == [message.format(low=rule.low, high=rule.upper)]


def test_the_forms_and_the_api_write_exactly_the_listing_fields():
    from marketplace.api.serializers import ListingWriteSerializer
    from marketplace.forms import ListingForm
    from marketplace.sell_forms import STEP_FIELDS

    assert tuple(ListingForm.Meta.fields) == listing_fields.LISTING_FIELDS
    assert set(ListingWriteSerializer().fields) == {*listing_fields.LISTING_FIELDS, "status", "sold_price"}
    asked = [name for fields in STEP_FIELDS.values() for name in fields]
    assert sorted(asked) == sorted(listing_fields.LISTING_FIELDS)  # the sell flow asks for each field once


def test_the_api_takes_the_models_text_lengths():
    from rest_framework import serializers as drf

    from kei_community.vehicles.models import ChassisCode
    from marketplace.api.serializers import ListingWriteSerializer

    fields = ListingWriteSerializer().fields
    assert fields["frame_number"].max_length == listing_fields.FRAME_NUMBER_MAX_LENGTH
    assert Listing._meta.get_field("frame_number").max_length == listing_fields.FRAME_NUMBER_MAX_LENGTH
    assert fields["chassis_code"].max_length == ChassisCode._meta.get_field("code").max_length
    texts = [n for n in listing_fields.LISTING_FIELDS if type(fields[n]) is drf.CharField and n != "chassis_code"]
    assert len(texts) >= 8
    for name in texts:
        if name == "zip_code":  # a ZIP+4 is taken and refused by the service's ZIP lookup with its message
            continue
        assert fields[name].max_length == Listing._meta.get_field(name).max_length, name


def test_the_forms_ask_for_what_a_published_listing_needs():
    from marketplace.forms import ListingForm
    from marketplace.sell_forms import STEP_REQUIRED

    form = ListingForm(user=None)
    assert set(listing_fields.KEEP_AFTER_PUBLISH) <= set(listing_fields.PUBLISH_REQUIRED)
    assert all(form.fields[name].required for name in listing_fields.KEEP_AFTER_PUBLISH)
    assert {name for names in STEP_REQUIRED.values() for name in names} <= set(listing_fields.PUBLISH_REQUIRED)
