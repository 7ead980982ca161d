"""Real PostgreSQL + Redis + an in-process Celery worker: the marketplace's after-commit work."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone

from kei_community.notifications.models import Notification
from marketplace import services, tasks
from marketplace.filters import parse_search_params
from marketplace.models import Favorite, Listing, PriceChange, SavedSearchMatch
from marketplace.selectors import listing_search
from tests.factories import ListingFactory, UserFactory
from tests.media.images import heic_bytes, jpeg_bytes


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_publish_alerts_immediate_saved_search_on_the_worker(live_worker):
    buyer = UserFactory()
    services.saved_search_create(
        user=buyer, name="Dumps near Austin", query="bed_type=dump&zip=78701&radius=30", frequency="immediate"
    )
    listing = ListingFactory(bed_type="dump", zip_code="78613")  # publishes in its own transaction
    assert _wait_for(lambda: Notification.objects.filter(recipient=buyer, kind="saved_search_match").exists())
    assert SavedSearchMatch.objects.get().listing_id == listing.pk
    # A second run of the same task (redelivery) sends nothing more.
    tasks.saved_search_alerts_for_listing.delay(listing.pk)
    time.sleep(1.0)
    assert Notification.objects.filter(recipient=buyer, kind="saved_search_match").count() == 1


@pytest.mark.django_db(transaction=True)
def test_price_drop_notice_reaches_favouriters_once(live_worker):
    fan = UserFactory()
    listing = ListingFactory(price=9000)
    services.favorite_add(user=fan, listing=listing)
    services.listing_update(actor=listing.seller, listing=listing, data={"price": 7500})
    assert _wait_for(lambda: PriceChange.objects.filter(notified_at__isnull=False).exists())
    assert Notification.objects.filter(recipient=fan, kind="price_drop").count() == 1
    assert services.price_drop_notify(price_change_id=PriceChange.objects.get().pk) == 0  # already sent
    assert Notification.objects.filter(kind="price_drop").count() == 1


@pytest.mark.django_db(transaction=True)
def test_listing_photos_are_processed_by_the_worker(live_worker):
    listing = ListingFactory()
    a = services.listing_photo_add(
        actor=listing.seller, listing=listing, upload=SimpleUploadedFile("a.jpg", jpeg_bytes())
    )
    b = services.listing_photo_add(
        actor=listing.seller, listing=listing, upload=SimpleUploadedFile("b.heic", heic_bytes())
    )
    assert _wait_for(lambda: listing.photos.filter(status="ready").count() == 2, timeout=40)
    ready = {p.pk: p for p in listing.photos.all()}
    assert ready[a.pk].renditions and ready[b.pk].renditions


@pytest.mark.django_db(transaction=True)
def test_radius_search_on_postgresql():
    seller = UserFactory()
    austin = ListingFactory(seller=seller, zip_code="78701")
    ListingFactory(seller=seller, zip_code="77002")  # Houston, ~147 mi
    ListingFactory(seller=seller, zip_code="75201")  # Dallas, ~182 mi
    params, errors = parse_search_params(QueryDict("zip=78701&radius=150&ordering=distance"))
    assert errors == {}
    result = listing_search(params=params)
    assert result.total == 2 and result.listings[0].pk == austin.pk


@pytest.mark.django_db(transaction=True)
def test_expiry_and_reminder_tasks_on_postgresql():
    listing = ListingFactory()
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() + timedelta(days=3))
    assert services.listings_send_expiry_reminders() == 1
    assert services.listings_send_expiry_reminders() == 0
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.listings_expire() == 1
    listing.refresh_from_db()
    assert listing.status == "expired"


@pytest.mark.django_db(transaction=True)
def test_favourite_is_unique_in_the_database():
    user = UserFactory()
    listing = ListingFactory()
    Favorite.objects.create(user=user, listing=listing)
    with pytest.raises(IntegrityError), transaction.atomic():
        Favorite.objects.create(user=user, listing=listing)


# --- message floods (issue 10, defect 6) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_fifty_messages_emails_the_seller_twice_through_the_worker(live_worker, settings):
    import re

    from django.core import mail

    from marketplace.models import Message

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATIONS_EMAIL_BURST_MINUTES = 0.1  # 6 seconds, so the test sees the window end
    mail.outbox = []
    listing, buyer = ListingFactory(), UserFactory()
    conversation = services.conversation_start(buyer=buyer, listing=listing, body="Message 1")
    for n in range(2, 51):
        services.message_send(sender=buyer, conversation=conversation, body=f"Message {n}")
    assert Message.objects.count() == 50

    def all_emailed() -> bool:
        return not Notification.objects.filter(kind="message", emailed_at__isnull=True).exists()

    assert _wait_for(all_emailed, timeout=30), "the held messages were never emailed"
    time.sleep(1.0)  # nothing else is on its way
    to_seller = [m for m in mail.outbox if m.to == [listing.seller.email]]
    assert len(to_seller) == 2, [m.subject for m in to_seller]

    def covered(subject: str) -> int:  # "New message about …" is one; "N new messages" is N
        found = re.fullmatch(r"\[Kei Community\] (\d+) new messages", subject)
        return int(found.group(1)) if found else 1

    # The first email goes out at once (it lists what was written by the time the worker ran it);
    # the rest come together at the end of the window.
    assert sum(covered(m.subject) for m in to_seller) == 50
    assert covered(to_seller[1].subject) > 1


@pytest.mark.django_db(transaction=True)
def test_message_rate_limit_holds_for_requests_running_at_the_same_time(settings):
    """Twenty messages of one member sent at once on twenty connections (like twenty web processes):
    the per-minute limit lets exactly ten through."""
    import threading

    from django.db import connection

    from kei_community.core.exceptions import RateLimited
    from marketplace.models import Message

    settings.MESSAGE_RATE_PER_MINUTE = 10
    settings.MESSAGE_RATE_PER_DAY = 200
    listing, buyer = ListingFactory(), UserFactory()
    conversation = services.conversation_start(buyer=buyer, listing=listing, body="Message 0")
    Message.objects.all().delete()
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def send(n: int) -> None:
        try:
            start.wait()
            services.message_send(sender=buyer, conversation=conversation, body=f"Message {n}")
            outcomes.append("sent")
        except RateLimited:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused"] * 10 + ["sent"] * 10
    assert Message.objects.filter(sender=buyer).count() == 10


@pytest.mark.django_db(transaction=True)
def test_a_draft_is_published_once_the_worker_has_processed_its_photo(live_worker, settings):
    """The sell flow's rule (issue 12, part 4): a photo still waiting for the worker does not count."""
    settings.LISTING_MIN_READY_PHOTOS = 1
    seller = UserFactory()
    draft = ListingFactory(seller=seller, publish=False)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.listing_publish(actor=seller, listing=draft)
    assert "photos" in refused.value.message_dict
    photo = services.listing_photo_add(
        actor=seller, listing=draft, upload=SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    )
    assert _wait_for(lambda: type(photo).objects.get(pk=photo.pk).status == "ready")
    draft.refresh_from_db()
    assert services.listing_publish(actor=seller, listing=draft).status == Listing.Status.ACTIVE
