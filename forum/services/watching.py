"""Per-member thread state: read position, watch levels, category watches, bookmarks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from forum.models import Category, CategoryWatch, Level, Thread, ThreadState
from forum.services.rules import _require_member


def _set_state(*, user: Any, thread: Thread, **fields: Any) -> ThreadState:
    state, created = ThreadState.objects.get_or_create(user=user, thread=thread, defaults=fields)
    if not created and fields:
        for key, value in fields.items():
            setattr(state, key, value)
        state.save(update_fields=list(fields))
    return state


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
