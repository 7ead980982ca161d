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

    monkeypatch.setattr(tasks.notify_price_drop, "apply_async", boom)  # services send by name
    buyer = UserFactory()
    listing = ListingFactory(price=9000)
    services.favorite_add(user=buyer, listing=listing)
    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(actor=listing.seller, listing=listing, data={"price": 8000})
    assert PriceChange.objects.get().notified_at is None


# --- bursts of message emails (issue 10, defect 6) --------------------------------------------------


def _send_burst(buyer, listing, n, capture):
    with capture(execute=True):
        conversation = services.conversation_start(buyer=buyer, listing=listing, body="Message 1")
    for i in range(2, n + 1):
        with capture(execute=True):
            services.message_send(sender=buyer, conversation=conversation, body=f"Message {i}")
    return conversation


def _window_ended(recipient):
    """Move the recipient's message notifications 11 minutes into the past (the window is 10)."""
    from django.db.models import F

    past = timedelta(minutes=11)
    Notification.objects.filter(recipient=recipient, kind="message").update(
        created_at=F("created_at") - past, email_claimed_at=F("email_claimed_at") - past
    )


@pytest.fixture
def burst_window(settings):
    settings.NOTIFICATIONS_EMAIL_BURST_MINUTES = 10
    return settings


def test_fifty_messages_in_a_burst_email_the_seller_at_most_twice(
    burst_window, mailoutbox, django_capture_on_commit_callbacks
):
    from kei_community.notifications import tasks as notification_tasks

    listing, buyer = ListingFactory(), UserFactory()
    conversation = _send_burst(buyer, listing, 50, django_capture_on_commit_callbacks)
    # The first message is emailed at once; the 49 others wait for the end of the window.
    assert [m.to for m in mailoutbox] == [[listing.seller.email]]
    assert "New message about" in mailoutbox[0].subject

    _window_ended(listing.seller)
    assert notification_tasks.flush_notification_burst.delay(listing.seller.pk, "message").get() == 49

    assert len(mailoutbox) == 2
    gathered = mailoutbox[1]
    assert gathered.to == [listing.seller.email] and gathered.subject == "[Kei Community] 49 new messages"
    assert "(49 messages)" in gathered.body and "Message 50" in gathered.body
    assert conversation.get_absolute_url() in gathered.body
    assert not Notification.objects.filter(kind="message", emailed_at__isnull=True).exists()
    # A flush run again (a redelivered task) sends nothing more.
    assert notification_tasks.flush_notification_burst.delay(listing.seller.pk, "message").get() == 0
    assert len(mailoutbox) == 2


def test_held_message_emails_go_out_with_the_sweeper_if_the_flush_was_lost(
    burst_window, mailoutbox, django_capture_on_commit_callbacks
):
    from kei_community.notifications import tasks as notification_tasks

    listing = ListingFactory()
    _send_burst(UserFactory(), listing, 5, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    assert notification_tasks.sweep_unsent_notifications() == 0  # still inside the window: nothing yet
    _window_ended(listing.seller)
    notification_tasks.sweep_unsent_notifications()
    assert len(mailoutbox) == 2 and mailoutbox[1].subject == "[Kei Community] 4 new messages"


def test_message_bursts_are_gathered_per_recipient(burst_window, mailoutbox, django_capture_on_commit_callbacks):
    first, second = ListingFactory(), ListingFactory()
    buyer = UserFactory()
    _send_burst(buyer, first, 3, django_capture_on_commit_callbacks)
    _send_burst(buyer, second, 3, django_capture_on_commit_callbacks)
    # Each seller gets their own first email at once; one seller's burst does not hold back the other.
    assert sorted(m.to[0] for m in mailoutbox) == sorted([first.seller.email, second.seller.email])


def test_a_message_after_a_quiet_window_is_emailed_at_once(
    burst_window, mailoutbox, django_capture_on_commit_callbacks
):
    listing, buyer = ListingFactory(), UserFactory()
    conversation = _send_burst(buyer, listing, 1, django_capture_on_commit_callbacks)
    _window_ended(listing.seller)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_send(sender=buyer, conversation=conversation, body="Are you there?")
    assert len(mailoutbox) == 2 and "New message about" in mailoutbox[1].subject


def test_without_a_burst_window_every_message_is_emailed(mailoutbox, django_capture_on_commit_callbacks):
    listing = ListingFactory()
    _send_burst(UserFactory(), listing, 3, django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 3


def test_services_send_the_tasks_by_their_registered_names():
    from kei_community.celery import app

    assert tasks.notify_price_drop.name == services.PRICE_DROP_TASK
    assert tasks.saved_search_alerts_for_listing.name == services.SAVED_SEARCH_ALERTS_TASK
    assert {services.PRICE_DROP_TASK, services.SAVED_SEARCH_ALERTS_TASK} <= set(app.tasks)
