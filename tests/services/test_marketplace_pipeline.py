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
