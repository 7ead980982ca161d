"""Periodic and background work (called by marketplace.tasks)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kei_community.notifications.services import notification_create, notification_create_many
from marketplace import page_cache
from marketplace.models import Favorite, Listing, PriceChange, SavedSearch
from marketplace.services.rules import Status


def listings_expire(*, now=None) -> int:
    now = now or timezone.now()
    due = Listing.objects.filter(status=Status.ACTIVE, expires_at__lte=now)
    expired = list(due.values_list("pk", "make"))
    if not expired:
        return 0
    count = due.filter(pk__in=[pk for pk, _ in expired]).update(status=Status.EXPIRED, updated_at=now)
    page_cache.listings_changed([pk for pk, _ in expired], makes={make for _, make in expired})
    return count


def listings_send_expiry_reminders(*, now=None) -> int:
    """Remind sellers 5 days before expiry (idempotent through reminder_sent_at)."""
    now = now or timezone.now()
    sent = 0
    due = Listing.objects.filter(
        status=Status.ACTIVE, reminder_sent_at__isnull=True, expires_at__lte=now + timedelta(days=5), expires_at__gt=now
    ).select_related("seller")
    for listing in due:
        with transaction.atomic():
            updated = Listing.objects.filter(pk=listing.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if not updated:
                continue
            notification_create(
                recipient=listing.seller,
                kind="listing_expiring",
                title=f"Your listing “{listing.title}” expires on {listing.expires_at:%b %d}",
                url=listing.get_absolute_url() + "#renew",
                body="Renew it with one click from the listing page or your dashboard.",
                target=listing,
            )
            sent += 1
    return sent


def price_drop_notify(*, price_change_id: int) -> int:
    with transaction.atomic():
        change = PriceChange.objects.select_for_update().select_related("listing").filter(pk=price_change_id).first()
        if change is None or change.notified_at is not None or change.new_price >= change.old_price:
            return 0
        listing = change.listing
        recipients = [f.user for f in Favorite.objects.filter(listing=listing).select_related("user")]
        notification_create_many(
            recipients=recipients,
            kind="price_drop",
            title=f"Price drop: “{listing.title}” now ${change.new_price:,} (was ${change.old_price:,})",
            url=listing.get_absolute_url(),
            actor=listing.seller,
            target=listing,
        )
        change.notified_at = timezone.now()
        change.save(update_fields=["notified_at"])
        return len(recipients)


def saved_search_alerts_for_listing(*, listing_id: int) -> int:
    """Record matches for a newly public listing; notify 'immediate' saved searches at once."""
    from marketplace.models import SavedSearchMatch
    from marketplace.selectors import listing_matches_saved_search

    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None or not listing.is_public:
        return 0
    notified = 0
    for saved in (
        SavedSearch.objects.exclude(frequency=SavedSearch.Frequency.OFF)
        .exclude(user_id=listing.seller_id)
        .select_related("user")
    ):
        if not listing_matches_saved_search(listing=listing, saved_search=saved):
            continue
        with transaction.atomic():
            match, created = SavedSearchMatch.objects.get_or_create(saved_search=saved, listing=listing)
            if not created or saved.frequency != SavedSearch.Frequency.IMMEDIATE:
                continue
            notification_create(
                recipient=saved.user,
                kind="saved_search_match",
                title=f"New match for “{saved.name}”: {listing.title} — ${listing.price:,}",
                url=listing.get_absolute_url(),
                target=listing,
            )
            match.notified_at = timezone.now()
            match.save(update_fields=["notified_at"])
            notified += 1
    return notified


def saved_searches_send_digest(*, now=None) -> int:
    """Daily digest: one notification per saved search with its un-notified matches."""
    from marketplace.models import SavedSearchMatch

    now = now or timezone.now()
    sent = 0
    pending = (
        SavedSearchMatch.objects.filter(notified_at__isnull=True, saved_search__frequency=SavedSearch.Frequency.DAILY)
        .select_related("saved_search__user", "listing")
        .order_by("saved_search_id", "id")
    )
    groups: dict[int, list] = {}
    for match in pending:
        groups.setdefault(match.saved_search_id, []).append(match)
    for matches in groups.values():
        saved = matches[0].saved_search
        with transaction.atomic():
            ids = [m.pk for m in matches]
            if not SavedSearchMatch.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=now):
                continue
            lines = "\n".join(f"- {m.listing.title} — ${m.listing.price:,}" for m in matches[:20])
            notification_create(
                recipient=saved.user,
                kind="saved_search_match",
                title=f"{len(matches)} new listing(s) for “{saved.name}”",
                url=saved.get_absolute_url(),
                body=lines,
            )
            saved.last_digest_at = now
            saved.save(update_fields=["last_digest_at"])
            sent += 1
    return sent
