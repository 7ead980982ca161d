"""Every forum read. Querysets own their joins so pages cost the same with 3 rows or 3,000."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from forum.models import POSTS_PER_PAGE, Category, CategoryWatch, Level, Post, Reaction, Tag, Thread, ThreadState
from kei_community.core.db import planned_each_time

UNREAD_CUTOFF_DAYS = 30
# Post columns a page never shows (the stored HTML is what pages render).
_HEAVY_POST_FIELDS = ("body_markdown", "body_text", "search_vector", "mentioned_ids")


def unread_cutoff() -> datetime:
    return timezone.now() - timedelta(days=int(getattr(settings, "FORUM_UNREAD_CUTOFF_DAYS", UNREAD_CUTOFF_DAYS)))


def _can_moderate(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_moderator)


def category_list() -> QuerySet[Category]:
    return Category.objects.select_related("last_thread", "last_thread__last_poster").order_by("position", "name")


def category_get(slug: str) -> Category | None:
    return Category.objects.filter(slug=slug).first()


def _visible_posts() -> QuerySet[Post]:
    return Post.objects.filter(is_deleted=False, is_hidden=False, is_held=False, thread__is_hidden=False)


def search_query(q: str) -> Any:
    """The full-text query for `q` (PostgreSQL `websearch` syntax, English stemming)."""
    from django.contrib.postgres.search import SearchQuery

    return SearchQuery(q.strip()[:200], config="english", search_type="websearch")


def matching_posts(q: str, qs: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """Visible posts matching `q`: the stored tsvector (title weighted above body, GIN index) on
    PostgreSQL; a case-insensitive substring of the text or the thread title on SQLite.

    /forum/search/, site search and the API thread list (`q`) all use this one matcher.
    """
    qs = _visible_posts() if qs is None else qs
    if connection.vendor == "postgresql":
        return qs.filter(search_vector=search_query(q))
    q = q.strip()[:200]
    return qs.filter(Q(body_text__icontains=q) | Q(thread__title__icontains=q))


def thread_list(
    *,
    user: Any = None,
    category: Category | None = None,
    tag: str = "",
    state: str = "",
    truck: int | None = None,
    author: int | None = None,
    q: str = "",
    ordering: str = "activity",
) -> QuerySet[Thread]:
    """Visible threads, pinned first then by last activity (stable: id breaks ties)."""
    qs = Thread.objects.filter(is_hidden=False).select_related("author", "last_poster", "category")
    if category is not None:
        qs = qs.filter(category=category)
    if tag:
        qs = qs.filter(tags__slug=tag)
    if state:
        qs = qs.filter(tags__kind=Tag.Kind.STATE, tags__state_code=state.upper()[:2])
    if truck:
        qs = qs.filter(truck_id=truck)
    if author:
        qs = qs.filter(author_id=author)
    if q.strip():
        qs = qs.filter(pk__in=matching_posts(q).values("thread_id"))
    orderings = {
        "activity": ["-is_pinned", "-last_post_at", "-id"],
        "newest": ["-created_at", "-id"],
        "replies": ["-post_count", "-id"],
    }
    return (
        qs.order_by(*orderings.get(ordering, orderings["activity"])).distinct()
        if (tag or state)
        else qs.order_by(*orderings.get(ordering, orderings["activity"]))
    )


def thread_get(pk: int, *, user: Any = None) -> Thread | None:
    thread = thread_get_unchecked(pk)
    if thread is None or not thread_visible_to(thread, user):
        return None
    return thread


def thread_visible_to(thread: Thread, user: Any) -> bool:
    return not thread.is_hidden or _can_moderate(user) or getattr(user, "pk", None) == thread.author_id


def thread_get_unchecked(pk: int) -> Thread | None:
    """The thread with what its page shows, whoever may see it (check with `thread_visible_to`)."""
    return (
        Thread.objects.select_related(
            "category", "author", "truck", "truck__chassis_code", "solved_post", "solved_post__author"
        )
        # The page needs the answer's id and author only, not its text and search vector.
        .defer(*[f"solved_post__{f}" for f in _HEAVY_POST_FIELDS + ("body_html", "reaction_counts")])
        .filter(pk=pk)
        .first()
    )


def thread_cover_url(*, thread: Thread) -> str:
    """The picture a shared link to the thread previews with (OpenGraph, Twitter card, JSON-LD): the first
    ready photo of the opening post if it is visible, else the first ready photo of the garage truck the
    thread belongs to; "" when there is none. At most two queries, on a cache miss of the thread page."""
    from kei_community.media.selectors import photos_for

    opening = (
        Post.objects.filter(thread=thread, position=1)
        .only("id", "has_photos", "is_deleted", "is_hidden", "is_held")
        .first()
    )
    owners: list[Any] = []
    if opening is not None and opening.has_photos and opening.is_visible:
        owners.append(opening)
    if thread.truck_id:
        from kei_community.vehicles.models import GarageTruck

        owners.append(GarageTruck(pk=thread.truck_id))
    for owner in owners:
        for photo in photos_for(owner).filter(status="ready")[:3]:
            if url := photo.largest_url():
                return url
    return ""


def thread_posts_page(*, thread: Thread, page: int) -> list[Post]:
    """One page by position: no COUNT, no OFFSET, stable while posts are deleted or added.

    Photos are fetched (one query) only when a post on the page has any.
    """
    start = (page - 1) * POSTS_PER_PAGE + 1
    posts = list(
        Post.objects.filter(thread=thread, position__gte=start, position__lt=start + POSTS_PER_PAGE)
        .select_related("author")
        .defer(*_HEAVY_POST_FIELDS)
        .order_by("position")
    )
    with_photos = [p for p in posts if p.has_photos]
    if with_photos:
        prefetch_related_objects(with_photos, "photos")
    return posts


def post_get(pk: int) -> Post | None:
    return Post.objects.select_related("thread", "thread__category", "author").filter(pk=pk).first()


def posts_for_api(*, thread: Thread, user: Any = None) -> QuerySet[Post]:
    qs = Post.objects.filter(thread=thread).select_related("author").prefetch_related("photos").order_by("position")
    if not _can_moderate(user):
        qs = qs.filter(
            Q(is_deleted=False, is_hidden=False) & (Q(is_held=False) | Q(author_id=getattr(user, "pk", None)))
        )
    return qs


_STATE_SQL = (
    "SELECT id, user_id, thread_id, last_read_at, last_read_position, level, bookmarked_at "
    "FROM forum_threadstate WHERE user_id = %s AND thread_id = %s"
)


def thread_state(*, user: Any, thread: Thread) -> ThreadState | None:
    """The member's row for this thread. Raw SQL: it runs on every signed-in thread page and
    building the ORM query cost more than running it."""
    if not getattr(user, "is_authenticated", False):
        return None
    return next(iter(ThreadState.objects.raw(_STATE_SQL, [user.pk, thread.pk])), None)


def states_for(*, user: Any, threads: list[Thread]) -> dict[int, ThreadState]:
    """The member's rows for these threads. Raw SQL for the reason given in thread_state."""
    if not getattr(user, "is_authenticated", False) or not threads:
        return {}
    ids = [int(t.pk) for t in threads]
    sql = _STATE_SQL.replace(
        "thread_id = %s", "thread_id IN (" + ", ".join(["%s"] * len(ids)) + ")"
    )  # only placeholders are added to the SQL text
    return {s.thread_id: s for s in ThreadState.objects.raw(sql, [user.pk, *ids])}  # noqa: S611


def is_unread(*, thread: Thread, state: ThreadState | None) -> bool:
    """Unread if there is activity newer than both the member's last read and the cutoff."""
    if thread.last_post_at is None:
        return False
    seen = unread_cutoff()
    if state is not None and state.last_read_at and state.last_read_at > seen:
        seen = state.last_read_at
    return thread.last_post_at > seen


def first_unread_post(*, thread: Thread, state: ThreadState | None) -> Post | None:
    since = unread_cutoff()
    if state is not None and state.last_read_at and state.last_read_at > since:
        since = state.last_read_at
    return (
        Post.objects.filter(thread=thread, created_at__gt=since, is_deleted=False, is_hidden=False, is_held=False)
        .order_by("position")
        .first()
    )


def my_reactions(*, user: Any, posts: list[Any]) -> set[tuple[int, str]]:
    """(post id, kind) of the member's reactions on these posts (or card parts); no query when
    no post on the page has a reaction."""
    if not getattr(user, "is_authenticated", False):
        return set()
    reacted = [p.pk for p in posts if any((p.reaction_counts or {}).values())]
    if not reacted:  # no reactions on this page: nothing to look up
        return set()
    return set(Reaction.objects.filter(user=user, post__in=reacted).values_list("post_id", "kind"))


def bookmarks_for(*, user: Any) -> QuerySet[ThreadState]:
    return (
        ThreadState.objects.filter(user=user, bookmarked_at__isnull=False, thread__is_hidden=False)
        .select_related("thread", "thread__category", "thread__last_poster")
        .order_by("-bookmarked_at")
    )


def truck_threads(truck: Any) -> QuerySet[Thread]:
    return Thread.objects.filter(truck=truck, is_hidden=False).select_related("author").order_by("created_at")


def active_threads(limit: int = 6, *, user: Any = None) -> QuerySet[Thread]:
    """The latest active threads; for a member, without their muted categories and threads."""
    qs = Thread.objects.filter(is_hidden=False).select_related("category")
    return exclude_muted(qs, user=user).order_by("-last_post_at", "-id")[:limit]


def latest_threads(*, user: Any = None, limit: int = 10) -> QuerySet[Thread]:
    """The forum index's "Latest" list (muted categories and threads left out for a member)."""
    qs = Thread.objects.filter(is_hidden=False).select_related("category", "last_poster")
    return exclude_muted(qs, user=user).order_by("-last_post_at", "-id")[:limit]


# --- watch levels: watch / track / mute per category (Discourse-style) ------------------------------


def exclude_muted(qs: QuerySet[Thread], *, user: Any) -> QuerySet[Thread]:
    """Leave out threads the member muted, and threads of categories they muted unless they
    explicitly watch the thread. Subqueries: the list stays one query."""
    if not getattr(user, "is_authenticated", False):
        return qs
    muted_categories = CategoryWatch.objects.filter(user=user, level=Level.MUTE).values("category_id")
    thread_levels = ThreadState.objects.filter(user=user, thread=OuterRef("pk"))
    return qs.exclude(Exists(thread_levels.filter(level=Level.MUTE))).exclude(
        Q(category_id__in=muted_categories) & ~Exists(thread_levels.filter(level=Level.WATCH))
    )


def category_levels(*, user: Any) -> dict[int, str]:
    """{category id: level} for the member's watched, tracked and muted categories (one query)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    sql = f"SELECT category_id, level FROM {CategoryWatch._meta.db_table} WHERE user_id = %s"  # noqa: S608 - table name from model metadata
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk])
        return {int(category_id): str(level) for category_id, level in cursor.fetchall()}


def without_muted(threads: list[Thread], *, states: dict[int, ThreadState], levels: dict[int, str]) -> list[Thread]:
    """`exclude_muted` in Python over already fetched threads, from the member's states for those
    threads and their category levels (no query)."""
    kept = []
    for thread in threads:
        state = states.get(thread.pk)
        thread_level = state.level if state is not None else None
        if thread_level == Level.MUTE:
            continue
        if levels.get(thread.category_id) == Level.MUTE and thread_level != Level.WATCH:
            continue
        kept.append(thread)
    return kept


def mark_unread(
    *,
    user: Any,
    threads: list[Thread],
    levels: dict[int, str] | None = None,
    states: dict[int, ThreadState] | None = None,
) -> None:
    """Set `unread` (bool: the "New" marker) and `unread_count` (int or None) on each thread.

    * "New": activity newer than both the member's last read and the unread cutoff.
    * The unread count (posts after the last one the member read) shows on threads the member
      tracks or watches — their own thread level, or, for threads they never opened, the
      category's level. A thread never opened in a tracked category counts all its posts.
    * Muted (the thread, or its category without an explicit thread watch): no markers at all.
    One query for the thread states unless given (plus one for the category levels unless given).
    """
    authenticated = getattr(user, "is_authenticated", False)
    if not authenticated:
        for thread in threads:
            thread.unread, thread.unread_count = False, None  # type: ignore[attr-defined]
        return
    states = states_for(user=user, threads=threads) if states is None else states
    levels = category_levels(user=user) if levels is None else levels
    for thread in threads:
        state = states.get(thread.pk)
        category_level = levels.get(thread.category_id)
        level = state.level if state is not None else category_level
        if level == Level.MUTE or (category_level == Level.MUTE and level != Level.WATCH):
            thread.unread, thread.unread_count = False, None  # type: ignore[attr-defined]
            continue
        unread = is_unread(thread=thread, state=state)
        thread.unread = unread  # type: ignore[attr-defined]
        tracked = level in (Level.TRACK, Level.WATCH)
        read_position = state.last_read_position if state is not None else 0
        count = max(thread.last_position - read_position, 0) if unread and tracked else 0
        thread.unread_count = count or None  # type: ignore[attr-defined]


def tracked_category_unread(*, user: Any, levels: dict[int, str]) -> dict[int, int]:
    """{category id: threads with unread activity} for the categories the member tracks or watches.

    One grouped query (none when nothing is tracked); muted threads don't count.
    """
    tracked = [pk for pk, level in levels.items() if level in (Level.TRACK, Level.WATCH)]
    if not tracked or not getattr(user, "is_authenticated", False):
        return {}
    cutoff = unread_cutoff()
    states = ThreadState.objects.filter(user=user, thread=OuterRef("pk"))
    rows = (
        Thread.objects.filter(category_id__in=tracked, is_hidden=False, last_post_at__gt=cutoff)
        .exclude(Exists(states.filter(level=Level.MUTE)))
        .exclude(Exists(states.filter(last_read_at__gte=OuterRef("last_post_at"))))
        .values("category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["category_id"]: row["n"] for row in rows}


def held_posts() -> QuerySet[Post]:
    return Post.objects.filter(is_held=True, is_deleted=False).select_related("author", "thread").order_by("created_at")


# Full-text search ranks the newest SEARCH_CANDIDATES matching posts (ranking every match of a common word
# cost 0.1-0.8 s at a million posts; see docs/benchmarks.md), looked for in the last SEARCH_WINDOWS first.
SEARCH_CANDIDATES = 200
SEARCH_WINDOWS = (timedelta(days=30), timedelta(days=90), None)


def _newest_matches(matches: QuerySet[Post], *, limit: int) -> list[int]:
    """Ids of the `limit` newest posts of `matches`, in time windows growing from SEARCH_WINDOWS[0]: a window
    bounds the rows PostgreSQL reads for a word of middling frequency (its matches in the window, through
    the GIN and created_at indexes together), and a common word fills the first window (walking created_at
    backwards); a rare word reaches the last, unbounded one, where the GIN index finds its few posts."""
    now = timezone.now()
    ids: list[int] = []
    for window in SEARCH_WINDOWS:
        scoped = matches if window is None else matches.filter(created_at__gte=now - window)
        ids = list(scoped.order_by("-created_at").values_list("pk", flat=True)[:limit])
        if len(ids) >= limit:
            break
    return ids


@dataclass
class SearchHit:
    post: Post
    thread: Thread
    snippet: str


def search_posts(
    *,
    q: str,
    category: str = "",
    tag: str = "",
    author: str = "",
    since: Any = None,
    until: Any = None,
    limit: int = 30,
) -> list[SearchHit]:
    """Full text over titles and posts (PostgreSQL tsvector + GIN); icontains on SQLite."""
    q = (q or "").strip()[:200]
    qs = _visible_posts()
    if category:
        qs = qs.filter(thread__category__slug=category)
    if tag:
        qs = qs.filter(thread__tags__slug=tag)
    if author:
        qs = qs.filter(author__display_name__iexact=author)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    qs = qs.select_related("thread", "thread__category", "author")
    if not q:
        if not (category or tag or author or since or until):
            return []
        posts = list(qs.filter(position=1).order_by("-created_at")[:limit])  # filters only: one hit per thread
        return [SearchHit(post=p, thread=p.thread, snippet=_snippet(p.body_text, "")) for p in posts]
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchHeadline, SearchRank

        with planned_each_time(Post):  # each word's search planned for that word (core.db)
            query = search_query(q)
            # Rank only a bounded set: the SEARCH_CANDIDATES newest matches (the GIN index finds a rare word's few
            # posts; a common word's newest are found walking created_at backwards), then ts_rank on their stored
            # vectors (F(): a bare name would make Django rebuild to_tsvector(text) for every row), ids only;
            # then snippets for the few hits shown (ts_headline is costly).
            candidates = _newest_matches(matching_posts(q, qs), limit=SEARCH_CANDIDATES)
            ranked = (
                Post.objects.filter(pk__in=candidates)
                .annotate(rank=SearchRank(F("search_vector"), query))
                .order_by("-rank", "-created_at")
                .values_list("pk", "thread_id")[: limit * 3]
            )
            best: dict[int, int] = {}
            for post_id, thread_id in ranked:
                best.setdefault(thread_id, post_id)
            ids = list(best.values())[:limit]
            headline = SearchHeadline(
                "body_text", query, config="english", start_sel="«", stop_sel="»", max_words=30, min_words=12
            )
            found = {p.pk: p for p in qs.filter(pk__in=ids).annotate(headline=headline)}
            return [
                SearchHit(post=found[i], thread=found[i].thread, snippet=found[i].headline)  # type: ignore[attr-defined]
                for i in ids
                if i in found
            ]
    posts = list(matching_posts(q, qs).order_by("-created_at")[: limit * 3])
    seen = set()
    hits = []
    for post in posts:
        if post.thread_id in seen:
            continue
        seen.add(post.thread_id)
        hits.append(SearchHit(post=post, thread=post.thread, snippet=_snippet(post.body_text, q)))
    return hits[:limit]


def _snippet(text: str, q: str, width: int = 160) -> str:
    text = text or ""
    index = text.lower().find(q.lower()) if q else -1
    if index < 0:
        return text[:width] + ("…" if len(text) > width else "")
    start = max(index - width // 3, 0)
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


def member_recent_threads(member: Any, limit: int = 5) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(author=member, is_hidden=False).select_related("category").order_by("-created_at")[:limit]
    )


def member_activity(user_ids: list[int]) -> dict[int, dict[str, int | str]]:
    """{member id: {"threads", "posts", "display_name"}} for the given members in ONE query.

    Counts what anyone can see: threads not hidden, and posts that are not deleted, hidden or
    held in threads not hidden ("posts" includes each thread's first post). Members with no
    forum activity are there with zeros; unknown ids are left out.
    """
    from django.contrib.auth import get_user_model

    ids = {int(pk) for pk in user_ids if pk is not None}
    if not ids:
        return {}
    visible = Q(
        forum_posts__is_deleted=False,
        forum_posts__is_hidden=False,
        forum_posts__is_held=False,
        forum_posts__thread__is_hidden=False,
    )
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(
            n_posts=Count("forum_posts", filter=visible),
            n_threads=Count("forum_posts", filter=visible & Q(forum_posts__position=1)),
        )
        .values_list("pk", "display_name", "n_threads", "n_posts")
    )
    return {pk: {"display_name": name, "threads": threads, "posts": posts} for pk, name, threads, posts in rows}
