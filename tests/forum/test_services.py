import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from forum import services
from forum.models import Category, Post, PostRevision, Reaction, Thread, ThreadState
from kei_community.moderation.models import AuditLogEntry
from kei_community.notifications.models import Notification
from tests.factories import ForumPostFactory, ForumThreadFactory, UserFactory, forum_category

pytestmark = pytest.mark.django_db


def _reload(obj):  # type: ignore[no-untyped-def]
    obj.refresh_from_db()
    return obj


# --- creating ----------------------------------------------------------------------------------------


def test_thread_create_stores_sanitised_html_and_first_post(user):
    thread = services.thread_create(
        author=user, category=forum_category(), title="Rough idle", body="**Help** <script>x()</script>"
    )
    post = thread.posts.get()
    assert post.position == 1
    assert "<strong>Help</strong>" in post.body_html
    assert "<script" not in post.body_html
    assert post.body_text.startswith("Help")


def test_thread_create_updates_counters(user):
    category = forum_category()
    thread = services.thread_create(author=user, category=category, title="Rough idle", body="Help")
    category.refresh_from_db()
    assert (thread.post_count, thread.last_position, thread.last_poster_id) == (1, 1, user.pk)
    assert (category.thread_count, category.post_count, category.last_thread_id) == (1, 1, thread.pk)


def test_reply_updates_thread_and_category_counters(user, other_user):
    thread = ForumThreadFactory(author=user)
    post = services.post_create(author=other_user, thread=thread, body="Try the IAC valve.")
    thread = _reload(thread)
    category = _reload(thread.category)
    assert post.position == 2
    assert (thread.post_count, thread.last_position, thread.last_poster_id) == (2, 2, other_user.pk)
    assert (category.thread_count, category.post_count) == (1, 2)
    assert thread.last_post_at == post.created_at


def test_empty_reply_is_rejected(user):
    thread = ForumThreadFactory()
    with pytest.raises(ValidationError) as exc:
        services.post_create(author=user, thread=thread, body="   ")
    assert "body" in exc.value.message_dict


def test_anonymous_cannot_reply():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.post_create(author=AnonymousUser(), thread=ForumThreadFactory(), body="hi")


def test_cannot_reply_in_locked_thread(user, moderator):
    thread = ForumThreadFactory()
    services.thread_lock(actor=moderator, thread=thread)
    with pytest.raises(PermissionDenied):
        services.post_create(author=user, thread=thread, body="Still broken")


def test_moderator_can_reply_in_locked_thread(moderator):
    thread = ForumThreadFactory()
    services.thread_lock(actor=moderator, thread=thread)
    assert services.post_create(author=moderator, thread=thread, body="Locking this one.").position == 2


def test_build_thread_needs_own_truck(user, other_user):
    from kei_community.vehicles.models import GarageTruck

    truck = GarageTruck.objects.create(owner=other_user, make="Suzuki", model="Carry")
    with pytest.raises(PermissionDenied):
        services.thread_create(author=user, category=forum_category("builds"), title="My build", body="x", truck=truck)


def test_build_thread_gets_chassis_model_tag(user):
    from kei_community.vehicles.models import ChassisCode, GarageTruck

    code = ChassisCode.objects.create(make="Suzuki", model="Carry", code="DA63T")
    truck = GarageTruck.objects.create(owner=user, make="Suzuki", model="Carry", chassis_code=code)
    thread = services.thread_create(
        author=user, category=forum_category("builds"), title="Blue build", body="x", truck=truck
    )
    assert thread.truck == truck
    assert [(t.name, t.kind) for t in thread.tags.all()] == [("DA63T", "model")]


def test_state_names_and_codes_become_state_tags(user):
    thread = ForumThreadFactory(author=user, tags="tx, North Carolina, brakes")
    tags = {(t.slug, t.kind, t.state_code) for t in thread.tags.all()}
    assert tags == {("state-tx", "state", "TX"), ("state-nc", "state", "NC"), ("brakes", "free", "")}


def test_more_than_five_tags_is_a_validation_error(user):
    with pytest.raises(ValidationError) as exc:
        ForumThreadFactory(author=user, tags="a,b,c,d,e,f")
    assert "tags" in exc.value.message_dict


def test_posting_rate_limit(settings, user):
    settings.FORUM_POSTS_PER_MINUTE = 2
    thread = ForumThreadFactory(author=user)
    services.post_create(author=user, thread=thread, body="one")
    with pytest.raises(ValidationError, match="quickly"):
        services.post_create(author=user, thread=thread, body="two")


def test_new_account_first_post_is_held_and_not_counted(settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    newbie = UserFactory()
    thread = services.thread_create(author=newbie, category=forum_category(), title="Hello all", body="First!")
    assert thread.is_hidden
    assert thread.posts.get().is_held
    assert _reload(thread.category).thread_count == 0


def test_approving_held_post_publishes_and_counts(settings, moderator):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    newbie = UserFactory()
    thread = services.thread_create(author=newbie, category=forum_category(), title="Hello all", body="First!")
    services.post_approve(actor=moderator, post=thread.posts.get())
    thread = _reload(thread)
    assert not thread.is_hidden and thread.post_count == 1
    assert _reload(thread.category).thread_count == 1
    assert AuditLogEntry.objects.filter(action="forum_post_approve").count() == 1


def test_new_account_mention_limit(settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    names = [UserFactory(display_name=f"Pal{i}").display_name for i in range(4)]
    newbie = UserFactory()
    with pytest.raises(ValidationError, match="mention"):
        services.thread_create(
            author=newbie, category=forum_category(), title="Hi pals", body=" ".join(f"@{n}" for n in names)
        )


# --- editing and deleting ----------------------------------------------------------------------------


def test_author_edit_keeps_history(user):
    thread = ForumThreadFactory(author=user, body="old text")
    post = thread.posts.get()
    services.post_edit(actor=user, post=post, body="new *text*")
    post.refresh_from_db()
    assert "<em>text</em>" in post.body_html and post.edit_count == 1
    assert PostRevision.objects.get(post=post).body_markdown == "old text"


def test_cannot_edit_another_members_post(user, other_user):
    post = ForumThreadFactory(author=user).posts.get()
    with pytest.raises(PermissionDenied):
        services.post_edit(actor=other_user, post=post, body="mine now")
    assert _reload(post).body_markdown != "mine now"


def test_moderator_edit_needs_reason_and_is_audited(user, moderator):
    post = ForumThreadFactory(author=user).posts.get()
    with pytest.raises(ValidationError):
        services.post_edit(actor=moderator, post=post, body="cleaned")
    services.post_edit(actor=moderator, post=post, body="cleaned", reason="removed phone number")
    entry = AuditLogEntry.objects.get(action="forum_post_edit")
    assert entry.note == "removed phone number" and entry.actor == moderator


def test_soft_delete_keeps_position_and_fixes_counters(user, other_user):
    thread = ForumThreadFactory(author=user)
    first_reply = ForumPostFactory(thread=thread, author=other_user)
    second = ForumPostFactory(thread=thread)
    services.post_delete(actor=other_user, post=first_reply)
    thread = _reload(thread)
    assert Post.objects.filter(thread=thread).count() == 3
    assert (thread.post_count, thread.last_position) == (2, 3)
    assert _reload(thread.category).post_count == 2
    assert _reload(second).position == 3


def test_cannot_delete_another_members_post(user, other_user):
    post = ForumPostFactory(author=user)
    with pytest.raises(PermissionDenied):
        services.post_delete(actor=other_user, post=post)


def test_member_cannot_restore(user):
    post = ForumPostFactory(author=user)
    services.post_delete(actor=user, post=post)
    with pytest.raises(PermissionDenied):
        services.post_restore(actor=user, post=post)


def test_moderator_delete_and_restore_are_audited_and_counted(user, moderator):
    post = ForumPostFactory(author=user)
    services.post_delete(actor=moderator, post=post, reason="spam")
    assert _reload(post.thread).post_count == 1
    services.post_restore(actor=moderator, post=_reload(post))
    assert _reload(post.thread).post_count == 2
    assert set(AuditLogEntry.objects.values_list("action", flat=True)) == {"forum_post_delete", "forum_post_restore"}


def test_deleting_first_post_hides_thread_and_recounts_category(user):
    thread = ForumThreadFactory(author=user)
    services.post_delete(actor=user, post=thread.posts.get())
    assert _reload(thread).is_hidden
    assert _reload(thread.category).thread_count == 0


# --- moderator verbs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("verb", ["pin", "lock", "move"])
def test_members_cannot_pin_lock_or_move(user, verb):
    thread = ForumThreadFactory(author=user)
    with pytest.raises(PermissionDenied):
        if verb == "pin":
            services.thread_pin(actor=user, thread=thread)
        elif verb == "lock":
            services.thread_lock(actor=user, thread=thread)
        else:
            services.thread_move(actor=user, thread=thread, category=forum_category("off-topic"))
    thread = _reload(thread)
    assert not thread.is_pinned and not thread.is_locked and thread.category.slug == "maintenance"


def test_pin_and_lock_are_audited(moderator):
    thread = ForumThreadFactory()
    services.thread_pin(actor=moderator, thread=thread)
    services.thread_lock(actor=moderator, thread=thread)
    thread = _reload(thread)
    assert thread.is_pinned and thread.is_locked
    assert list(AuditLogEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "forum_thread_pin",
        "forum_thread_lock",
    ]


def test_move_updates_both_categories(moderator):
    thread = ForumThreadFactory()
    ForumPostFactory(thread=thread)
    target = forum_category("off-topic")
    services.thread_move(actor=moderator, thread=thread, category=target)
    old, new = forum_category("maintenance"), _reload(target)
    assert (old.thread_count, old.post_count, old.last_thread_id) == (0, 0, None)
    assert (new.thread_count, new.post_count, new.last_thread_id) == (1, 2, thread.pk)
    assert AuditLogEntry.objects.get().action == "forum_thread_move"


def test_merge_appends_posts_and_fixes_counters(moderator):
    target = ForumThreadFactory()
    source = ForumThreadFactory(category=forum_category("off-topic"))
    ForumPostFactory(thread=source)
    merged = services.thread_merge(actor=moderator, source=source, target=target)
    assert list(merged.posts.order_by("position").values_list("position", flat=True)) == [1, 2, 3]
    assert merged.post_count == 3
    assert not Thread.objects.filter(pk=source.pk).exists()
    assert forum_category("off-topic").thread_count == 0
    assert forum_category("maintenance").post_count == 3


def test_member_cannot_merge(user):
    a, b = ForumThreadFactory(author=user), ForumThreadFactory(author=user)
    with pytest.raises(PermissionDenied):
        services.thread_merge(actor=user, source=a, target=b)


def test_thread_update_by_author_and_not_by_others(user, other_user):
    thread = ForumThreadFactory(author=user)
    services.thread_update(actor=user, thread=thread, title="Better title here", tags=["TX"])
    assert _reload(thread).slug == "better-title-here"
    with pytest.raises(PermissionDenied):
        services.thread_update(actor=other_user, thread=thread, title="Hijacked title")


# --- counters repair ---------------------------------------------------------------------------------


def test_repair_command_fixes_broken_counters(user):
    thread = ForumThreadFactory(author=user)
    ForumPostFactory(thread=thread)
    Thread.objects.filter(pk=thread.pk).update(post_count=99, last_position=0)
    Category.objects.filter(pk=thread.category_id).update(thread_count=7, post_count=0, last_thread=None)
    call_command("forum_repair_counters", stdout=__import__("io").StringIO())
    thread = _reload(thread)
    category = _reload(thread.category)
    assert (thread.post_count, thread.last_position) == (2, 2)
    assert (category.thread_count, category.post_count, category.last_thread_id) == (1, 2, thread.pk)


# --- mentions, watching, reactions, solved -----------------------------------------------------------


def test_mention_notifies_once_even_when_repeated_and_watching(user):
    alice = UserFactory(display_name="Alice Carry")
    thread = ForumThreadFactory(author=alice)  # alice watches her own thread
    services.post_create(author=user, thread=thread, body="@[Alice Carry] look — @[alice carry] again")
    notes = Notification.objects.filter(recipient=alice)
    assert list(notes.values_list("kind", flat=True)) == ["mention"]


def test_mention_renders_profile_link(user):
    bob = UserFactory(display_name="Bob")
    post = ForumPostFactory(author=user, body="thanks @Bob!")
    assert f'href="{bob.get_absolute_url()}"' in post.body_html
    assert "@Bob</a>!" in post.body_html


def test_editing_does_not_renotify_old_mentions(user):
    bob = UserFactory(display_name="Bob")
    post = ForumPostFactory(author=user, body="hey @Bob")
    services.post_edit(actor=user, post=post, body="hey @Bob, updated")
    assert Notification.objects.filter(recipient=bob, kind="mention").count() == 1


def test_unknown_mention_is_left_as_text(user):
    post = ForumPostFactory(author=user, body="hi @Nobody and mail me at a@b.example")
    assert "<a" not in post.body_html.replace('<a href="mailto', "")
    assert Notification.objects.filter(kind="mention").count() == 0


def test_watchers_get_one_reply_notification_each(user, other_user):
    thread = ForumThreadFactory(author=user)
    watcher = UserFactory()
    services.thread_set_level(user=watcher, thread=thread, level="watch")
    services.category_set_level(user=watcher, category=thread.category, level="watch")
    ForumPostFactory(thread=thread, author=other_user)
    assert Notification.objects.filter(kind="reply").count() == 2
    assert Notification.objects.filter(kind="reply", recipient=watcher).count() == 1
    assert not Notification.objects.filter(recipient=other_user).exists()


def test_muted_thread_gets_no_reply_notification(user, other_user):
    thread = ForumThreadFactory(author=user)
    services.thread_set_level(user=user, thread=thread, level="mute")
    ForumPostFactory(thread=thread, author=other_user)
    assert not Notification.objects.filter(recipient=user).exists()


def test_reaction_toggle_counts_and_rules(user, other_user):
    post = ForumThreadFactory(author=user).posts.get()
    assert services.reaction_toggle(user=other_user, post=post, kind="helpful") is True
    assert _reload(post).reaction_counts == {"helpful": 1}
    assert services.reaction_toggle(user=other_user, post=post, kind="helpful") is False
    assert _reload(post).reaction_counts == {}
    assert not Reaction.objects.exists()
    with pytest.raises(ValidationError):
        services.reaction_toggle(user=user, post=post, kind="like")
    with pytest.raises(ValidationError):
        services.reaction_toggle(user=other_user, post=post, kind="love")


@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        ("like", "Dale's Farm liked your post in “Idle speed”"),
        ("helpful", "Dale's Farm found your post helpful in “Idle speed”"),
        ("thanks", "Dale's Farm thanked you for your post in “Idle speed”"),
    ],
)
def test_reaction_notification_reads_as_a_sentence(user, kind, sentence):
    """Issue 13: it said "Dale's Farm found your post like"."""
    post = ForumThreadFactory(author=user, title="Idle speed").posts.get()
    services.reaction_toggle(user=UserFactory(display_name="Dale's Farm"), post=post, kind=kind)
    assert Notification.objects.get(recipient=user, kind="post_reaction").title == sentence


def test_author_marks_solved_in_help_category_only(user, other_user):
    thread = ForumThreadFactory(author=user)
    reply = ForumPostFactory(thread=thread, author=other_user)
    services.thread_mark_solved(actor=user, thread=thread, post=reply)
    assert _reload(thread).solved_post == reply
    with pytest.raises(PermissionDenied):
        services.thread_mark_solved(actor=other_user, thread=thread, post=None)
    chat = ForumThreadFactory(author=user, category=forum_category("off-topic"))
    with pytest.raises(ValidationError):
        services.thread_mark_solved(actor=user, thread=chat, post=ForumPostFactory(thread=chat))


def test_bookmark_toggle(user):
    thread = ForumThreadFactory()
    assert services.bookmark_toggle(user=user, thread=thread) is True
    assert ThreadState.objects.get(user=user, thread=thread).bookmarked_at is not None
    assert services.bookmark_toggle(user=user, thread=thread) is False


def test_reported_post_hides_after_threshold_and_restores(settings, user):
    from kei_community.moderation.services import report_create

    settings.REPORTS_TO_HIDE = 2
    post = ForumPostFactory(author=user)
    for reporter in (UserFactory(), UserFactory()):
        report_create(reporter=reporter, target=post, reason="spam")
    post.refresh_from_db()
    assert post.is_hidden
    assert _reload(post.thread).post_count == 1


def test_split_moves_replies_into_new_thread_and_fixes_counters(moderator):
    thread = ForumThreadFactory()
    replies = [ForumPostFactory(thread=thread) for _ in range(3)]
    new = services.thread_split(
        actor=moderator, thread=thread, posts=[replies[2], replies[0]], title="Split off discussion"
    )
    assert list(new.posts.order_by("position").values_list("pk", flat=True)) == [replies[0].pk, replies[2].pk]
    assert list(new.posts.values_list("position", flat=True).order_by("position")) == [1, 2]
    thread = _reload(thread)
    assert (thread.post_count, thread.last_position, new.post_count) == (2, 3, 2)
    category = forum_category()
    assert (category.thread_count, category.post_count) == (2, 4)
    assert AuditLogEntry.objects.filter(action="forum_thread_split").count() == 1


def test_member_cannot_split_and_first_post_cannot_be_split(user, moderator):
    thread = ForumThreadFactory(author=user)
    reply = ForumPostFactory(thread=thread)
    with pytest.raises(PermissionDenied):
        services.thread_split(actor=user, thread=thread, posts=[reply], title="Not allowed here")
    with pytest.raises(ValidationError):
        services.thread_split(actor=moderator, thread=thread, posts=[thread.posts.get(position=1)], title="Nope nope")


def test_new_account_link_cap_per_post(settings):
    thread = ForumThreadFactory()
    ForumPostFactory(thread=thread)
    newbie = ForumPostFactory(thread=thread).author  # has a published post, so nothing is held
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_DAILY_CAPS = {"link": 2, "post": 100}
    with pytest.raises(ValidationError, match="links"):
        services.post_create(author=newbie, thread=thread, body="https://a.example https://b.example https://c.example")
    assert thread.posts.count() == 3
    assert services.post_create(author=newbie, thread=thread, body="https://a.example https://b.example").position == 4


# --- category watch levels: watch / track / mute ----------------------------------------------------


def test_category_watchers_hear_of_new_threads_and_replies(user, other_user):
    category = forum_category()
    services.category_set_level(user=user, category=category, level="watch")
    thread = ForumThreadFactory(author=other_user, category=category)
    ForumPostFactory(thread=thread, author=other_user)
    assert list(Notification.objects.filter(recipient=user).values_list("kind", flat=True).order_by("id")) == [
        "new_thread",
        "reply",
    ]


def test_tracked_category_sends_no_notifications(user, other_user):
    category = forum_category()
    services.category_set_level(user=user, category=category, level="track")
    thread = ForumThreadFactory(author=other_user, category=category)
    ForumPostFactory(thread=thread, author=other_user)
    assert not Notification.objects.filter(recipient=user).exists()


def test_muted_category_silences_mentions_and_reactions(user, other_user):
    category = forum_category()
    mine = ForumThreadFactory(author=user, category=category)
    services.category_set_level(user=user, category=category, level="mute")
    services.thread_set_level(user=user, thread=mine, level="track")  # no explicit watch
    ForumThreadFactory(author=other_user, category=category, body=f"@[{user.display_name}] look at this")
    services.reaction_toggle(user=other_user, post=mine.posts.get(), kind="like")
    ForumPostFactory(thread=mine, author=other_user, body=f"@[{user.display_name}] reply")
    assert not Notification.objects.filter(recipient=user).exists()


def test_muted_category_still_notifies_for_an_explicitly_watched_thread(user, other_user):
    category = forum_category()
    thread = ForumThreadFactory(author=other_user, category=category)
    services.category_set_level(user=user, category=category, level="mute")
    services.thread_set_level(user=user, thread=thread, level="watch")
    ForumPostFactory(thread=thread, author=other_user, body=f"@[{user.display_name}] hi")
    ForumPostFactory(thread=thread, author=other_user)
    assert sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True)) == ["mention", "reply"]


def test_editing_a_post_does_not_announce_a_new_thread(user, other_user):
    thread = ForumThreadFactory(author=other_user)
    services.category_set_level(user=user, category=thread.category, level="watch")
    Notification.objects.all().delete()
    services.post_edit(actor=other_user, post=thread.posts.get(), body="Changed the text")
    assert not Notification.objects.filter(recipient=user).exists()


def test_category_level_rejects_unknown_values(user):
    with pytest.raises(ValidationError):
        services.category_set_level(user=user, category=forum_category(), level="loud")
