"""A suspension that runs out by itself (issue 12): no write happens when its end passes, so a periodic sweep
fires what a lift fires, and the member's listings come back to cached searches and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kei_community.moderation import registry
from kei_community.moderation.models import Sanction
from kei_community.moderation.services import member_suspend, member_unsuspend, suspensions_end_expired
from kei_community.moderation.tasks import end_expired_suspensions
from tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(db):
    return UserFactory(display_name="Briefly Suspended")


@pytest.fixture
def listing(seller):
    return ListingFactory(seller=seller, title="1997 Honda Acty back soon")


@pytest.fixture
def heard():
    """Record every member the moderation code tells the apps about (besides the apps' own listeners)."""
    members: list[int] = []
    registry.register_member_listener("zz-test", lambda member: members.append(member.pk))
    yield members
    registry._member_listeners.pop("zz-test", None)


def _run_out(suspension: Sanction, ago: timedelta = timedelta(minutes=1)) -> None:
    """Let the suspension's end pass the way time does: no service, no signal, no cache tag."""
    Sanction.objects.filter(pk=suspension.pk).update(ends_at=timezone.now() - ago)


def test_a_suspension_that_ran_out_brings_the_listings_back_to_the_cached_search(
    client, moderator, seller, listing, django_capture_on_commit_callbacks
):
    suspension = member_suspend(
        actor=moderator, member=seller, reason="Cool off.", ends_at=timezone.now() + timedelta(days=3)
    )
    searches = ("/listings/", f"/listings/?make={listing.make}")  # searches with and without a make filter
    for url in searches:
        assert listing.title not in client.get(url).content.decode()  # the page and its results now cached
    _run_out(suspension)
    for url in searches:
        assert listing.title not in client.get(url).content.decode()  # still the cached pages (the gap)

    with django_capture_on_commit_callbacks(execute=True):
        end_expired_suspensions.delay()

    for url in searches:
        assert listing.title in client.get(url).content.decode()
    suspension.refresh_from_db()
    assert suspension.end_handled_at is not None and suspension.lifted_at is None  # ran out, not lifted


def test_the_sweep_fires_the_same_listeners_as_a_lift_once(moderator, seller, heard):
    other = UserFactory()
    ran_out = member_suspend(actor=moderator, member=seller, reason="x", ends_at=timezone.now() + timedelta(hours=1))
    member_suspend(actor=moderator, member=other, reason="y", ends_at=timezone.now() + timedelta(hours=1))
    heard.clear()
    _run_out(ran_out)

    assert suspensions_end_expired() == 1
    assert heard == [seller.pk]
    assert suspensions_end_expired() == 0  # idempotent: handled once
    assert heard == [seller.pk]

    member_unsuspend(actor=moderator, member=other)  # a lift fires the very same listeners
    assert heard == [seller.pk, other.pk]


def test_the_sweep_leaves_suspensions_in_force_indefinite_and_lifted_alone(moderator, heard):
    in_force, indefinite, lifted = UserFactory(), UserFactory(), UserFactory()
    member_suspend(actor=moderator, member=in_force, reason="x", ends_at=timezone.now() + timedelta(minutes=5))
    member_suspend(actor=moderator, member=indefinite, reason="x")
    lifted_one = member_suspend(
        actor=moderator, member=lifted, reason="x", ends_at=timezone.now() + timedelta(minutes=5)
    )
    member_unsuspend(actor=moderator, member=lifted)
    _run_out(lifted_one)  # its end passes after the lift: the lift already fired everything
    heard.clear()

    assert suspensions_end_expired() == 0
    assert heard == []
    assert not Sanction.objects.filter(end_handled_at__isnull=False).exists()


def test_the_sweep_takes_the_end_at_its_own_clock(moderator, seller, heard):
    ends = timezone.now() + timedelta(hours=2)
    member_suspend(actor=moderator, member=seller, reason="x", ends_at=ends)
    heard.clear()
    assert suspensions_end_expired(now=ends - timedelta(seconds=1)) == 0
    assert suspensions_end_expired(now=ends) == 1 and heard == [seller.pk]


def test_a_new_suspension_after_one_ran_out_is_not_undone_by_the_sweep(client, moderator, seller, listing):
    first = member_suspend(actor=moderator, member=seller, reason="x", ends_at=timezone.now() + timedelta(hours=1))
    _run_out(first)
    member_suspend(actor=moderator, member=seller, reason="again")  # replaces (lifts) the one that ran out
    assert suspensions_end_expired() == 0
    assert listing.title not in client.get("/listings/").content.decode()


def test_the_sweep_is_in_the_beat_schedule():
    from kei_community.celery import app
    from kei_community.moderation.tasks import SUSPENSION_SWEEP_SECONDS

    entry = app.conf.beat_schedule["moderation-end-expired-suspensions"]
    assert entry["task"] == "kei_community.moderation.tasks.end_expired_suspensions"
    assert entry["task"] == end_expired_suspensions.name
    assert entry["schedule"] == timedelta(seconds=SUSPENSION_SWEEP_SECONDS) <= timedelta(minutes=5)


def test_a_suspension_that_ran_out_is_audited_and_the_member_told_once(moderator, seller):
    from kei_community.moderation.models import AuditLogEntry
    from kei_community.notifications.models import Notification

    suspension = member_suspend(actor=moderator, member=seller, reason="x", ends_at=timezone.now() + timedelta(hours=1))
    _run_out(suspension)
    suspension.refresh_from_db()
    assert suspensions_end_expired() == 1
    assert suspensions_end_expired() == 0

    [entry] = AuditLogEntry.objects.filter(action="suspension_ended")
    assert entry.actor is None and entry.target_id == seller.pk and entry.after == {"suspended_until": None}
    assert entry.before == {"suspended_until": suspension.ends_at.isoformat()}
    assert Notification.objects.filter(recipient=seller, title="Your suspension has ended").count() == 1
