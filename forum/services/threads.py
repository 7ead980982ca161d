"""Starting and editing threads (title, tags)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from forum.models import Category, Level, Post, Thread
from forum.rendering import render_post
from forum.services.counters import _changed
from forum.services.notify import _notify
from forum.services.rules import (
    _attach_photo,
    _check_posting_limits,
    _clean_body,
    _model_tag,
    _require_member,
    _set_tags,
    _update_search,
    is_moderator,
    resolve_tags,
)
from forum.services.watching import _set_state
from kei_community.moderation import limits
from kei_community.moderation.services import audit_record

# --- threads and posts -----------------------------------------------------------------------------


@transaction.atomic
def thread_create(
    *,
    author: Any,
    category: Category,
    title: str,
    body: str,
    tags: str | list[str] | None = None,
    truck: Any = None,
    photo: Any = None,
) -> Thread:
    """Start a thread with its first post. A new account's first post is held for review."""
    _require_member(author)
    body = _clean_body(body)
    if truck is not None and truck.owner_id != author.pk:
        raise PermissionDenied("You can only start a build thread for a truck in your own garage.")
    rendered = render_post(body)
    _check_posting_limits(author=author, rendered=rendered, new_thread=True)
    held = limits.held_for_review(user=author, has_prior_content=Post.objects.filter(author=author).exists())
    thread = Thread(category=category, title=" ".join((title or "").split()), author=author, truck=truck)
    thread.slug = slugify(thread.title)[:80] or "thread"
    thread.is_hidden = held
    thread.full_clean(exclude=["slug", "solved_post"])
    thread.save()
    tag_list = resolve_tags(tags)
    model_tag = _model_tag(truck)
    if model_tag and model_tag not in tag_list:
        tag_list.append(model_tag)
    _set_tags(thread, tag_list)
    post = Post(
        thread=thread,
        position=1,
        author=author,
        body_markdown=body,
        body_html=rendered.html,
        body_text=rendered.text,
        is_held=held,
        mentioned_ids=[u.pk for u in rendered.mentioned],
    )
    post.full_clean()
    post.save()
    _update_search(post, title=thread.title)
    Thread.objects.filter(pk=thread.pk).update(
        last_position=1,
        post_count=0 if held else 1,
        last_post_at=post.created_at,
        last_poster=author,
    )
    thread.refresh_from_db()
    if not held:
        Category.objects.filter(pk=category.pk).update(
            thread_count=F("thread_count") + 1,
            post_count=F("post_count") + 1,
            last_post_at=post.created_at,
            last_thread=thread,
        )
    _set_state(user=author, thread=thread, level=Level.WATCH, last_read_at=post.created_at, last_read_position=1)
    _attach_photo(author=author, post=post, photo=photo)
    _notify(post=post, thread=thread, mentioned=rendered.mentioned, is_reply=False, new_thread=True)
    _changed(thread)
    return thread


@transaction.atomic
def thread_update(*, actor: Any, thread: Thread, title: str | None = None, tags: Any = None) -> Thread:
    """The author or a moderator changes the title or tags."""
    _require_member(actor)
    moderator = is_moderator(actor)
    if thread.author_id != actor.pk and not moderator:
        raise PermissionDenied("Only the thread's author or a moderator can change it.")
    if thread.is_locked and not moderator:
        raise PermissionDenied("This thread is locked.")
    before = {"title": thread.title, "tags": [t["name"] for t in thread.tag_list]}
    if title is not None:
        thread.title = " ".join(title.split())
        thread.slug = slugify(thread.title)[:80] or "thread"
        thread.full_clean(exclude=["solved_post"])
        thread.save(update_fields=["title", "slug"])
        first = Post.objects.filter(thread=thread, position=1).first()
        if first:
            _update_search(first, title=thread.title)
    if tags is not None:
        tag_list = resolve_tags(tags)
        model_tag = _model_tag(thread.truck) if thread.truck_id else None
        if model_tag and model_tag not in tag_list:
            tag_list.append(model_tag)
        _set_tags(thread, tag_list)
    if moderator and thread.author_id != actor.pk:
        after = {"title": thread.title, "tags": [t["name"] for t in thread.tag_list]}
        audit_record(actor=actor, action="forum_thread_edit", target=thread, before=before, after=after)
    _changed(thread)
    return thread
