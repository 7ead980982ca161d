"""Moderator actions on threads: pin, lock, move, merge, split, mark solved."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from forum.models import Category, Post, Thread, ThreadState
from forum.services.counters import _changed, category_recount, thread_recount
from forum.services.rules import _require_member, _update_search, is_moderator
from kei_community.moderation.services import audit_record
from kei_community.users.permissions import check_moderator

# --- moderator verbs (each one small, each one audited) --------------------------------------------


@transaction.atomic
def thread_pin(*, actor: Any, thread: Thread, pinned: bool = True) -> Thread:
    check_moderator(actor)
    before = {"is_pinned": thread.is_pinned}
    thread.is_pinned = pinned
    thread.save(update_fields=["is_pinned"])
    audit_record(actor=actor, action="forum_thread_pin" if pinned else "forum_thread_unpin", target=thread,
                 before=before, after={"is_pinned": pinned})  # fmt: skip
    _changed(thread)
    return thread


@transaction.atomic
def thread_lock(*, actor: Any, thread: Thread, locked: bool = True) -> Thread:
    check_moderator(actor)
    before = {"is_locked": thread.is_locked}
    thread.is_locked = locked
    thread.save(update_fields=["is_locked"])
    audit_record(actor=actor, action="forum_thread_lock" if locked else "forum_thread_unlock", target=thread,
                 before=before, after={"is_locked": locked})  # fmt: skip
    _changed(thread)
    return thread


@transaction.atomic
def thread_move(*, actor: Any, thread: Thread, category: Category, note: str = "") -> Thread:
    check_moderator(actor)
    if category.pk == thread.category_id:
        return thread
    old = thread.category
    thread.category = category
    thread.save(update_fields=["category"])
    category_recount(old)
    category_recount(category)
    audit_record(actor=actor, action="forum_thread_move", target=thread,
                 before={"category": old.slug}, after={"category": category.slug}, note=note)  # fmt: skip
    _changed(thread, also=(old.pk,))
    return thread


@transaction.atomic
def thread_merge(*, actor: Any, source: Thread, target: Thread, note: str = "") -> Thread:
    """Move every post of `source` to the end of `target` (in order); `source` disappears."""
    check_moderator(actor)
    if source.pk == target.pk:
        raise ValidationError("Pick a different thread to merge into.")
    target = Thread.objects.select_for_update().get(pk=target.pk)
    offset = target.last_position
    # Renumber in two steps so the (thread, position) constraint never collides.
    posts = list(Post.objects.filter(thread=source).order_by("position"))
    for index, post in enumerate(posts, start=1):
        Post.objects.filter(pk=post.pk).update(thread=target, position=offset + index)
    ThreadState.objects.filter(thread=source).delete()
    source_category = source.category
    source_title, source_id = source.title, source.pk
    Category.objects.filter(last_thread=source).update(last_thread=None)
    source.delete()
    thread_recount(target)
    category_recount(source_category)
    category_recount(target.category)
    audit_record(actor=actor, action="forum_thread_merge", target=target,
                 before={"thread": source_id, "title": source_title}, after={"thread": target.pk}, note=note)  # fmt: skip
    _changed(target, also=(source_category.pk,), threads=(source_id,))
    return target


@transaction.atomic
def thread_split(
    *, actor: Any, thread: Thread, posts: list[Post], title: str, category: Category | None = None
) -> Thread:
    """Move some replies (in order) into a new thread; the old thread keeps its numbering."""
    check_moderator(actor)
    moved = sorted(
        {p.pk: p for p in posts if p.thread_id == thread.pk and p.position > 1}.values(), key=lambda p: p.position
    )
    if not moved:
        raise ValidationError("Pick at least one reply of this thread (the first post cannot be split off).")
    category = category or thread.category
    new = Thread(category=category, title=" ".join((title or "").split()), author=moved[0].author)
    new.slug = slugify(new.title)[:80] or "thread"
    new.full_clean(exclude=["slug", "solved_post"])
    new.save()
    for index, post in enumerate(moved, start=1):
        Post.objects.filter(pk=post.pk).update(thread=new, position=index)
    first = Post.objects.get(thread=new, position=1)
    _update_search(first, title=new.title)
    if thread.solved_post_id in {p.pk for p in moved}:
        Thread.objects.filter(pk=thread.pk).update(solved_post=None)
    thread_recount(thread)
    thread_recount(new)
    category_recount(thread.category)
    if category.pk != thread.category_id:
        category_recount(category)
    audit_record(actor=actor, action="forum_thread_split", target=new,
                 before={"thread": thread.pk, "positions": [p.position for p in moved]},
                 after={"thread": new.pk})  # fmt: skip
    _changed(thread, also=(category.pk,), threads=(new.pk,))
    return new


@transaction.atomic
def thread_mark_solved(*, actor: Any, thread: Thread, post: Post | None) -> Thread:
    """The thread's author (or a moderator) marks the reply that answered it; None clears it."""
    _require_member(actor)
    if thread.author_id != actor.pk and not is_moderator(actor):
        raise PermissionDenied("Only the thread's author or a moderator can mark the answer.")
    if not thread.category.allows_solved:
        raise ValidationError("Only help categories have solved answers.")
    if post is not None and (post.thread_id != thread.pk or post.position == 1 or not post.is_visible):
        raise ValidationError("Pick a visible reply in this thread.")
    thread.solved_post = post
    thread.save(update_fields=["solved_post"])
    _changed(thread)
    return thread
