"""Every forum write. Permissions are checked here; views and the API only call these."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.text import slugify

from forum.models import Category, CategoryWatch, Level, Post, PostRevision, Reaction, Tag, Thread, ThreadState
from forum.rendering import Rendered, render_post
from kei_community.core import cache_tags
from kei_community.core.us import US_STATES
from kei_community.moderation import limits
from kei_community.moderation.sanctions import check_not_suspended
from kei_community.moderation.services import audit_record
from kei_community.notifications.services import notification_create_many
from kei_community.users.permissions import check_moderator

MAX_TAGS = 5
MAX_PHOTOS_PER_POST = 10
NEW_ACCOUNT_MAX_MENTIONS = 3
STATE_NAMES = {name.lower(): code for code, name in US_STATES.items()}


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def is_moderator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_moderator)


def _require_member(user: Any) -> None:
    """Every member write: signed in, active, not suspended (kei_community.moderation.sanctions)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied("Sign in to take part in the forum.")
    check_not_suspended(user)


# --- rules shared by new threads and replies ------------------------------------------------------


def _check_posting_limits(*, author: Any, rendered: Rendered, new_thread: bool) -> None:
    if is_moderator(author):
        return
    now = timezone.now()
    per_minute = int(_setting("FORUM_POSTS_PER_MINUTE", 6))
    recent = Post.objects.filter(author=author, created_at__gte=now - timedelta(minutes=1)).count()
    if recent >= per_minute:
        raise ValidationError("You are posting very quickly. Please wait a minute and try again.", code="rate")
    start_of_day = limits.start_of_day()
    if limits.is_new_account(author):
        today = Post.objects.filter(author=author, created_at__gte=start_of_day)
        limits.check_new_account_cap(user=author, action="post", count_today=today.count())
        if new_thread:
            threads_today = Thread.objects.filter(author=author, created_at__gte=start_of_day).count()
            limits.check_new_account_cap(user=author, action="thread", count_today=threads_today)
        if rendered.links:
            limits.check_new_account_cap(user=author, action="link", count_today=rendered.links - 1)
        if rendered.images:
            limits.check_new_account_cap(user=author, action="image", count_today=rendered.images - 1)
        if len(rendered.mentioned) > NEW_ACCOUNT_MAX_MENTIONS:
            raise ValidationError(
                f"New accounts can mention up to {NEW_ACCOUNT_MAX_MENTIONS} members in one post.", code="mentions"
            )


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something first."]})
    if len(body) > 20_000:
        raise ValidationError({"body": ["Keep a post under 20,000 characters."]})
    return body


def resolve_tags(raw: str | list[str] | None) -> list[Tag]:
    """Free text tags; a US state code or name becomes a state tag. Creates missing tags."""
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    names: list[str] = []
    for item in items:
        name = " ".join(str(item).split())[:40]
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": [f"Use at most {MAX_TAGS} tags."]})
    tags: list[Tag] = []
    for name in names:
        code = name.upper() if name.upper() in US_STATES else STATE_NAMES.get(name.lower(), "")
        if code:
            tag, _ = Tag.objects.get_or_create(
                slug=f"state-{code.lower()}",
                defaults={"name": US_STATES[code], "kind": Tag.Kind.STATE, "state_code": code},
            )
        else:
            slug = slugify(name)[:50]
            if not slug:
                raise ValidationError({"tags": [f"“{name}” is not a usable tag; use letters or digits."]})
            tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        tags.append(tag)
    return tags


def _model_tag(truck: Any) -> Tag | None:
    code = truck.chassis_code.code if truck and truck.chassis_code_id else ""
    if not code:
        return None
    tag, _ = Tag.objects.get_or_create(slug=slugify(code)[:50], defaults={"name": code, "kind": Tag.Kind.MODEL})
    return tag


def _set_tags(thread: Thread, tags: list[Tag]) -> None:
    thread.tags.set(tags)
    thread.tag_cache = [
        {"name": t.name, "slug": t.slug, "kind": t.kind, "state_code": t.state_code}
        for t in sorted(tags, key=lambda t: t.name.lower())
    ]
    Thread.objects.filter(pk=thread.pk).update(tag_cache=thread.tag_cache)


def _update_search(post: Post, *, title: str = "") -> None:
    if connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector
    from django.db.models import Value

    vector: Any = SearchVector("body_text", config="english", weight="B")
    if title:
        vector = SearchVector(Value(title), config="english", weight="A") + vector
    Post.objects.filter(pk=post.pk).update(search_vector=vector)


def _attach_photo(*, author: Any, post: Post, photo: Any) -> None:
    if photo is None:
        return
    from kei_community.media.services import photo_add

    photo_add(uploader=author, owner=post, upload=photo, max_photos=MAX_PHOTOS_PER_POST)
    Post.objects.filter(pk=post.pk).update(has_photos=True)
    post.has_photos = True


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
    categories_pks = Category.objects.values_list("pk", flat=True)
    cache_tags.invalidate(cache_tags.FORUM_CATEGORIES, *(cache_tags.category(pk) for pk in categories_pks))
    return {"threads": threads, "categories": categories}


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


def _set_state(*, user: Any, thread: Thread, **fields: Any) -> ThreadState:
    state, created = ThreadState.objects.get_or_create(user=user, thread=thread, defaults=fields)
    if not created and fields:
        for key, value in fields.items():
            setattr(state, key, value)
        state.save(update_fields=list(fields))
    return state


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


def _users(ids: list[int]) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=ids or [])


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


# --- member state: reactions, reading, watching, bookmarks -----------------------------------------


def _reaction_title(name: str, kind: str, thread_title: str) -> str:
    """The author's notification of a reaction, as a sentence: "Dale's Farm liked your post in “Idle speed”"."""
    verbs: dict[str, str] = {
        Reaction.Kind.LIKE.value: f"{name} liked your post",
        Reaction.Kind.HELPFUL.value: f"{name} found your post helpful",
        Reaction.Kind.THANKS.value: f"{name} thanked you for your post",
    }
    verb = verbs.get(kind, f"{name} reacted to your post")
    return f"{verb} in “{thread_title}”"[:200]


@transaction.atomic
def reaction_toggle(*, user: Any, post: Post, kind: str) -> bool:
    """Add the reaction, or take it back if it is there. Returns True when it is now on."""
    _require_member(user)
    if kind not in Reaction.Kind.values:
        raise ValidationError({"kind": [f"Use one of: {', '.join(Reaction.Kind.values)}."]})
    if not post.is_visible:
        raise ValidationError("You cannot react to this post.")
    if post.author_id == user.pk:
        raise ValidationError("You cannot react to your own post.")
    existing = Reaction.objects.filter(post=post, user=user, kind=kind)
    if existing.exists():
        existing.delete()
        on = False
    else:
        Reaction.objects.create(post=post, user=user, kind=kind)
        on = True
    counts = dict(Reaction.objects.filter(post=post).values_list("kind").annotate(n=Count("id")).order_by())
    Post.objects.filter(pk=post.pk).update(reaction_counts=counts)
    post.reaction_counts = counts
    if on and not silenced_ids(thread=post.thread, user_ids={post.author_id}):
        notification_create_many(
            recipients=[post.author],
            kind="post_reaction",
            title=_reaction_title(user.public_name, kind, post.thread.title),
            url=post.get_absolute_url(),
            actor=user,
            target=post,
        )
    _changed(post.thread, lists=False)  # that thread's pages only
    return on


def thread_mark_read(*, user: Any, thread: Thread, position: int, state: ThreadState | None = None) -> None:
    """Remember how far a member read. One write at most; nothing for anonymous readers."""
    if not getattr(user, "is_authenticated", False):
        return
    now = timezone.now()
    if state is None:
        ThreadState.objects.bulk_create(
            [ThreadState(user=user, thread=thread, last_read_at=now, last_read_position=position)],
            ignore_conflicts=True,
        )
        return
    if position > state.last_read_position or (
        thread.last_post_at and (state.last_read_at is None or state.last_read_at < thread.last_post_at)
    ):
        ThreadState.objects.filter(pk=state.pk).update(
            last_read_at=now, last_read_position=max(position, state.last_read_position)
        )


def thread_set_level(*, user: Any, thread: Thread, level: str) -> ThreadState:
    _require_member(user)
    if level not in Level.values:
        raise ValidationError({"level": [f"Use one of: {', '.join(Level.values)}."]})
    return _set_state(user=user, thread=thread, level=level)


def category_set_level(*, user: Any, category: Category, level: str | None) -> CategoryWatch | None:
    _require_member(user)
    if not level:
        CategoryWatch.objects.filter(user=user, category=category).delete()
        return None
    if level not in Level.values:
        raise ValidationError({"level": [f"Use one of: {', '.join(Level.values)}."]})
    watch, _ = CategoryWatch.objects.update_or_create(user=user, category=category, defaults={"level": level})
    return watch


def bookmark_toggle(*, user: Any, thread: Thread) -> bool:
    _require_member(user)
    state = ThreadState.objects.filter(user=user, thread=thread).first()
    on = state is None or state.bookmarked_at is None
    _set_state(user=user, thread=thread, bookmarked_at=timezone.now() if on else None)
    return on
