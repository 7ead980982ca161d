"""Who hears about a new post: watchers, mentions, new-thread subscribers (muted users left out)."""

from __future__ import annotations

from forum.models import CategoryWatch, Level, Post, Thread, ThreadState
from forum.services.rules import _users
from kei_community.notifications.services import notification_create_many

# --- notifications ---------------------------------------------------------------------------------


def silenced_ids(*, thread: Thread, user_ids: set[int]) -> set[int]:
    """Members (of user_ids) never notified about this thread: they muted it, or muted its
    category without explicitly watching the thread. Two small queries, none for no ids."""
    if not user_ids:
        return set()
    thread_levels = dict(
        ThreadState.objects.filter(thread=thread, user_id__in=user_ids).values_list("user_id", "level")
    )
    muted_category = set(
        CategoryWatch.objects.filter(
            category_id=thread.category_id, level=Level.MUTE, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )
    return {uid for uid, level in thread_levels.items() if level == Level.MUTE} | {
        uid for uid in muted_category if thread_levels.get(uid) != Level.WATCH
    }


def _notify(*, post: Post, thread: Thread, mentioned: list, is_reply: bool, new_thread: bool = False) -> None:
    """Mentions; replies to thread and category watchers; new threads to category watchers.

    Muting (the thread, or its category unless the member explicitly watches the thread)
    silences all of them.
    """
    if not post.is_visible:
        return
    url = post.get_absolute_url()
    excerpt = post.body_text[:300]
    if mentioned:
        silenced = silenced_ids(thread=thread, user_ids={u.pk for u in mentioned})
        mentioned = [u for u in mentioned if u.pk not in silenced]
    mentioned_ids = {u.pk for u in mentioned}
    if mentioned:
        notification_create_many(
            recipients=mentioned,
            kind="mention",
            title=f"{post.author.public_name} mentioned you in “{thread.title}”",
            url=url,
            body=excerpt,
            actor=post.author,
            target=post,
        )
    category_watchers = set(
        CategoryWatch.objects.filter(category_id=thread.category_id, level=Level.WATCH).values_list(
            "user_id", flat=True
        )
    )
    if not is_reply and not new_thread:  # an edit: newly mentioned members only
        return
    if new_thread:  # everyone watching the category hears about it
        recipients_ids = category_watchers - mentioned_ids - {post.author_id}
        recipients_ids -= silenced_ids(thread=thread, user_ids=recipients_ids)
        if recipients_ids:
            notification_create_many(
                recipients=_users(list(recipients_ids)).filter(is_active=True),
                kind="new_thread",
                title=f"{post.author.public_name} started “{thread.title}” in {thread.category.name}",
                url=url,
                body=excerpt,
                actor=post.author,
                target=post,
            )
        return
    muted = set(ThreadState.objects.filter(thread=thread, level=Level.MUTE).values_list("user_id", flat=True))
    watcher_ids = set(ThreadState.objects.filter(thread=thread, level=Level.WATCH).values_list("user_id", flat=True))
    # Category watchers are never category-muters (one level per member and category); an
    # explicit thread watch wins over a muted category.
    watcher_ids |= category_watchers
    recipients_ids = watcher_ids - muted - mentioned_ids - {post.author_id}
    if recipients_ids:
        recipients = _users(list(recipients_ids)).filter(is_active=True)
        notification_create_many(
            recipients=recipients,
            kind="reply",
            title=f"{post.author.public_name} replied to “{thread.title}”",
            url=url,
            body=excerpt,
            actor=post.author,
            target=post,
        )
