"""Forum rules shared by every write: membership, posting limits, bodies, tags, search vectors, photos."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from forum.models import Post, Tag, Thread
from forum.rendering import Rendered
from kei_community.core.us import US_STATES
from kei_community.moderation import limits
from kei_community.moderation.sanctions import check_not_suspended

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


def _users(ids: list[int]) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=ids or [])
