"""Post cards and thread rows: data for the forum's templates, in the shapes the cache layer stores.

Markup lives in templates (forum/templates/forum/post_card.html, post_card_body.html, post_footer.html,
post_reactions.html, post_new_badge.html, thread_row.html, thread_latest_row.html, thread_unread_badges.html,
category_row.html, category_row_badges.html). What is the same for every reader is rendered once, when a
page's data is built, with its per-reader slots cut out (core.slots) and cached as primitives with that
data (forum.views). What depends on the reader (the "New" badge, unread counts, reaction forms, edit and
moderation controls, "3 hours ago") comes from small templates rendered once per variant and filled per
post or row (core.slots.Stamp): a thread page's twenty footers cost twenty string joins, not twenty
template renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import Model
from django.template.loader import get_template

from forum.models import Category, Post, Reaction, Thread
from kei_community.core import slots, snapshots

KINDS = tuple((str(kind), str(label)) for kind, label in Reaction.Kind.choices)
COUNT_SLOTS = tuple(f"count_{kind}" for kind, _ in KINDS)
REACTIONS = slots.Stamp("forum/post_reactions.html", ("pk", "csrf_token", *COUNT_SLOTS))
FOOTER = slots.Stamp("forum/post_footer.html", ("pk", "csrf_token", "thread_pk", "position", "return_to", *COUNT_SLOTS))
NEW_BADGE = slots.Stamp("forum/post_new_badge.html", ())
UNREAD_BADGES = slots.Stamp("forum/thread_unread_badges.html", ("unread_count",))
CATEGORY_BADGES = slots.Stamp("forum/category_row_badges.html", ("unread_threads",))
_LEVEL_BADGES = {"watch": "Watching", "track": "Tracking"}


@dataclass
class Viewer:
    """What the cards need to know about the reader (computed once per page)."""

    user_id: int | None
    moderator: bool
    can_reply: bool
    can_solve: bool
    csrf_token: str
    report_ct: int | None  # the content type id of posts for "Report" links (signed in), else None
    return_to: str

    def __post_init__(self) -> None:
        self.csrf_escaped = slots.escaped(self.csrf_token)  # once a page, not once a post
        self.return_to_escaped = slots.escaped(self.return_to)


def ago(moment: Any, now: Any) -> str:
    """A cheap "3 hours ago" (the humanize filter costs ~0.2 ms a call through gettext)."""
    if moment is None:
        return ""
    seconds = int((now - moment).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            n = seconds // size
            if unit == "day" and n > 30:
                from django.utils import timezone

                local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
                return f"{local:%b} {local.day}, {local:%Y}"
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- post cards -------------------------------------------------------------------------------------


class PostPart(NamedTuple):
    """A post card as read back from the cache: what the per-reader parts need, and the markup."""

    pk: int
    position: int
    author_id: int
    created_at: datetime
    is_visible: bool
    is_deleted: bool
    is_held: bool
    reaction_counts: dict
    card: str  # post_card.html as a pattern for str.format_map (core.slots.pattern)
    body: str  # post_card_body.html


CARD_SLOTS = ("slot_new", "slot_body", "slot_footer")


def post_part(post: Post, *, thread: Thread) -> list[Any]:
    """A post card's reader-independent part, as primitives for the cache (see `post_part_from`)."""
    photos = list(post.photos.all()) if post.has_photos else []
    card = slots.render_pattern(
        "forum/post_card.html", {"post": post, "solved": thread.solved_post_id == post.pk}, CARD_SLOTS
    )
    body = get_template("forum/post_card_body.html").render({"post": post, "photos": photos})
    return [
        post.pk, post.position, post.author_id, _iso(post.created_at), post.is_visible, post.is_deleted,
        post.is_held, dict(post.reaction_counts or {}), card, body,
    ]  # fmt: skip


def post_part_from(values: list[Any]) -> PostPart:
    part = PostPart._make(values)
    return part._replace(created_at=datetime.fromisoformat(values[3]))


KIND_NAMES = tuple(kind for kind, _ in KINDS)


NO_COUNTS = dict.fromkeys(COUNT_SLOTS, "0")
NOT_GIVEN = (False,) * len(KIND_NAMES)


def _counts(reaction_counts: dict) -> dict[str, str]:
    if not reaction_counts:
        return NO_COUNTS
    return {slot: str(int(reaction_counts.get(kind, 0))) for slot, kind in zip(COUNT_SLOTS, KIND_NAMES, strict=True)}


def _reactions_key(pk: int, author_id: int, counts: dict, viewer: Viewer, mine: set[tuple[int, str]]) -> tuple:
    """What shapes a post's reactions for this reader: whether they may react, which they gave, which show."""
    can_react = viewer.user_id is not None and viewer.user_id != author_id
    given = tuple([(pk, kind) in mine for kind in KIND_NAMES]) if can_react and mine else NOT_GIVEN
    shown = tuple([bool(counts.get(kind)) for kind in KIND_NAMES]) if counts else NOT_GIVEN
    return (can_react, given, shown)


def _reactions_variant(key: tuple) -> dict[str, Any]:
    can_react, given, shown = key
    return {
        "can_react": can_react,
        "reactions": tuple(
            (kind, label, on, show, slots.Slot(f"count_{kind}"))
            for (kind, label), on, show in zip(KINDS, given, shown, strict=True)
        ),
    }


def reactions_html(post: Post, viewer: Viewer, mine: set[tuple[int, str]]) -> str:
    """A post's reactions for this reader (the htmx answer of a reaction)."""
    counts = post.reaction_counts or {}
    key = _reactions_key(post.pk, post.author_id, counts, viewer, mine)
    pattern = REACTIONS.pattern(key, lambda: _reactions_variant(key))
    return pattern.format_map({"pk": str(post.pk), "csrf_token": viewer.csrf_escaped, **_counts(counts)})


def _footer(p: PostPart, *, thread: Thread, viewer: Viewer, mine: set[tuple[int, str]]) -> str:
    reactions = _reactions_key(p.pk, p.author_id, p.reaction_counts, viewer, mine)
    quote = edit = restore = approve = False
    solve = ""
    report_ct = None
    if viewer.user_id is not None:
        quote = viewer.can_reply and p.is_visible
        if viewer.can_solve and p.position > 1 and p.is_visible:
            solve = "unmark" if thread.solved_post_id == p.pk else "mark"
        mine_post = p.author_id == viewer.user_id
        edit = (viewer.moderator or (mine_post and not thread.is_locked)) and not p.is_deleted
        restore = viewer.moderator and p.is_deleted
        approve = viewer.moderator and p.is_held
        if p.is_visible and not mine_post:
            report_ct = viewer.report_ct
    moderate_ct = viewer.report_ct if viewer.moderator else None  # remove with a reason, warn, suspend
    key = (reactions, quote, solve, edit, restore, approve, report_ct, moderate_ct)

    def variant() -> dict[str, Any]:
        return {
            **_reactions_variant(reactions), "quote": quote, "solve": solve, "edit": edit, "restore": restore,
            "approve": approve, "report_ct": report_ct, "moderate_ct": moderate_ct,
            "controls": bool(quote or solve or edit or restore or approve or report_ct or moderate_ct),
        }  # fmt: skip

    return FOOTER.pattern(key, variant).format_map(
        {
            "pk": str(p.pk),
            "csrf_token": viewer.csrf_escaped,
            "thread_pk": str(thread.pk),
            "position": str(p.position),
            "return_to": viewer.return_to_escaped,
            **_counts(p.reaction_counts),
        }  # fmt: skip
    )


def card_html(p: PostPart, *, thread: Thread, viewer: Viewer, mine: set[tuple[int, str]], is_new: bool) -> str:
    """A cached post card with this reader's parts filled in."""
    show_body = p.is_visible or viewer.moderator or (p.is_held and p.author_id == viewer.user_id)
    footer = _footer(p, thread=thread, viewer=viewer, mine=mine) if p.is_visible or viewer.moderator else ""
    values = {
        "slot_new": NEW_BADGE.fill({}, {}) if is_new else "",
        "slot_body": p.body if show_body else "",
        "slot_footer": footer,
    }
    return p.card.format_map(values)


# --- thread rows (category page, forum index) and category rows --------------------------------------

ROW_SLOTS = ("slot_badges", "slot_ago")


def thread_row_part(t: Thread, *, template: str, **context: Any) -> list[Any]:
    """A thread row's reader-independent markup and what the reader's marks need, as primitives."""
    row = slots.render_pattern(template, {"thread": t, **context}, ROW_SLOTS)
    return [t.pk, t.category_id, _iso(t.last_post_at), t.last_position, row]


def _stub(model: type[Model], fields: dict[str, Any]) -> Any:
    """An instance with only these columns, made the way unpickling makes one (no __init__: the index
    makes fifty of these a request). Only these fields may be read."""
    return snapshots.bare(model, fields)


def thread_stub(values: list[Any]) -> Thread:
    """An unsaved-looking Thread with the fields the reader's marks need (pk, category, last post)."""
    pk, category_id, last_post_at, last_position = values[:4]
    fields = {"id": pk, "category_id": category_id, "last_post_at": _when(last_post_at), "last_position": last_position}
    return _stub(Thread, fields)  # type: ignore[no-any-return]


def unread_badges(thread: Thread) -> str:
    unread = bool(getattr(thread, "unread", False))
    count = getattr(thread, "unread_count", None) or 0
    if not unread and not count:
        return ""
    variant = {"unread": unread, "has_count": bool(count), "plural": count != 1}
    return UNREAD_BADGES.fill(variant, {"unread_count": count})


def row_html(values: list[Any], *, badges: str, when: str) -> str:
    """A cached row with the reader's badges and the current "ago" put in."""
    return str(values[4]).format_map({"slot_badges": badges, "slot_ago": when})


def category_row_part(c: Category) -> list[Any]:
    row = slots.render_pattern("forum/category_row.html", {"category": c}, ROW_SLOTS)
    return [c.pk, _iso(c.last_post_at), row]


def category_stub(values: list[Any]) -> Category:
    return _stub(Category, {"id": values[0], "last_post_at": _when(values[1])})  # type: ignore[no-any-return]


def category_badges(c: Any) -> str:
    n = int(getattr(c, "unread_threads", 0) or 0)
    level = getattr(c, "level", "") or ""
    if not n and not level:
        return ""
    variant = {
        "has_unread": bool(n),
        "plural": n != 1,
        "level_label": _LEVEL_BADGES.get(level, "Muted") if level else "",
    }
    return CATEGORY_BADGES.fill(variant, {"unread_threads": n})


def category_row_html(values: list[Any], c: Any, *, when: str) -> str:
    return str(values[2]).format_map({"slot_badges": category_badges(c), "slot_ago": when})
