from datetime import timedelta

import pytest
from django.utils import timezone

from forum import selectors, services
from forum.models import Thread, ThreadState
from tests.factories import ForumPostFactory, ForumThreadFactory, UserFactory, forum_category

pytestmark = pytest.mark.django_db


def test_thread_list_puts_pinned_first_then_latest_activity(moderator):
    old = ForumThreadFactory()
    newer = ForumThreadFactory()
    ForumPostFactory(thread=old)  # old now has the latest activity
    pinned = ForumThreadFactory()
    Thread.objects.filter(pk=pinned.pk).update(last_post_at=timezone.now() - timedelta(days=30))
    services.thread_pin(actor=moderator, thread=pinned)
    assert list(selectors.thread_list(category=forum_category())) == [pinned, old, newer]


def test_thread_list_hides_hidden_threads(user):
    thread = ForumThreadFactory(author=user)
    services.post_delete(actor=user, post=thread.posts.get())
    assert list(selectors.thread_list()) == []


def test_thread_list_filters_by_state_tag_and_truck(user):
    from kei_community.vehicles.models import GarageTruck

    truck = GarageTruck.objects.create(owner=user, make="Honda", model="Acty")
    texas = ForumThreadFactory(tags="TX")
    build = ForumThreadFactory(author=user, truck=truck, category=forum_category("builds"))
    ForumThreadFactory(tags="brakes")
    assert list(selectors.thread_list(state="tx")) == [texas]
    assert list(selectors.thread_list(tag="brakes")).__len__() == 1
    assert list(selectors.thread_list(truck=truck.pk)) == [build]


def test_hidden_thread_visible_to_author_and_moderators_only(user, other_user, moderator):
    thread = ForumThreadFactory(author=user)
    Thread.objects.filter(pk=thread.pk).update(is_hidden=True)
    assert selectors.thread_get(thread.pk, user=other_user) is None
    assert selectors.thread_get(thread.pk, user=user) is not None
    assert selectors.thread_get(thread.pk, user=moderator) is not None


def test_unread_until_read_then_new_reply_makes_it_unread(user, other_user):
    thread = ForumThreadFactory(author=other_user)
    assert selectors.is_unread(thread=thread, state=None)
    services.thread_mark_read(user=user, thread=thread, position=1)
    state = ThreadState.objects.get(user=user, thread=thread)
    thread.refresh_from_db()
    assert not selectors.is_unread(thread=thread, state=state)
    ForumPostFactory(thread=thread, author=other_user)
    thread.refresh_from_db()
    assert selectors.is_unread(thread=thread, state=state)
    assert selectors.first_unread_post(thread=thread, state=state).position == 2


def test_activity_older_than_cutoff_counts_as_read(settings, user):
    settings.FORUM_UNREAD_CUTOFF_DAYS = 10
    thread = ForumThreadFactory()
    Thread.objects.filter(pk=thread.pk).update(last_post_at=timezone.now() - timedelta(days=11))
    thread.refresh_from_db()
    assert not selectors.is_unread(thread=thread, state=None)


def test_search_fallback_matches_titles_and_posts_with_snippet():
    thread = ForumThreadFactory(title="Timing belt on the Acty", body="Replace it every ten years.")
    ForumPostFactory(thread=thread, body="I used a Gates belt kit, worked fine.")
    ForumThreadFactory(title="Tyres for mud", body="Mud terrain")
    hits = selectors.search_posts(q="gates")
    assert [h.thread for h in hits] == [thread]
    assert "Gates" in hits[0].snippet
    assert [h.thread for h in selectors.search_posts(q="timing belt")] == [thread]


def test_search_filters_by_category_and_author():
    alice = UserFactory(display_name="Alice")
    mine = ForumThreadFactory(author=alice, title="Rust on the frame", category=forum_category("builds"))
    ForumThreadFactory(title="Rust in the bed")
    assert [h.thread for h in selectors.search_posts(q="rust", author="alice")] == [mine]
    assert [h.thread for h in selectors.search_posts(q="rust", category="builds")] == [mine]


def test_search_skips_deleted_posts(user):
    thread = ForumThreadFactory(author=user, title="Secret sauce")
    services.post_delete(actor=user, post=thread.posts.get())
    assert selectors.search_posts(q="secret") == []
