import pytest
from django.urls import reverse

from forum import services
from forum.models import POSTS_PER_PAGE, THREADS_PER_PAGE, Post, Thread
from kei_community.moderation.models import AuditLogEntry
from tests.factories import ForumPostFactory, ForumThreadFactory, UserFactory, forum_category

pytestmark = pytest.mark.django_db


def _thread_with_posts(n: int, *, with_reactions: bool = True) -> Thread:
    thread = ForumThreadFactory(tags="TX, brakes")
    authors = [UserFactory() for _ in range(3)]
    posts = [ForumPostFactory(thread=thread, author=authors[i % 3]) for i in range(n - 1)]
    if with_reactions:
        services.reaction_toggle(user=thread.author, post=posts[0], kind="like")
    thread.refresh_from_db()
    return thread


# --- pages and query budgets ---------------------------------------------------------------------------


def test_index_lists_seeded_categories_with_counts(client):
    ForumThreadFactory()
    response = client.get(reverse("forum:index"))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Builds", "Small-business stories", "Maintenance &amp; repair", "Off-topic"):
        assert name in body


@pytest.mark.parametrize("posts", [3, 40])
def test_thread_page_signed_in_query_budget(posts, client, django_assert_max_num_queries):
    thread = _thread_with_posts(posts)
    reader = UserFactory()
    client.force_login(reader)
    from stategide.selectors import registration_outlooks

    client.get(reverse("forum:index"))  # warm process caches: content types ...
    registration_outlooks()  # ... and the state guide's outlooks (cached for every page in production)
    with django_assert_max_num_queries(12):
        response = client.get(thread.get_absolute_url() + f"?page={thread.page_count}")
    assert response.status_code == 200


@pytest.mark.parametrize("posts", [3, 40])
def test_thread_page_anonymous_query_budget(posts, client, django_assert_max_num_queries):
    thread = _thread_with_posts(posts)
    with django_assert_max_num_queries(8):
        assert client.get(thread.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("threads", [3, 40])
def test_category_page_query_budget(threads, client, django_assert_max_num_queries):
    for _ in range(threads):
        ForumThreadFactory(tags="hijet")
    client.force_login(UserFactory())
    url = forum_category().get_absolute_url()
    client.get(reverse("forum:search"))  # warm process caches (content types)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="list-group-item d-flex') == min(threads, 25)


@pytest.mark.parametrize("threads", [3, 40])
def test_index_query_budget(threads, client, django_assert_max_num_queries):
    for _ in range(threads):
        ForumThreadFactory()
    client.force_login(UserFactory())
    client.get(reverse("forum:search"))  # warm process caches (content types)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("forum:index")).status_code == 200


def test_posts_are_paginated_by_position_and_permalink_lands_on_page(client):
    thread = _thread_with_posts(POSTS_PER_PAGE + 3, with_reactions=False)
    last = Post.objects.get(thread=thread, position=POSTS_PER_PAGE + 2)
    response = client.get(reverse("forum:post", args=[last.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{thread.get_absolute_url()}?page=2#post-{last.pk}"
    page2 = client.get(thread.get_absolute_url() + "?page=2").content.decode()
    assert f'id="post-{last.pk}"' in page2
    assert page2.count("<article") == 3


def test_short_and_wrong_slug_urls_redirect_permanently(client):
    thread = ForumThreadFactory(title="Right slug here")
    short = client.get(reverse("forum:thread-short", args=[thread.pk]))
    wrong = client.get(f"/forum/t/{thread.pk}-wrong-slug/?page=1")
    assert short.status_code == 301 and short["Location"] == thread.get_absolute_url()
    assert wrong.status_code == 301 and wrong["Location"] == thread.get_absolute_url() + "?page=1"


def test_unknown_thread_and_category_are_404(client):
    assert client.get("/forum/t/999999-nope/").status_code == 404
    assert client.get("/forum/c/nope/").status_code == 404


def test_state_tag_shows_state_guide_banner(client):
    from tests.factories import StatePageFactory

    StatePageFactory(code="TX")
    thread = ForumThreadFactory(tags="TX")
    body = client.get(thread.get_absolute_url()).content.decode()
    assert "Texas:" in body and 'href="/states/tx/"' in body.lower()


# --- anonymous whole-page cache ------------------------------------------------------------------------


def test_anonymous_thread_page_is_cached_and_invalidated_by_a_reply(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    thread = ForumThreadFactory()
    first = client.get(thread.get_absolute_url())
    assert first["X-Forum-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(thread.get_absolute_url())
    assert second["X-Forum-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        ForumPostFactory(thread=thread, body="a brand new reply")
    third = client.get(thread.get_absolute_url())
    assert third["X-Forum-Cache"] == "miss"
    assert "a brand new reply" in third.content.decode()


def test_cached_page_gets_fresh_nonce_and_csrf(client):
    thread = ForumThreadFactory()
    client.get(thread.get_absolute_url())
    response = client.get(thread.get_absolute_url())
    body = response.content.decode()
    assert 'nonce="csrf' not in body and 'value="csrf' not in body  # no marker left unfilled
    nonce = response["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'nonce="{nonce}"' in body


def test_signed_in_pages_are_not_cached(client, user):
    thread = ForumThreadFactory()
    client.force_login(user)
    client.get(thread.get_absolute_url())
    assert "X-Forum-Cache" not in client.get(thread.get_absolute_url())


# --- writing through the pages -------------------------------------------------------------------------


def test_member_starts_thread(client, user):
    client.force_login(user)
    response = client.post(
        reverse("forum:thread-create"),
        {"category": forum_category("builds").pk, "title": "My first build", "body": "Hello **all**", "tags": "TX"},
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    assert thread.author == user and thread.tags.get().state_code == "TX"


def test_thread_form_errors_are_400_and_keep_input(client, user):
    client.force_login(user)
    response = client.post(
        reverse("forum:thread-create"),
        {"category": forum_category().pk, "title": "Hi", "body": "my long careful text", "tags": "a,b,c,d,e,f"},
    )
    assert response.status_code == 400
    assert "my long careful text" in response.content.decode()
    assert not Thread.objects.exists()


def test_anonymous_is_sent_to_login_to_post(client):
    response = client.get(reverse("forum:thread-create"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_reply_and_quote_prefill(client, user):
    thread = ForumThreadFactory(body="the original words")
    client.force_login(user)
    form = client.get(reverse("forum:reply", args=[thread.pk]) + f"?quote={thread.posts.get().pk}")
    assert "&gt; the original words" in form.content.decode()
    response = client.post(reverse("forum:reply", args=[thread.pk]), {"body": "Agreed!"})
    post = Post.objects.get(thread=thread, position=2)
    assert response["Location"] == reverse("forum:post", args=[post.pk])


def test_reply_in_locked_thread_is_refused(client, user, moderator):
    thread = ForumThreadFactory()
    services.thread_lock(actor=moderator, thread=thread)
    client.force_login(user)
    response = client.post(reverse("forum:reply", args=[thread.pk]), {"body": "let me in"})
    assert response.status_code == 400
    assert "locked" in response.content.decode()
    assert thread.posts.count() == 1


def test_cannot_edit_another_members_post_page(client, user, other_user):
    post = ForumThreadFactory(author=other_user).posts.get()
    client.force_login(user)
    assert client.get(reverse("forum:post-edit", args=[post.pk])).status_code == 403
    assert client.post(reverse("forum:post-edit", args=[post.pk]), {"body": "hijack"}).status_code == 403
    post.refresh_from_db()
    assert post.body_markdown != "hijack"


def test_cannot_delete_another_members_post_page(client, user, other_user):
    post = ForumThreadFactory(author=other_user).posts.get()
    client.force_login(user)
    assert client.post(reverse("forum:post-delete", args=[post.pk])).status_code == 403
    assert not Post.objects.get(pk=post.pk).is_deleted


def test_edit_then_history_page(client, user):
    post = ForumThreadFactory(author=user, body="first version").posts.get()
    client.force_login(user)
    client.post(reverse("forum:post-edit", args=[post.pk]), {"body": "second version", "reason": "typo"})
    body = client.get(reverse("forum:post-history", args=[post.pk])).content.decode()
    assert "first version" in body and "second version" in body and "typo" in body


@pytest.mark.parametrize("action", ["pin", "lock", "move"])
def test_members_cannot_use_moderator_actions_page(action, client, user):
    thread = ForumThreadFactory(author=user)
    client.force_login(user)
    response = client.post(
        reverse("forum:thread-moderate", args=[thread.pk, action]), {"category": forum_category("off-topic").pk}
    )
    assert response.status_code == 403
    thread.refresh_from_db()
    assert not thread.is_pinned and not thread.is_locked and thread.category.slug == "maintenance"


def test_moderator_pins_through_page(client, moderator):
    thread = ForumThreadFactory()
    client.force_login(moderator)
    client.post(reverse("forum:thread-moderate", args=[thread.pk, "pin"]))
    thread.refresh_from_db()
    assert thread.is_pinned
    assert AuditLogEntry.objects.filter(action="forum_thread_pin").exists()


def test_reaction_via_htmx_returns_fragment(client, user):
    post = ForumThreadFactory().posts.get()
    client.force_login(user)
    response = client.post(reverse("forum:post-react", args=[post.pk]), {"kind": "thanks"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="reactions-{post.pk}"' in response.content.decode()
    assert 'aria-pressed="true"' in response.content.decode()


def test_solve_watch_bookmark_pages(client, user, other_user):
    thread = ForumThreadFactory(author=user)
    reply = ForumPostFactory(thread=thread, author=other_user)
    client.force_login(user)
    client.post(reverse("forum:post-solve", args=[reply.pk]))
    client.post(reverse("forum:thread-watch", args=[thread.pk]), {"level": "mute"})
    client.post(reverse("forum:thread-bookmark", args=[thread.pk]))
    thread.refresh_from_db()
    assert thread.solved_post == reply
    state = thread.states.get(user=user)
    assert state.level == "mute" and state.bookmarked_at
    assert thread.title in client.get(reverse("forum:bookmarks")).content.decode()


def test_first_unread_redirects_to_first_new_post(client, user, other_user):
    thread = ForumThreadFactory(author=other_user)
    client.force_login(user)
    client.get(thread.get_absolute_url())
    new = ForumPostFactory(thread=thread, author=other_user)
    response = client.get(reverse("forum:thread-unread", args=[thread.pk]))
    assert response["Location"].endswith(f"#post-{new.pk}")
    body = client.get(thread.get_absolute_url()).content.decode()
    assert f'href="#post-{new.pk}">Jump to first unread' in body


def test_search_page_and_site_search(client):
    ForumThreadFactory(title="Sprayer pump wiring", body="A diaphragm pump on a switch")
    assert "Sprayer pump wiring" in client.get(reverse("forum:search") + "?q=diaphragm").content.decode()
    assert "Sprayer pump wiring" in client.get("/search/?q=diaphragm").content.decode()


def test_feeds(client):
    thread = ForumThreadFactory(title="Feed me")
    rss = client.get(reverse("forum:feed-rss"))
    atom = client.get(reverse("forum:category-feed-atom", args=["maintenance"]))
    assert rss.status_code == 200 and b"Feed me" in rss.content
    assert atom.status_code == 200 and b"<feed" in atom.content and thread.get_absolute_url().encode() in atom.content


def test_home_profile_and_truck_hooks(client, user):
    from kei_community.core.registry import call_hooks
    from kei_community.vehicles.models import GarageTruck

    truck = GarageTruck.objects.create(owner=user, make="Daihatsu", model="Hijet")
    thread = ForumThreadFactory(author=user, truck=truck, category=forum_category("builds"), title="Hijet build log")
    assert "Hijet build log" in client.get("/").content.decode()
    assert "Hijet build log" in client.get(user.get_absolute_url()).content.decode()
    timeline = [item for items in call_hooks("truck_threads", truck) for item in items]
    assert timeline[0]["url"] == thread.get_absolute_url()


def test_held_posts_in_shared_queue(settings, moderator):
    from kei_community.moderation.registry import queue_sources

    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    services.thread_create(author=UserFactory(), category=forum_category(), title="Hello there", body="first")
    items = queue_sources()["forum"]()
    assert [i["kind"] for i in items] == ["New thread"]


def test_moderator_splits_through_page(client, moderator):
    thread = ForumThreadFactory()
    ForumPostFactory(thread=thread, body="off topic reply")
    client.force_login(moderator)
    response = client.post(
        reverse("forum:thread-moderate", args=[thread.pk, "split"]), {"positions": "#2", "title": "Off-topic bits"}
    )
    new = Thread.objects.get(title="Off-topic bits")
    assert response["Location"] == new.get_absolute_url()
    assert new.posts.get().body_markdown == "off topic reply"


def test_unknown_query_strings_share_the_cached_page(client):
    thread = ForumThreadFactory()
    assert client.get(thread.get_absolute_url() + "?utm=a")["X-Forum-Cache"] == "miss"
    assert client.get(thread.get_absolute_url() + "?utm=b")["X-Forum-Cache"] == "hit"


def test_build_thread_shows_for_sale_card_from_truck_listings_hook(client, user):
    from kei_community.core import registry
    from kei_community.vehicles.models import GarageTruck

    truck = GarageTruck.objects.create(owner=user, make="Suzuki", model="Carry")
    thread = ForumThreadFactory(author=user, truck=truck, category=forum_category("builds"))

    def listing_card(for_truck):  # type: ignore[no-untyped-def]
        return (
            [{"title": "1999 Carry, $4,500", "url": "/listings/7/", "subtitle": "Raleigh, NC"}]
            if for_truck == truck
            else []
        )

    registry.register("truck_listings", listing_card, order=99)
    try:
        body = client.get(thread.get_absolute_url()).content.decode()
    finally:
        registry._hooks["truck_listings"] = [
            (o, f) for o, f in registry._hooks["truck_listings"] if f is not listing_card
        ]
    assert "This truck is for sale" in body and 'href="/listings/7/"' in body


def test_state_guide_link_lands_on_state_tag_search(client):
    thread = ForumThreadFactory(tags="TX", title="Texas farm plates")
    ForumPostFactory(thread=thread)
    response = client.get("/forum/?state=tx")
    assert response.status_code == 302 and response["Location"] == "/forum/search/?tag=state-tx"
    body = client.get(response["Location"]).content.decode()
    assert body.count("Texas farm plates") == 1
    assert client.get("/forum/?state=zz")["Location"] == reverse("forum:index")


def test_deleted_post_text_is_hidden_from_members_but_not_moderators(client, user, moderator):
    thread = ForumThreadFactory()
    post = ForumPostFactory(thread=thread, author=user, body="secret phone 555-0100")
    services.post_delete(actor=user, post=post)
    client.force_login(UserFactory())
    body = client.get(thread.get_absolute_url()).content.decode()
    assert "This post was deleted." in body and "555-0100" not in body
    client.force_login(moderator)
    body = client.get(thread.get_absolute_url()).content.decode()
    assert "555-0100" in body and "Restore" in body


def test_hidden_thread_page_is_404_for_other_members(client, user, other_user):
    thread = ForumThreadFactory(author=user)
    services.post_delete(actor=user, post=thread.posts.get())
    client.force_login(other_user)
    assert client.get(thread.get_absolute_url()).status_code == 404
    client.force_login(user)
    assert client.get(thread.get_absolute_url()).status_code == 200


def test_reply_with_a_bad_photo_keeps_the_text_and_saves_nothing(client, user):
    from tests.factories import make_upload

    thread = ForumThreadFactory()
    client.force_login(user)
    response = client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"body": "my careful answer", "photo": make_upload(b"definitely not a jpeg")},
    )
    assert response.status_code == 400
    assert "my careful answer" in response.content.decode()
    assert thread.posts.count() == 1
    thread.refresh_from_db()
    assert thread.post_count == 1


# --- category watch levels on pages --------------------------------------------------------------------


def test_category_page_sets_and_shows_the_level(client, user):
    client.force_login(user)
    category = forum_category("builds")
    response = client.post(reverse("forum:category-watch", args=[category.slug]), {"level": "track"}, follow=True)
    assert "Builds: Tracking." in response.content.decode()
    assert '<option value="track" selected>' in response.content.decode()
    assert client.post(reverse("forum:category-watch", args=[category.slug]), {"level": "loud"}).status_code == 302
    assert category.watches.get(user=user).level == "track"


def test_index_latest_leaves_out_muted_category_and_counts_tracked_unread(client, user, other_user):
    ForumThreadFactory(category=forum_category("off-topic"), title="Muted chatter here", author=other_user)
    ForumThreadFactory(category=forum_category("builds"), title="Tracked build here", author=other_user)
    services.category_set_level(user=user, category=forum_category("off-topic"), level="mute")
    services.category_set_level(user=user, category=forum_category("builds"), level="track")
    client.force_login(user)
    body = client.get(reverse("forum:index")).content.decode()
    latest = body[body.index('id="latest-heading"') :]
    assert "Tracked build here" in latest and "Muted chatter here" not in latest
    assert "1 unread thread" in body
    client.force_login(other_user)
    assert "Muted chatter here" in client.get(reverse("forum:index")).content.decode()


def test_home_active_threads_leave_out_muted_category(client, user):
    ForumThreadFactory(category=forum_category("off-topic"), title="Muted chatter here")
    services.category_set_level(user=user, category=forum_category("off-topic"), level="mute")
    assert "Muted chatter here" in client.get("/").content.decode()
    client.force_login(user)
    assert "Muted chatter here" not in client.get("/").content.decode()


def test_tracked_category_page_shows_unread_counts(client, user, other_user):
    thread = ForumThreadFactory(category=forum_category("builds"), author=other_user)
    ForumPostFactory(thread=thread, author=other_user)
    services.category_set_level(user=user, category=thread.category, level="track")
    client.force_login(user)
    body = client.get(thread.category.get_absolute_url()).content.decode()
    assert '2<span class="visually-hidden"> unread posts</span>' in body


def test_category_rows_escape_titles_and_tags_and_show_ago(client, user):
    ForumThreadFactory(title='<script>alert(1)</script> "quoted"', tags="<b>bold</b>", author=user)
    body = client.get(forum_category().get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>bold</b>" not in body
    assert "just now" in body and "by " + user.public_name in body


def test_ago_wording():
    from datetime import timedelta

    from django.utils import timezone

    from forum.cards import ago

    now = timezone.now()
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now - timedelta(minutes=1), now) == "1 minute ago"
    assert ago(now - timedelta(hours=5, minutes=3), now) == "5 hours ago"
    assert ago(now - timedelta(days=2), now) == "2 days ago"
    assert ago(now - timedelta(days=90), now).endswith(str((now - timedelta(days=90)).year))


@pytest.mark.parametrize("posts", [3, 40])
def test_warm_signed_in_thread_page_only_reads_the_readers_own_state(posts, client, django_assert_max_num_queries):
    """Thread, posts and cards come from the cache: session, user, thread state, own reactions."""
    thread = _thread_with_posts(posts)
    client.force_login(UserFactory())
    client.get(thread.get_absolute_url())  # fills the page data and records the read
    client.get(thread.get_absolute_url())
    with django_assert_max_num_queries(4):
        response = client.get(thread.get_absolute_url())
    assert response.status_code == 200 and "Post reply" in response.content.decode()


def test_thread_page_data_is_refreshed_by_a_reply_and_viewer_bits_stay_per_reader(client, user, other_user):
    thread = ForumThreadFactory(author=user)
    client.force_login(other_user)
    client.get(thread.get_absolute_url())
    ForumPostFactory(thread=thread, author=other_user, body="fresh words here")
    body = client.get(thread.get_absolute_url()).content.decode()
    assert "fresh words here" in body
    assert body.count(">Edit</a>") == 1  # only the reader's own reply
    client.force_login(user)
    assert client.get(thread.get_absolute_url()).content.decode().count(">Edit</a>") == 1  # only the first post


def test_index_latest_leaves_out_muted_thread_and_keeps_watched_thread_in_muted_category(client, user, other_user):
    kept = ForumThreadFactory(category=forum_category("off-topic"), title="Watched despite mute", author=other_user)
    muted = ForumThreadFactory(category=forum_category("builds"), title="Muted single thread", author=other_user)
    client.force_login(user)
    client.get(reverse("forum:index"))  # the reader-independent rows are now cached
    services.category_set_level(user=user, category=forum_category("off-topic"), level="mute")
    services.thread_set_level(user=user, thread=kept, level="watch")
    services.thread_set_level(user=user, thread=muted, level="mute")
    body = client.get(reverse("forum:index")).content.decode()
    latest = body[body.index('id="latest-heading"') :]
    assert "Watched despite mute" in latest and "Muted single thread" not in latest


def test_index_latest_fills_ten_rows_when_more_than_the_cached_rows_are_muted(client, user, other_user):
    older = [ForumThreadFactory(category=forum_category("builds"), author=other_user) for _ in range(10)]
    for _ in range(41):
        ForumThreadFactory(category=forum_category("off-topic"), author=other_user)
    services.category_set_level(user=user, category=forum_category("off-topic"), level="mute")
    client.force_login(user)
    body = client.get(reverse("forum:index")).content.decode()
    latest = body[body.index('id="latest-heading"') :]
    assert latest.count("forum-latest") == 10
    assert all(t.get_absolute_url() in latest for t in older)


def test_category_page_cached_rows_show_each_readers_own_unread_counts(client, user, other_user):
    thread = ForumThreadFactory(category=forum_category("builds"), author=other_user)
    ForumPostFactory(thread=thread, author=other_user)
    services.category_set_level(user=user, category=thread.category, level="track")
    client.force_login(other_user)
    first = client.get(thread.category.get_absolute_url()).content.decode()
    assert "unread post" not in first
    client.force_login(user)
    body = client.get(thread.category.get_absolute_url()).content.decode()
    assert '2<span class="visually-hidden"> unread posts</span>' in body


def test_index_category_rows_show_the_readers_level_badges(client, user):
    client.get(reverse("forum:index"))  # the reader-independent rows are now cached
    services.category_set_level(user=user, category=forum_category("builds"), level="watch")
    services.category_set_level(user=user, category=forum_category("off-topic"), level="mute")
    client.force_login(user)
    body = client.get(reverse("forum:index")).content.decode()
    assert body.count('<span class="badge text-bg-light border">Watching</span>') == 1
    assert body.count('<span class="badge text-bg-light border">Muted</span>') == 1
    assert "Tracking</span>" not in body


def test_category_page_is_paginated_for_a_signed_in_reader(client, user):
    category = forum_category("builds")
    for _ in range(THREADS_PER_PAGE + 2):
        ForumThreadFactory(category=category)
    client.force_login(user)
    first = client.get(category.get_absolute_url()).content.decode()
    assert first.count('class="list-group-item d-flex') == THREADS_PER_PAGE
    assert '<nav aria-label="Thread pages">' in first and 'href="?page=2" rel="next"' in first
    second = client.get(category.get_absolute_url() + "?page=2").content.decode()
    assert second.count('class="list-group-item d-flex') == 2
    assert '<span class="page-link" aria-current="page">2</span>' in second and 'rel="prev"' in second


def test_no_first_unread_button_on_your_own_new_thread(client, user):
    """Issue 13: the author of a new thread was offered "First unread" with nothing unread."""
    thread = ForumThreadFactory(author=user)
    client.force_login(user)
    body = client.get(thread.get_absolute_url()).content.decode()
    assert "First unread" not in body and "first unread" not in body


def test_jump_to_first_unread_when_there_are_new_replies(client, user, other_user):
    thread = ForumThreadFactory(author=other_user)
    client.force_login(user)
    client.get(thread.get_absolute_url())  # read the first post
    ForumPostFactory(thread=thread, author=other_user, body="a new reply here")
    assert "Jump to first unread" in client.get(thread.get_absolute_url()).content.decode()


def test_forum_search_of_only_common_words_says_so_with_400(client):
    ForumThreadFactory(title="The clutch", body="It is what it is")
    response = client.get(reverse("forum:search"), {"q": "it is"})
    assert response.status_code == 400
    assert "Every word of “it is” is too common to search for" in response.content.decode()
    found = client.get(reverse("forum:search"), {"q": "the clutch"})
    assert found.status_code == 200 and "The clutch" in found.content.decode()


def _ready_truck_photo(truck):
    from kei_community.media.services import photo_add
    from kei_community.media.tasks import process_photo
    from tests.factories import make_upload

    photo = photo_add(uploader=truck.owner, owner=truck, upload=make_upload())
    process_photo.apply(args=[photo.pk])
    photo.refresh_from_db()
    return photo


def test_a_build_thread_page_follows_its_trucks_photos_and_name(client):
    from kei_community.media.services import photo_delete
    from kei_community.vehicles.services import garage_truck_update
    from tests.factories import GarageTruckFactory

    truck = GarageTruckFactory(nickname="Blue Carry")
    first = _ready_truck_photo(truck)
    thread = ForumThreadFactory(author=truck.owner, truck=truck, title="Blue Carry build", body="Plans")
    page = client.get(thread.get_absolute_url()).content.decode()
    assert 'property="og:image"' in page and first.largest_url() in page and "Blue Carry" in page
    photo_delete(actor=truck.owner, photo=first)
    assert 'property="og:image"' not in client.get(thread.get_absolute_url()).content.decode()
    second = _ready_truck_photo(truck)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert f"{second.largest_url()}" in page
    garage_truck_update(actor=truck.owner, truck=truck, nickname="Red Carry")
    assert "Red Carry" in client.get(thread.get_absolute_url()).content.decode()


def test_a_build_thread_page_drops_a_truck_photo_a_moderator_removed(client, moderator):
    from kei_community.moderation.services import content_remove
    from tests.factories import GarageTruckFactory

    truck = GarageTruckFactory()
    photo = _ready_truck_photo(truck)
    thread = ForumThreadFactory(author=truck.owner, truck=truck, title="Truck build", body="Plans")
    assert photo.largest_url() in client.get(thread.get_absolute_url()).content.decode()
    content_remove(actor=moderator, target=photo, reason="Shows a licence plate.")
    assert 'property="og:image"' not in client.get(thread.get_absolute_url()).content.decode()


def _admin_save(model, obj, *, delete=False):
    """Save (or delete) obj through its ModelAdmin, as the admin's change form does."""
    from django.contrib import admin
    from django.test import RequestFactory

    from tests.factories import StaffFactory

    request = RequestFactory().post("/admin/")
    request.user = StaffFactory(is_superuser=True)
    model_admin = admin.site._registry[model]
    if delete:
        model_admin.delete_model(request, obj)
    else:
        model_admin.save_model(request, obj, form=None, change=True)


def test_a_category_renamed_in_the_admin_shows_at_once_on_the_index_and_its_threads(client):
    from forum.models import Category

    category = forum_category("builds")
    thread = ForumThreadFactory(category=category, title="Carry build")
    assert category.name in client.get("/forum/").content.decode()
    client.get(thread.get_absolute_url())
    category.name = "Builds and restorations"
    _admin_save(Category, category)
    assert "Builds and restorations" in client.get("/forum/").content.decode()
    assert "Builds and restorations" in client.get(thread.get_absolute_url()).content.decode()


def test_a_truck_renamed_in_the_admin_shows_at_once_on_its_build_thread(client):
    from kei_community.vehicles.models import GarageTruck
    from tests.factories import GarageTruckFactory

    truck = GarageTruckFactory(nickname="Blue Carry")
    thread = ForumThreadFactory(author=truck.owner, truck=truck, title="My build", body="Plans")
    assert "Blue Carry" in client.get(thread.get_absolute_url()).content.decode()
    truck.nickname = "Green Carry"
    _admin_save(GarageTruck, truck)
    assert "Green Carry" in client.get(thread.get_absolute_url()).content.decode()
