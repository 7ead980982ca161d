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


# --- category levels in lists -------------------------------------------------------------------------


def test_latest_and_home_active_threads_leave_out_muted_category_for_that_member(user, other_user):
    muted = ForumThreadFactory(category=forum_category("off-topic"), title="Off topic chatter")
    kept = ForumThreadFactory(category=forum_category("builds"), title="My build")
    services.category_set_level(user=user, category=forum_category("off-topic"), level="mute")
    assert list(selectors.latest_threads(user=user)) == [kept]
    assert list(selectors.active_threads(6, user=user)) == [kept]
    assert list(selectors.latest_threads(user=other_user)) == [kept, muted]
    assert list(selectors.latest_threads()) == [kept, muted]


def test_muted_category_thread_comes_back_when_explicitly_watched(user):
    thread = ForumThreadFactory(category=forum_category("off-topic"))
    services.category_set_level(user=user, category=thread.category, level="mute")
    assert list(selectors.latest_threads(user=user)) == []
    services.thread_set_level(user=user, thread=thread, level="watch")
    assert list(selectors.latest_threads(user=user)) == [thread]


def test_muted_thread_is_left_out_of_latest(user):
    thread = ForumThreadFactory()
    services.thread_set_level(user=user, thread=thread, level="mute")
    assert list(selectors.latest_threads(user=user)) == []


def test_tracked_category_shows_unread_counts_on_unopened_threads(user, other_user):
    tracked = ForumThreadFactory(category=forum_category("builds"), author=other_user)
    plain = ForumThreadFactory(category=forum_category("off-topic"), author=other_user)
    for thread in (tracked, plain):
        ForumPostFactory(thread=thread, author=other_user)
        ForumPostFactory(thread=thread, author=other_user)
    services.category_set_level(user=user, category=forum_category("builds"), level="track")
    threads = [Thread.objects.get(pk=tracked.pk), Thread.objects.get(pk=plain.pk)]
    selectors.mark_unread(user=user, threads=threads)
    assert (threads[0].unread, threads[0].unread_count) == (True, 3)
    assert (threads[1].unread, threads[1].unread_count) == (True, None)  # "New" only, no count


def test_unread_count_is_posts_after_last_read_and_muted_has_no_marker(user, other_user):
    thread = ForumThreadFactory(category=forum_category("builds"), author=other_user)
    services.category_set_level(user=user, category=thread.category, level="track")
    services.thread_mark_read(user=user, thread=Thread.objects.get(pk=thread.pk), position=1)
    ThreadState.objects.filter(user=user).update(last_read_at=timezone.now() - timedelta(minutes=5))
    ForumPostFactory(thread=thread, author=other_user)
    fresh = [Thread.objects.get(pk=thread.pk)]
    selectors.mark_unread(user=user, threads=fresh)
    assert fresh[0].unread_count == 1
    services.category_set_level(user=user, category=thread.category, level="mute")
    selectors.mark_unread(user=user, threads=fresh)
    assert (fresh[0].unread, fresh[0].unread_count) == (False, None)


def test_tracked_category_unread_thread_counts(user, other_user, django_assert_num_queries):
    builds = forum_category("builds")
    read = ForumThreadFactory(category=builds, author=other_user)
    ForumThreadFactory(category=builds, author=other_user)
    ForumThreadFactory(category=forum_category("off-topic"), author=other_user)
    services.category_set_level(user=user, category=builds, level="track")
    services.thread_mark_read(user=user, thread=Thread.objects.get(pk=read.pk), position=1)
    levels = selectors.category_levels(user=user)
    with django_assert_num_queries(1):
        assert selectors.tracked_category_unread(user=user, levels=levels) == {builds.pk: 1}
    assert selectors.tracked_category_unread(user=other_user, levels={}) == {}


def test_thread_list_q_is_full_text_over_posts_not_just_titles(other_user):
    thread = ForumThreadFactory(title="Cold start trouble", body="The carburetor float sticks.")
    reply_match = ForumThreadFactory(title="Another question")
    ForumPostFactory(thread=reply_match, body="Replaced the carburetor gasket.")
    ForumThreadFactory(title="Unrelated")
    found = set(selectors.thread_list(q="carburetor"))
    assert found == {thread, reply_match}
    assert list(selectors.thread_list(q="cold start")) == [thread]
    deleted = ForumPostFactory(thread=ForumThreadFactory(title="Gone"), body="zebra stripes")
    services.post_delete(actor=deleted.author, post=deleted)
    assert list(selectors.thread_list(q="zebra")) == []


# --- member_activity hook ----------------------------------------------------------------------------


def test_member_activity_hook_counts_visible_threads_and_posts_in_one_query(
    user, other_user, django_assert_num_queries
):
    from forum.hooks import member_activity
    from kei_community.core.registry import get_hooks

    assert member_activity in get_hooks("member_activity")
    thread = ForumThreadFactory(author=user)
    ForumPostFactory(thread=thread, author=user)
    ForumPostFactory(thread=thread, author=other_user)
    gone = ForumPostFactory(thread=thread, author=user)
    services.post_delete(actor=user, post=gone)
    idle = UserFactory(display_name="")
    with django_assert_num_queries(1):
        activity = member_activity([user.pk, other_user.pk, idle.pk, 999_999])
    assert activity[user.pk]["threads"] == 1 and activity[user.pk]["posts"] == 2
    assert activity[other_user.pk]["threads"] == 0 and activity[other_user.pk]["posts"] == 1
    assert activity[user.pk]["label"] == "Forum"
    assert activity[user.pk]["url"].startswith("/forum/search/?author=")
    assert activity[idle.pk] == {"threads": 0, "posts": 0, "url": idle.get_absolute_url(), "label": "Forum"}
    assert 999_999 not in activity


@pytest.mark.parametrize("members", [2, 30])
def test_member_activity_query_count_is_constant(members, django_assert_num_queries):
    from forum.hooks import member_activity

    authors = [ForumThreadFactory().author for _ in range(members)]
    with django_assert_num_queries(1):
        activity = member_activity([a.pk for a in authors])
    assert len(activity) == members and all(row["threads"] == 1 for row in activity.values())
    assert member_activity([]) == {}


def test_member_activity_url_finds_the_members_threads(client, user):
    from forum.hooks import member_activity

    thread = ForumThreadFactory(author=user, title="Searchable by author")
    body = client.get(member_activity([user.pk])[user.pk]["url"]).content.decode()
    assert thread.title in body
