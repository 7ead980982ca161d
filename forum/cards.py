"""Post cards built in Python: the thread page's hot loop.

A thread page shows up to POSTS_PER_PAGE posts, each with a handful of viewer-dependent controls.
Rendering them through a template include costs ~5 ms a post (url reversals, nested contexts);
this module builds the same markup with plain string joins around the stored, already sanitised
`body_html`. Everything member-written that is not `body_html` goes through `escape`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from forum.models import Post, Reaction, Thread


@dataclass
class Viewer:
    """What the card needs to know about the reader (computed once per page)."""

    user_id: int | None
    moderator: bool
    can_reply: bool
    can_solve: bool
    csrf_input: str
    report_prefix: str  # "/moderation/report/<ct>/" or ""
    return_to: str
    return_to_escaped: str = ""

    def __post_init__(self) -> None:
        self.return_to_escaped = str(escape(self.return_to))


_MARK = "987654321"


@lru_cache(maxsize=32)
def _pattern(name: str) -> str:
    return reverse(name, args=[int(_MARK)])


def _url(name: str, pk: int) -> str:
    """reverse() once per URL name, then a string replace per post (reverse costs ~0.2 ms a call)."""
    return _pattern(name).replace(_MARK, str(pk))


_ACTIONS = {"": "forum:post", "react": "forum:post-react", "history": "forum:post-history",
            "solve": "forum:post-solve", "edit": "forum:post-edit", "delete": "forum:post-delete",
            "restore": "forum:post-restore", "approve": "forum:post-approve"}  # fmt: skip


def _post_url(pk: int, action: str = "") -> str:
    return _url(_ACTIONS[action], pk)


def _when(moment: Any) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{local:%b} {local.day}, {local:%Y %H:%M}"


def reactions_html(post: Post, viewer: Viewer, mine: set[tuple[int, str]]) -> str:
    return _reactions(post.pk, post.author_id, post.reaction_counts or {}, viewer, mine)


def _reactions(pk: int, author_id: int, counts: dict, viewer: Viewer, mine: set[tuple[int, str]]) -> str:
    can_react = viewer.user_id is not None and viewer.user_id != author_id
    parts = [f'<div class="d-flex flex-wrap gap-1 align-items-center" id="reactions-{pk}">']
    action = _post_url(pk, "react")
    for kind, label in _KINDS:
        count = counts.get(kind, 0)
        if can_react:
            on = (pk, kind) in mine
            parts.append(
                f'<form method="post" action="{action}" hx-post="{action}" hx-target="#reactions-{pk}" '
                f'hx-swap="outerHTML">{viewer.csrf_input}<input type="hidden" name="kind" value="{kind}">'
                f'<button type="submit" class="btn btn-sm {"btn-success" if on else "btn-outline-secondary"}" '
                f'aria-pressed="{"true" if on else "false"}">{label} <span class="badge text-bg-light">{count}</span>'
                "</button></form>"
            )
        elif count:
            parts.append(f'<span class="badge text-bg-light border">{label} {count}</span>')
    parts.append("</div>")
    return "".join(parts)


_KINDS = [(str(kind), str(label)) for kind, label in Reaction.Kind.choices]


def _photos_html(post: Post) -> str:
    if not post.has_photos:
        return ""
    from kei_community.media.templatetags.photos import photo_picture

    out = []
    for photo in post.photos.all():
        picture = photo_picture(
            photo, sizes="(min-width: 992px) 60vw, 100vw", alt=photo.alt or "Photo in the post",
            css_class="img-fluid rounded",
        )  # fmt: skip
        out.append(f'<figure class="mt-2 mb-0">{picture}</figure>')
    return "".join(out)


@dataclass
class CardParts:
    """A post card's viewer-independent pieces (cached per page under the forum version).

    Only the "New" badge, whether the body shows (moderators, a held post's author) and the
    footer (reaction forms, edit/delete/report controls) depend on the reader; they are spliced
    in per request by `card_html`.
    """

    pk: int
    position: int
    author_id: int
    created_at: Any
    is_visible: bool
    is_deleted: bool
    is_held: bool
    reaction_counts: dict
    head: str  # <article> … author · time (the "New" badge goes right after)
    head_tail: str  # Answer / edited badges, "#n", notices; ends inside the card body
    body: str  # the stored HTML and photos (shown when visible, or to those allowed)


def post_parts(post: Post, *, thread: Thread) -> CardParts:
    pk = post.pk
    solved = thread.solved_post_id == pk
    author = post.author
    created = post.created_at
    head = (
        f'<article class="card mb-3{" border-success" if solved else ""}" id="post-{pk}" '
        f'aria-labelledby="post-{pk}-by">'
        '<div class="card-header bg-white d-flex flex-wrap justify-content-between gap-2 small">'
        f'<span id="post-{pk}-by"><a class="fw-semibold" href="{_url("users:profile", author.pk)}">'
        f"{escape(author.public_name)}</a> · "
        f'<a href="{_post_url(pk)}" title="Link to this post"><time datetime="{created.isoformat()}">'
        f"{_when(created)}</time></a>"
    )
    tail = []
    if solved:
        tail.append(' <span class="badge text-bg-success">Answer</span>')
    if post.edit_count:
        tail.append(f' · <a href="{_post_url(pk, "history")}">edited</a>')
    tail.append(f'</span><span class="text-body-secondary">#{post.position}</span></div><div class="card-body">')
    if post.is_deleted:
        tail.append('<p class="text-body-secondary fst-italic">This post was deleted.</p>')
    if post.is_hidden:
        tail.append(
            '<p class="text-body-secondary fst-italic">This post is hidden while moderators review reports about it.</p>'
        )
    if post.is_held:
        tail.append('<p class="text-body-secondary fst-italic">This post is waiting for a moderator\'s approval.</p>')
    dim = "" if post.is_visible else " opacity-75"
    return CardParts(
        pk=pk,
        position=post.position,
        author_id=post.author_id,
        created_at=created,
        is_visible=post.is_visible,
        is_deleted=post.is_deleted,
        is_held=post.is_held,
        reaction_counts=dict(post.reaction_counts or {}),
        head=head,
        head_tail="".join(tail),
        body=f'<div class="prose{dim}">{post.body_html}</div>{_photos_html(post)}',
    )


_NEW = ' <span class="badge text-bg-primary">New</span>'
_FOOTER = '<div class="card-footer bg-white d-flex flex-wrap gap-2 align-items-center justify-content-between">'


def card_html(p: CardParts, *, thread: Thread, viewer: Viewer, mine: set[tuple[int, str]], is_new: bool) -> str:
    pk = p.pk
    show_body = p.is_visible or viewer.moderator or (p.is_held and p.author_id == viewer.user_id)
    footer = ""
    if p.is_visible or viewer.moderator:
        controls = []
        if viewer.user_id is not None:
            csrf = viewer.csrf_input
            if viewer.can_reply and p.is_visible:
                controls.append(
                    f'<a class="btn btn-sm btn-outline-secondary" href="{_url("forum:reply", thread.pk)}?quote={pk}">Quote</a>'
                )
            if viewer.can_solve and p.position > 1 and p.is_visible:
                if thread.solved_post_id == pk:
                    inner = '<input type="hidden" name="clear" value="1"><button class="btn btn-sm btn-outline-success" type="submit">Unmark answer</button>'
                else:
                    inner = '<button class="btn btn-sm btn-outline-success" type="submit">Mark as answer</button>'
                controls.append(f'<form method="post" action="{_post_url(pk, "solve")}">{csrf}{inner}</form>')
            mine_post = p.author_id == viewer.user_id
            can_edit = viewer.moderator or (mine_post and not thread.is_locked)
            if can_edit and not p.is_deleted:
                controls.append(f'<a class="btn btn-sm btn-outline-secondary" href="{_post_url(pk, "edit")}">Edit</a>')
                controls.append(
                    f'<form method="post" action="{_post_url(pk, "delete")}">{csrf}'
                    '<button class="btn btn-sm btn-outline-danger" type="submit">Delete</button></form>'
                )
            if viewer.moderator and p.is_deleted:
                controls.append(
                    f'<form method="post" action="{_post_url(pk, "restore")}">{csrf}'
                    '<button class="btn btn-sm btn-outline-primary" type="submit">Restore</button></form>'
                )
            if viewer.moderator and p.is_held:
                controls.append(
                    f'<form method="post" action="{_post_url(pk, "approve")}">{csrf}'
                    '<button class="btn btn-sm btn-outline-primary" type="submit">Approve</button></form>'
                )
            if p.is_visible and not mine_post and viewer.report_prefix:
                controls.append(
                    f'<a class="btn btn-sm btn-link text-body-secondary" href="{viewer.report_prefix}{pk}/?next='
                    f'{viewer.return_to_escaped}%23post-{pk}">Report<span class="visually-hidden"> post #{p.position}'
                    "</span></a>"
                )
        controls_html = (
            f'<div class="d-flex flex-wrap gap-1 align-items-center">{"".join(controls)}</div>' if controls else ""
        )
        footer = f"{_FOOTER}{_reactions(pk, p.author_id, p.reaction_counts, viewer, mine)}{controls_html}</div>"
    return "".join(
        (p.head, _NEW if is_new else "", p.head_tail, p.body if show_body else "", "</div>", footer, "</article>")
    )


def post_card(post: Post, *, thread: Thread, viewer: Viewer, mine: set[tuple[int, str]]) -> str:
    return card_html(
        post_parts(post, thread=thread),
        thread=thread,
        viewer=viewer,
        mine=mine,
        is_new=bool(getattr(post, "is_new", False)),
    )


# --- thread list rows (category page) ---------------------------------------------------------------


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
                local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
                return f"{local:%b} {local.day}, {local:%Y}"
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"


def unread_badges(thread: Thread) -> str:
    out = ""
    if getattr(thread, "unread", False):
        out = '<span class="badge text-bg-primary">New</span> '
    count = getattr(thread, "unread_count", None)
    if count:
        out += (
            f'<span class="badge rounded-pill text-bg-info">{count}<span class="visually-hidden"> unread '
            f"post{'' if count == 1 else 's'}</span></span> "
        )
    return out


def thread_row(t: Thread, *, search_url: str, now: Any) -> str:
    """One <li> of a category's thread list (same markup the template used to build)."""
    return thread_row_join(thread_row_parts(t, search_url=search_url), t, now=now)


def thread_row_parts(t: Thread, *, search_url: str) -> tuple[str, str, str]:
    """A row's reader- and time-independent markup: before the unread badges, between them and
    the "ago", and after it (cached with the category page data)."""
    badges = []
    if t.is_pinned:
        badges.append('<span class="badge text-bg-warning">Pinned</span> ')
    if t.is_locked:
        badges.append('<span class="badge text-bg-secondary">Locked</span> ')
    if t.solved_post_id:
        badges.append('<span class="badge text-bg-success">Solved</span> ')
    tags = "".join(
        f'<a class="badge rounded-pill text-bg-light border text-decoration-none" '
        f'href="{search_url}?tag={escape(tag["slug"])}">{escape(tag["name"])}</a> '
        for tag in t.tag_list
    )
    local = timezone.localtime(t.created_at) if timezone.is_aware(t.created_at) else t.created_at
    replies = t.reply_count
    poster = f" · {escape(t.last_poster.public_name)}" if t.last_poster_id and t.last_poster else ""
    return (
        '<li class="list-group-item d-flex justify-content-between align-items-start gap-3">\n    <div>\n      '
        + "".join(badges),
        f'\n      <a class="fw-semibold" href="{t.get_absolute_url()}">{escape(t.title)}</a>\n      '
        f'{tags}\n      <div class="small text-body-secondary">by {escape(t.author.public_name)} · '
        f"{local:%b} {local.day}, {local:%Y}{' · build thread' if t.truck_id else ''}</div>\n    </div>\n    "
        f'<div class="text-end small text-nowrap">{replies} repl{"y" if replies == 1 else "ies"}<br>'
        '<span class="text-body-secondary">',
        f"{poster}</span></div>\n  </li>",
    )


def thread_row_join(parts: tuple[str, str, str], t: Thread, *, now: Any) -> str:
    """A cached row with the reader's unread badges and the current "ago" put in."""
    return "".join((parts[0], unread_badges(t), parts[1], ago(t.last_post_at, now), parts[2]))


# --- forum index rows -------------------------------------------------------------------------------

_LEVEL_BADGES = {"watch": "Watching", "track": "Tracking"}


def category_row_parts(c: Any) -> tuple[str, str, str]:
    """A forum index category row without the reader's badges and the "ago" (cached)."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils.text import Truncator

    qa = ' <span class="badge text-bg-light border">Q&amp;A</span>' if c.allows_solved else ""
    head = f'<tr>\n      <td><a class="fw-semibold" href="{c.get_absolute_url()}">{escape(c.name)}</a>{qa}'
    middle = (
        f'<br><span class="small text-body-secondary">{escape(c.description)}</span></td>\n'
        f'      <td class="text-end">{intcomma(c.thread_count)}</td>\n'
        f'      <td class="text-end">{intcomma(c.post_count)}</td>\n      <td class="small">'
    )
    last = c.last_thread
    if last is None:
        return head, middle + '<span class="text-body-secondary">No threads yet</span></td>\n    </tr>', ""
    middle += (
        f'<a href="{last.get_absolute_url()}">{escape(Truncator(last.title).chars(60))}</a><br>'
        '<span class="text-body-secondary">'
    )
    poster = f" by {escape(last.last_poster.public_name)}" if last.last_poster else ""
    return head, middle, f"{poster}</span></td>\n    </tr>"


def category_row_join(parts: tuple[str, str, str], c: Any) -> str:
    """A cached category row with the reader's unread/level badges and the current "ago"."""
    badges = ""
    if c.unread_threads:
        n = c.unread_threads
        badges += f' <span class="badge rounded-pill text-bg-info">{n} unread thread{"" if n == 1 else "s"}</span>'
    if c.level:
        badges += f' <span class="badge text-bg-light border">{_LEVEL_BADGES.get(c.level, "Muted")}</span>'
    return "".join((parts[0], badges, parts[1], c.ago if parts[2] else "", parts[2]))


def latest_row_parts(t: Thread) -> tuple[str, str, str]:
    """A forum index "Latest" row without the reader's unread badges and the "ago" (cached)."""
    solved = '<span class="badge text-bg-success">Solved</span> ' if t.solved_post_id else ""
    replies = t.reply_count
    poster = f" · {escape(t.last_poster.public_name)}" if t.last_poster else ""
    return (
        '<li class="list-group-item d-flex justify-content-between align-items-start gap-3 forum-latest">\n'
        f"      <div>{solved}",
        f'<a class="fw-semibold" href="{t.get_absolute_url()}">{escape(t.title)}</a>\n'
        f'        <div class="small text-body-secondary">in {escape(t.category.name)}</div></div>\n'
        f'      <div class="text-end small text-nowrap">{replies} repl{"y" if replies == 1 else "ies"}<br>'
        '<span class="text-body-secondary">',
        f"{poster}</span></div>\n    </li>",
    )


def latest_row_join(parts: tuple[str, str, str], t: Thread) -> str:
    return "".join((parts[0], unread_badges(t), parts[1], t.ago, parts[2]))  # type: ignore[attr-defined]
