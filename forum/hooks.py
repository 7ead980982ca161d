"""What the forum plugs into shared registries (hooks, moderation, profile, garage, search)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from forum import selectors, services
from forum.models import Post

# --- photos ---------------------------------------------------------------------------------------------


def post_photos_can_manage(actor: Any, post: Post) -> bool:
    """A post's author manages its photos while they may edit the post (services.check_can_edit: not
    deleted, thread not locked), whoever uploaded them. Moderators come in through kei_community.media
    (audited). Registered with kei_community.media.registry."""
    if post.author_id != getattr(actor, "pk", None):
        return False
    try:
        services.check_can_edit(user=actor, post=post)
    except PermissionDenied:
        return False
    return True


# --- moderation ----------------------------------------------------------------------------------------


def post_hide(post: Post) -> None:
    services.post_hide(post)


def post_restore(post: Post) -> None:
    services.post_unhide(post)


def post_take_down(post: Post, *, actor: Any, reason: str, **_: Any) -> dict:
    """Removed by a moderator (kei_community.moderation): the forum's soft delete, counters and caches."""
    was_deleted = post.is_deleted
    services.post_delete(actor=actor, post=post, reason=reason)
    return {"was_deleted": was_deleted}


def post_put_back(post: Post, *, actor: Any, state: dict, **_: Any) -> None:
    if not state.get("was_deleted"):  # a post its author had deleted stays deleted
        services.post_restore(actor=actor, post=post)


def post_describe(post: Post) -> dict:
    return {
        "title": f"Post #{post.position} in “{post.thread.title}” by {post.author.public_name}",
        "url": post.get_absolute_url(),
        "app": "forum",
        "excerpt": Truncator(post.body_text).chars(200),
    }


def held_queue() -> list[dict]:
    return [
        {
            "app": "forum",
            "kind": "New thread" if post.position == 1 else "Reply",
            "title": f"{post.thread.title} #{post.position}",
            "url": post.get_absolute_url(),
            "created_at": post.created_at,
            "author": post.author.public_name,
        }
        for post in selectors.held_posts()[:100]
    ]


# --- pages elsewhere ----------------------------------------------------------------------------------


def home_sections(request: Any) -> dict:
    return {
        "active_threads": [
            {
                "title": t.title,
                "url": t.get_absolute_url(),
                "subtitle": f"{t.category.name} · {t.reply_count} repl{'y' if t.reply_count == 1 else 'ies'}",
            }
            for t in selectors.active_threads(6, user=getattr(request, "user", None))
        ]
    }


# Site search counts the threads of at most this many matching posts (newest first); more is "N+".
SITE_SEARCH_COUNTED_POSTS = 2000


def site_search(query: str, limit: int) -> dict:
    """Hook "site_search": the best `limit` threads of the forum search for `query`, how many threads match
    (a floor, `count_capped`, when more than SITE_SEARCH_COUNTED_POSTS posts match) and the forum search's
    link."""
    from urllib.parse import urlencode

    hits = selectors.search_posts(q=query, limit=limit)
    posts = list(
        selectors.matching_posts(query)
        .order_by("-created_at")
        .values_list("thread_id", flat=True)[:SITE_SEARCH_COUNTED_POSTS]
    )
    return {
        "label": "Forum threads",
        "noun": "thread",
        "results": [
            {"title": h.thread.title, "url": h.post.get_absolute_url(), "snippet": strip_tags(h.snippet)} for h in hits
        ],
        "count": len(set(posts)),
        "count_capped": len(posts) >= SITE_SEARCH_COUNTED_POSTS,
        "more_url": reverse("forum:search") + "?" + urlencode({"q": query}),
    }


def truck_threads(truck: Any) -> list[dict]:
    """Hook "truck_threads": the truck's visible build threads, oldest first, in one query.

    "title", "url", "subtitle" for simple lists; "kind", "date", "author", "author_url" and "replies"
    for the garage page's history timeline.
    """
    return [
        {
            "title": t.title,
            "url": t.get_absolute_url(),
            "subtitle": f"Started {t.created_at:%b %-d, %Y} by {t.author.public_name} · {t.reply_count} replies",
            "kind": "thread",
            "date": t.created_at,
            "author": t.author.public_name,
            "author_url": t.author.get_absolute_url(),
            "replies": t.reply_count,
        }
        for t in selectors.truck_threads(truck)
    ]


def profile_sections(member: Any) -> str:
    threads = list(selectors.member_recent_threads(member, 5))
    if not threads:
        return ""
    return render_to_string("forum/includes/profile_threads.html", {"threads": threads, "member": member})


def member_activity(user_ids: list[int]) -> dict[int, dict]:
    """Hook "member_activity": forum activity for member cards elsewhere (e.g. the seller card).

    {member id: {"threads": n, "posts": n, "url": their posts in forum search, "label": "Forum"}}
    in one query. "url" is the forum search filtered by the member's name (their profile page
    when they have no display name).
    """
    from urllib.parse import urlencode

    from django.urls import reverse

    search = reverse("forum:search")
    out: dict[int, dict] = {}
    for pk, row in selectors.member_activity(list(user_ids)).items():
        name = str(row["display_name"])
        url = f"{search}?{urlencode({'author': name})}" if name else reverse("users:profile", kwargs={"pk": pk})
        out[pk] = {"threads": row["threads"], "posts": row["posts"], "url": url, "label": "Forum"}
    return out


def seed_demo(stdout: Any) -> None:
    from forum.demo import seed_forum

    seed_forum(stdout)


def state_threads(state_code: str, limit: int = 5) -> list[dict]:
    """Hook "state_threads": the most recently active visible threads tagged with a US state, in one
    query ("title", "url", "subtitle"); the state guide's checklist shows them where the law is unclear."""
    return [
        {"title": t.title, "url": t.get_absolute_url(), "subtitle": f"{t.reply_count} replies"}
        for t in selectors.thread_list(state=state_code)[:limit]
    ]
