"""Denormalised forum counters (threads, categories) and the cache tags a write fires."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Max, Q

from forum.models import Category, Post, Thread
from kei_community.core import cache_tags

# --- counters --------------------------------------------------------------------------------------


def thread_recount(thread: Thread) -> None:
    visible = Post.objects.filter(thread=thread, is_deleted=False, is_hidden=False, is_held=False)
    agg = visible.aggregate(n=Count("id"))
    last = visible.order_by("-position").values("created_at", "author_id").first()
    last_position = Post.objects.filter(thread=thread).aggregate(m=Max("position"))["m"] or 0
    Thread.objects.filter(pk=thread.pk).update(
        post_count=agg["n"],
        last_position=last_position,
        last_post_at=last["created_at"] if last else thread.created_at,
        last_poster_id=last["author_id"] if last else thread.author_id,
    )
    thread.refresh_from_db(fields=["post_count", "last_position", "last_post_at", "last_poster"])


def category_recount(category: Category) -> None:
    threads = Thread.objects.filter(category=category, is_hidden=False)
    agg = threads.aggregate(
        n=Count("id", distinct=True),
        posts=Count("posts", filter=Q(posts__is_deleted=False, posts__is_hidden=False, posts__is_held=False)),
    )
    last = threads.order_by("-last_post_at", "-id").values("id", "last_post_at").first()
    Category.objects.filter(pk=category.pk).update(
        thread_count=agg["n"],
        post_count=agg["posts"],
        last_post_at=last["last_post_at"] if last else None,
        last_thread_id=last["id"] if last else None,
    )
    category.refresh_from_db(fields=["thread_count", "post_count", "last_post_at", "last_thread"])


@transaction.atomic
def counters_repair() -> dict[str, int]:
    """Recompute every denormalised counter (the nightly task and the command call this)."""
    threads = 0
    for thread in Thread.objects.all().iterator():
        thread_recount(thread)
        threads += 1
    categories = 0
    for category in Category.objects.all():
        category_recount(category)
        categories += 1
    categories_changed(list(Category.objects.values_list("pk", flat=True)))
    return {"threads": threads, "categories": categories}


def categories_changed(pks: list[int]) -> None:
    """Categories were added, renamed, reordered or deleted (the admin, the repair): fire the category list's
    tag (the index, every category and thread page name them) and each one's own."""
    cache_tags.invalidate(cache_tags.FORUM_CATEGORIES, *(cache_tags.category(pk) for pk in pks))


def _changed(thread: Thread, *, lists: bool = True, also: tuple[int, ...] = (), threads: tuple[int, ...] = ()) -> None:
    """Fire the cache tags of a forum write (now, and again on commit): the thread's pages and, when `lists`
    (anything a thread list or the index shows: posts, counts, titles, badges), its category's too. `also`:
    other categories; `threads`: other threads."""
    tags = [cache_tags.thread(thread.pk), *(cache_tags.thread(pk) for pk in threads)]
    if lists:
        tags += [cache_tags.category(thread.category_id), *(cache_tags.category(pk) for pk in also)]
    cache_tags.invalidate(*tags)


def _count_new_post(*, thread: Thread, post: Post) -> None:
    """A visible post was added: bump thread and category counters in place."""
    Thread.objects.filter(pk=thread.pk).update(
        post_count=F("post_count") + 1, last_post_at=post.created_at, last_poster=post.author
    )
    if not thread.is_hidden:
        Category.objects.filter(pk=thread.category_id).update(
            post_count=F("post_count") + 1, last_post_at=post.created_at, last_thread=thread
        )
