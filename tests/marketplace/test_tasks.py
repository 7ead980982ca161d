from datetime import timedelta

import pytest
from django.utils import timezone

from kei_community.notifications.models import Notification
from marketplace import services, tasks
from marketplace.models import Listing, PriceChange, SavedSearchMatch
from tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def _age(listing, days_left: float) -> None:
    Listing.objects.filter(pk=listing.pk).update(expires_at=timezone.now() + timedelta(days=days_left))


def test_expire_listings_past_their_date():
    old, fresh = ListingFactory(), ListingFactory()
    _age(old, -0.01)
    assert tasks.expire_listings.delay().get() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == "expired" and fresh.status == "active"
    assert tasks.expire_listings.delay().get() == 0


def test_reminder_five_days_before_expiry_sent_once():
    soon, later = ListingFactory(), ListingFactory()
    _age(soon, 4.5)
    _age(later, 10)
    assert tasks.send_expiry_reminders.delay().get() == 1
    assert tasks.send_expiry_reminders.delay().get() == 0
    note = Notification.objects.get(kind="listing_expiring")
    assert note.recipient == soon.seller and "#renew" in note.url


def test_renewal_resets_the_reminder():
    listing = ListingFactory()
    _age(listing, 3)
    tasks.send_expiry_reminders.delay()
    listing.refresh_from_db()
    services.listing_renew(actor=listing.seller, listing=listing)
    assert listing.reminder_sent_at is None


def test_saved_search_immediate_alert_on_publish(django_capture_on_commit_callbacks):
    buyer = UserFactory()
    services.saved_search_create(
        user=buyer, name="Dumps", query="bed_type=dump&zip=78701&radius=50", frequency="immediate"
    )
    services.saved_search_create(user=buyer, name="Hondas", query="make=Honda", frequency="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        listing = ListingFactory(bed_type="dump", zip_code="78613")
    notes = Notification.objects.filter(recipient=buyer, kind="saved_search_match")
    assert notes.count() == 1 and "Dumps" in notes.get().title
    # Idempotent: running the task again sends nothing more.
    tasks.saved_search_alerts_for_listing.delay(listing.pk)
    assert notes.count() == 1


def test_saved_search_outside_radius_is_not_alerted(django_capture_on_commit_callbacks):
    buyer = UserFactory()
    services.saved_search_create(user=buyer, name="Near", query="zip=78701&radius=25", frequency="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        ListingFactory(zip_code="77002")
    assert not Notification.objects.filter(kind="saved_search_match").exists()


def test_daily_digest_groups_matches_once(django_capture_on_commit_callbacks):
    buyer = UserFactory()
    services.saved_search_create(user=buyer, name="Any Suzuki", query="make=suzuki", frequency="daily")
    with django_capture_on_commit_callbacks(execute=True):
        ListingFactory()
        ListingFactory()
    assert not Notification.objects.filter(kind="saved_search_match").exists()
    assert SavedSearchMatch.objects.filter(notified_at__isnull=True).count() == 2
    assert tasks.send_saved_search_digests.delay().get() == 1
    note = Notification.objects.get(kind="saved_search_match")
    assert note.title.startswith("2 new listing")
    assert tasks.send_saved_search_digests.delay().get() == 0


def test_price_drop_sweeper_catches_unsent_drops():
    buyer = UserFactory()
    listing = ListingFactory(price=9000)
    services.favorite_add(user=buyer, listing=listing)
    change = PriceChange.objects.create(listing=listing, old_price=9000, new_price=7000)
    PriceChange.objects.filter(pk=change.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    assert tasks.sweep_price_drops.delay().get() == 1
    assert tasks.sweep_price_drops.delay().get() == 0
    assert Notification.objects.filter(recipient=buyer, kind="price_drop").count() == 1


def test_beat_schedule_registered():
    from kei_community.celery import app

    names = set(app.conf.beat_schedule)
    assert {"marketplace-expire-listings", "marketplace-expiry-reminders", "marketplace-saved-search-digest"} <= names


def test_broker_down_keeps_work_for_the_sweeper(monkeypatch, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    def boom(*args, **kwargs):
        raise OperationalError("broker down")

    monkeypatch.setattr(tasks.notify_price_drop, "delay", boom)
    buyer = UserFactory()
    listing = ListingFactory(price=9000)
    services.favorite_add(user=buyer, listing=listing)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=listing.seller, listing=listing, data={"price": 8000})
    assert PriceChange.objects.get().notified_at is None
