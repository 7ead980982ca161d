"""Replies, edits, photos, deletion and restore, approval and hiding of posts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from forum.models import Level, Post, PostRevision, Thread, ThreadState
from forum.rendering import render_post
from forum.services.counters import _changed, _count_new_post, category_recount, thread_recount
from forum.services.notify import _notify
from forum.services.rules import (
    MAX_PHOTOS_PER_POST,
    _attach_photo,
    _check_posting_limits,
    _clean_body,
    _require_member,
    _update_search,
    _users,
    is_moderator,
)
from kei_community.moderation import limits
from kei_community.moderation.services import audit_record
from kei_community.users.permissions import check_moderator


def check_can_reply(*, user: Any, thread: Thread) -> None:
    _require_member(user)
    if thread.is_hidden and not is_moderator(user):
        raise PermissionDenied("This thread is not open for replies.")
    if thread.is_locked and not is_moderator(user):
        raise PermissionDenied("This thread is locked; replies are closed.")


@transaction.atomic
def post_create(*, author: Any, thread: Thread, body: str, photo: Any = None) -> Post:
    """Reply to a thread: numbered in place, counters bumped, watchers and mentions notified."""
    thread = Thread.objects.select_for_update().select_related("category").get(pk=thread.pk)
    check_can_reply(user=author, thread=thread)
    body = _clean_body(body)
    rendered = render_post(body)
    _check_posting_limits(author=author, rendered=rendered, new_thread=False)
    held = limits.held_for_review(user=author, has_prior_content=Post.objects.filter(author=author).exists())
    position = thread.last_position + 1
    post = Post(
        thread=thread,
        position=position,
        author=author,
        body_markdown=body,
        body_html=rendered.html,
        body_text=rendered.text,
        is_held=held,
        mentioned_ids=[u.pk for u in rendered.mentioned],
    )
    post.full_clean(validate_constraints=False)
    post.save()
    _update_search(post)
    Thread.objects.filter(pk=thread.pk).update(last_position=position)
    if not held:
        _count_new_post(thread=thread, post=post)
    state = ThreadState.objects.filter(user=author, thread=thread).first()
    if state is None:
        ThreadState.objects.create(
            user=author, thread=thread, level=Level.TRACK, last_read_at=post.created_at, last_read_position=position
        )
    else:
        ThreadState.objects.filter(pk=state.pk).update(last_read_at=post.created_at, last_read_position=position)
    _attach_photo(author=author, post=post, photo=photo)
    _notify(post=post, thread=thread, mentioned=rendered.mentioned, is_reply=True)
    _changed(thread)
    return post


def check_can_edit(*, user: Any, post: Post) -> None:
    _require_member(user)
    if is_moderator(user):
        return
    if post.author_id != user.pk:
        raise PermissionDenied("You can only edit your own posts.")
    if post.is_deleted:
        raise PermissionDenied("A deleted post cannot be edited.")
    if post.thread.is_locked:
        raise PermissionDenied("This thread is locked; posts can no longer be edited.")


@transaction.atomic
def post_edit(*, actor: Any, post: Post, body: str, reason: str = "") -> Post:
    """Edit a post; the old text is kept in its history. Moderators editing others give a reason."""
    check_can_edit(user=actor, post=post)
    body = _clean_body(body)
    reason = (reason or "").strip()[:200]
    by_moderator = post.author_id != actor.pk
    if by_moderator and not reason:
        raise ValidationError({"reason": ["Say why you are editing another member's post."]})
    if body == post.body_markdown:
        return post
    rendered = render_post(body)
    PostRevision.objects.create(post=post, editor=actor, body_markdown=post.body_markdown, reason=reason)
    before = {"body": post.body_markdown}
    new_mentions = [u for u in rendered.mentioned if u.pk not in set(post.mentioned_ids or [])]
    post.body_markdown = body
    post.body_html = rendered.html
    post.body_text = rendered.text
    post.edited_at = timezone.now()
    post.edit_count = F("edit_count") + 1
    post.mentioned_ids = sorted(set(post.mentioned_ids or []) | {u.pk for u in rendered.mentioned})
    post.save(update_fields=["body_markdown", "body_html", "body_text", "edited_at", "edit_count", "mentioned_ids"])
    post.refresh_from_db(fields=["edit_count"])
    _update_search(post, title=post.thread.title if post.position == 1 else "")
    if by_moderator:
        audit_record(
            actor=actor, action="forum_post_edit", target=post, before=before, after={"body": body}, note=reason
        )
    if new_mentions:
        _notify(post=post, thread=post.thread, mentioned=new_mentions, is_reply=False)
    _changed(post.thread, lists=False)
    return post


@transaction.atomic
def post_add_photo(*, actor: Any, post: Post, upload: Any) -> Any:
    """Attach a photo to a post the actor may edit (the shared pipeline validates and processes it)."""
    check_can_edit(user=actor, post=post)
    from kei_community.media.services import photo_add

    photo = photo_add(uploader=actor, owner=post, upload=upload, max_photos=MAX_PHOTOS_PER_POST)
    Post.objects.filter(pk=post.pk).update(has_photos=True)
    post.has_photos = True
    _changed(post.thread, lists=False)
    return photo


@transaction.atomic
def post_delete(*, actor: Any, post: Post, reason: str = "") -> Post:
    """Soft delete: the post keeps its place (pagination is stable) and can be restored."""
    _require_member(actor)
    moderator = is_moderator(actor)
    if post.author_id != actor.pk and not moderator:
        raise PermissionDenied("You can only delete your own posts.")
    if post.is_deleted:
        return post
    if post.thread.is_locked and not moderator:
        raise PermissionDenied("This thread is locked.")
    post.is_deleted = True
    post.deleted_at = timezone.now()
    post.deleted_by = actor
    post.save(update_fields=["is_deleted", "deleted_at", "deleted_by"])
    thread = post.thread
    if post.position == 1 and not thread.is_hidden:
        thread.is_hidden = True
        thread.save(update_fields=["is_hidden"])
    if thread.solved_post_id == post.pk:
        thread.solved_post = None
        thread.save(update_fields=["solved_post"])
    thread_recount(thread)
    category_recount(thread.category)
    if moderator and post.author_id != actor.pk:
        audit_record(actor=actor, action="forum_post_delete", target=post, note=reason)
    _changed(thread)
    return post


@transaction.atomic
def post_restore(*, actor: Any, post: Post, note: str = "") -> Post:
    check_moderator(actor)
    if not post.is_deleted:
        return post
    post.is_deleted = False
    post.deleted_at = None
    post.deleted_by = None
    post.save(update_fields=["is_deleted", "deleted_at", "deleted_by"])
    thread = post.thread
    if post.position == 1 and thread.is_hidden:
        thread.is_hidden = False
        thread.save(update_fields=["is_hidden"])
    thread_recount(thread)
    category_recount(thread.category)
    audit_record(actor=actor, action="forum_post_restore", target=post, note=note)
    _changed(thread)
    return post


@transaction.atomic
def post_approve(*, actor: Any, post: Post) -> Post:
    """A moderator releases a held post (and its thread if it was the first post)."""
    check_moderator(actor)
    if not post.is_held:
        return post
    post.is_held = False
    post.save(update_fields=["is_held"])
    thread = post.thread
    if post.position == 1 and thread.is_hidden:
        thread.is_hidden = False
        thread.save(update_fields=["is_hidden"])
    thread_recount(thread)
    category_recount(thread.category)
    audit_record(actor=actor, action="forum_post_approve", target=post)
    post.refresh_from_db()
    _notify(
        post=post,
        thread=thread,
        mentioned=list(_users(post.mentioned_ids)),
        is_reply=post.position > 1,
        new_thread=post.position == 1,
    )
    _changed(thread)
    return post


def post_hide(post: Post) -> None:
    """Reports from REPORTS_TO_HIDE members hide a post until a moderator reviews it."""
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(is_hidden=True)
        post.is_hidden = True
        thread_recount(post.thread)
        category_recount(post.thread.category)
        _changed(post.thread)


def post_photos_changed(post: Post) -> None:
    """A moderator removed or restored one of the post's photos (kei_community.moderation)."""
    _changed(post.thread, lists=False)


def post_unhide(post: Post) -> None:
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(is_hidden=False)
        post.is_hidden = False
        thread_recount(post.thread)
        category_recount(post.thread.category)
        _changed(post.thread)
