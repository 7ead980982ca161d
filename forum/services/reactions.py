"""Reactions on posts and the notification they send."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from forum.models import Post, Reaction
from forum.services.counters import _changed
from forum.services.notify import silenced_ids
from forum.services.rules import _require_member
from kei_community.notifications.services import notification_create_many

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
