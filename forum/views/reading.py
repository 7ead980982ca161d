"""Forum pages that read: the index, a category, a thread (and its short links, permalinks, first unread)."""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from forum import cards, selectors, services
from forum.forms import (
    MARKDOWN_HELP,
    MoveForm,
)
from forum.models import THREADS_PER_PAGE, Category, Level, Post, Thread
from forum.views.common import CATEGORY_LEVELS, _page_number, _pages, _render, anonymous_cache
from kei_community.core import cache_tags, caching, snapshots
from kei_community.core.page_cache import csrf_token_for
from kei_community.core.registry import call_hooks
from kei_community.core.us import US_STATES

# --- reading ----------------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "").strip().upper()
    if state:  # the state guide links to /forum/?state=TX: threads with that state tag
        if state in US_STATES:
            return redirect(f"{reverse('forum:search')}?tag=state-{state.lower()}")
        return redirect("forum:index")
    return _index(request)


INDEX_CANDIDATES = 40  # latest threads cached for the index; a member's mutes are filtered from these


def _index_data() -> dict:
    """The forum index's reader-independent rows, cached in region "forum.data" (recording the tags of every
    category, thread list and member it shows): the categories and the latest threads (more than shown, so a
    member's mutes can be left out in Python), each row rendered with the reader's slots cut out."""

    def build() -> dict:
        categories = list(selectors.category_list())
        latest = list(selectors.latest_threads(limit=INDEX_CANDIDATES))
        caching.depends_on(
            cache_tags.FORUM_CATEGORIES,
            *(cache_tags.category(c.pk) for c in categories),
            *(
                cache_tags.member(c.last_thread.last_poster_id)
                for c in categories
                if c.last_thread and c.last_thread.last_poster_id
            ),
            *(cache_tags.member(t.last_poster_id) for t in latest if t.last_poster_id),
        )
        return {
            "categories": [cards.category_row_part(c) for c in categories],
            "latest": [cards.thread_row_part(t, template="forum/thread_latest_row.html") for t in latest],
        }

    return caching.get_or_build("forum.data", "index", build, local=True)


@anonymous_cache
def _index(request: HttpRequest) -> HttpResponse:
    data = _index_data()
    levels = selectors.category_levels(user=request.user)
    unread = selectors.tracked_category_unread(user=request.user, levels=levels)
    now = timezone.now()
    category_html = []
    for row in data["categories"]:
        category = cards.category_stub(row)
        category.level = levels.get(category.pk, "")  # type: ignore[attr-defined]
        category.unread_threads = unread.get(category.pk, 0)  # type: ignore[attr-defined]
        category_html.append(cards.category_row_html(row, category, when=cards.ago(category.last_post_at, now)))
    rows = {row[0]: row for row in data["latest"]}
    candidates = [cards.thread_stub(row) for row in data["latest"]]
    states: dict | None = selectors.states_for(user=request.user, threads=candidates)
    latest = selectors.without_muted(candidates, states=states or {}, levels=levels)
    if len(latest) < 10 and len(candidates) >= INDEX_CANDIDATES:  # muted more than the spare rows
        latest = list(selectors.latest_threads(user=request.user, limit=10))
        states = None
    latest = latest[:10]
    selectors.mark_unread(user=request.user, threads=latest, levels=levels, states=states)
    latest_html = []
    for thread in latest:
        row = rows.get(thread.pk) or cards.thread_row_part(thread, template="forum/thread_latest_row.html")
        when = cards.ago(thread.last_post_at, now)
        latest_html.append(cards.row_html(row, badges=cards.unread_badges(thread), when=when))
    return _render(
        request,
        "forum/category_list.html",
        {
            "latest": latest,
            # rendered by forum/category_row.html and forum/thread_latest_row.html (autoescaped)
            "categories_html": mark_safe("\n    ".join(category_html)),  # noqa: S308
            "latest_html": mark_safe("\n    ".join(latest_html)),  # noqa: S308
        },
    )


def _category_page_data(slug: str, requested: int) -> dict | None:
    """A category page's reader-independent data, cached in region "forum.data" (recording the tags of the
    category and of the members it names): the category, its page of threads, each row's markup with the
    reader's unread badges and the time-dependent "ago" cut out."""

    def build() -> dict | None:
        category = selectors.category_get(slug)
        if category is None:
            caching.dont_store()
            return None
        last = max((category.thread_count - 1) // THREADS_PER_PAGE + 1, 1)
        page = min(requested, last)
        offset = (page - 1) * THREADS_PER_PAGE
        threads = list(selectors.thread_list(category=category)[offset : offset + THREADS_PER_PAGE])
        caching.depends_on(
            cache_tags.FORUM_CATEGORIES,
            cache_tags.category(category.pk),
            *(cache_tags.member(t.author_id) for t in threads),
            *(cache_tags.member(t.last_poster_id) for t in threads if t.last_poster_id),
        )
        return {
            "category": snapshots.snapshot(category),
            "pages": _pages(page, last),
            "pagination_html": render_to_string(
                "forum/includes/pagination.html", {"pages": _pages(page, last), "label": "Thread pages"}
            ),
            "rows": [
                cards.thread_row_part(t, template="forum/thread_row.html", search_url=_search_url()) for t in threads
            ],
        }

    if requested > MAX_CACHED_PAGE:
        caching.dont_store()  # far pages are built every time, never stored
        return build()
    return caching.get_or_build("forum.data", f"category:{slug}:{requested}", build, local=True)


@anonymous_cache
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    data = _category_page_data(slug, _page_number(request))
    if data is None:
        raise Http404("No such category.")
    category = snapshots.restore(Category, data["category"])
    threads = [cards.thread_stub(row) for row in data["rows"]]
    levels = selectors.category_levels(user=request.user)
    selectors.mark_unread(user=request.user, threads=threads, levels=levels)
    now = timezone.now()
    return _render(
        request,
        "forum/thread_list.html",
        {
            "category": category,
            "threads": threads,
            "pages": data["pages"],
            "pagination_html": mark_safe(data["pagination_html"]),  # noqa: S308 - rendered by the template engine
            "rows_html": mark_safe(  # noqa: S308 - rendered by forum/thread_row.html (autoescaped)
                "\n".join(
                    cards.row_html(row, badges=cards.unread_badges(t), when=cards.ago(t.last_post_at, now))
                    for row, t in zip(data["rows"], threads, strict=True)
                )
            ),
            "level": levels.get(category.pk, ""),
            "levels": CATEGORY_LEVELS,
        },
    )


def thread_short(request: HttpRequest, pk: int) -> HttpResponse:
    thread = get_object_or_404(Thread.objects.only("id", "slug"), pk=pk)
    return HttpResponseRedirect(thread.get_absolute_url(), status=301)


@lru_cache(maxsize=1)
def _search_url() -> str:
    return reverse("forum:search")


@lru_cache(maxsize=1)
def _report_ct() -> int:
    from django.contrib.contenttypes.models import ContentType

    return int(ContentType.objects.get_for_model(Post).pk)


def _viewer(request: HttpRequest, *, moderator: bool, can_reply: bool = False, can_solve: bool = False) -> cards.Viewer:
    user = request.user
    return cards.Viewer(
        user_id=user.pk if user.is_authenticated else None,
        moderator=moderator,
        can_reply=can_reply,
        can_solve=can_solve,
        csrf_token=csrf_token_for(request),
        report_ct=_report_ct() if user.is_authenticated else None,
        return_to=request.path,
    )


def _state_banners(thread: Thread) -> list:
    banners = []
    codes = [t["state_code"] for t in thread.tag_list if t["kind"] == "state" and t["state_code"]]
    if codes:
        from stategide.selectors import registration_outlook

        for code in codes[:2]:
            outlook = registration_outlook(code)
            if outlook is not None:
                banners.append(outlook)
    return banners


MAX_CACHED_PAGE = 1000


def _thread_page_data(pk: int, requested: int) -> dict | None:
    """Everything on a thread page that is the same for every reader, cached in region "forum.data" under
    the thread's tag (and recording the tags of the members it names): the thread's and its category's
    columns, its URLs, the page's post cards with the reader's slots cut out and the page head. A signed-in
    request then costs these cache reads and the reader's own look-ups (their thread state and, when the
    page has reactions, their reactions)."""

    def build() -> dict | None:
        thread = selectors.thread_get_unchecked(pk)
        if thread is None:
            caching.dont_store()
            return None
        page = min(requested, thread.page_count)
        posts = selectors.thread_posts_page(thread=thread, page=page)
        urls = {
            "thread": thread.get_absolute_url(),
            "category": thread.category.get_absolute_url(),
            "unread": reverse("forum:thread-unread", args=[pk]),
            "watch": reverse("forum:thread-watch", args=[pk]),
            "bookmark": reverse("forum:thread-bookmark", args=[pk]),
            "edit": reverse("forum:thread-edit", args=[pk]),
            "reply": reverse("forum:reply", args=[pk]),
            "preview": reverse("forum:preview"),
            **{
                f"mod_{a}": reverse("forum:thread-moderate", args=[pk, a])
                for a in ("pin", "lock", "move", "merge", "split")
            },
        }
        solved = thread.solved_post if thread.solved_post_id else None
        truck = thread.truck if thread.truck_id else None
        # A photo still being processed turns into a picture without a forum write: don't keep that page.
        if any(photo.status not in ("ready", "failed") for p in posts if p.has_photos for photo in p.photos.all()):
            caching.dont_store()
        caching.depends_on(
            cache_tags.FORUM_CATEGORIES,
            cache_tags.member(thread.author_id),
            *(cache_tags.member(p.author_id) for p in posts),
            *([cache_tags.member(solved.author_id)] if solved else []),
            *([cache_tags.truck(thread.truck_id)] if thread.truck_id else []),  # its name and photos (the cover)
        )
        cover_url = selectors.thread_cover_url(thread=thread)
        return {
            "thread": snapshots.snapshot(thread),
            "category": snapshots.snapshot(thread.category),
            "page": page,
            "pagination_html": render_to_string(
                "forum/includes/pagination.html", {"pages": _pages(page, thread.page_count), "label": "Post pages"}
            ),
            "posts": [cards.post_part(p, thread=thread) for p in posts],
            "urls": urls,
            "head_html": render_to_string(
                "forum/includes/thread_head.html",
                {"thread": thread, "category": thread.category, "urls": urls, "cover_url": cover_url},
            ),
            "truck": {"url": truck.get_absolute_url(), "name": truck.display_name} if truck else None,
            "solved": {"url": solved.get_absolute_url(), "author": solved.author.public_name} if solved else None,
            "cover_url": cover_url,
        }

    if requested > MAX_CACHED_PAGE:
        caching.dont_store()  # far pages are built every time, never stored
        return build()
    return caching.get_or_build(
        "forum.data", f"thread:{pk}:{requested}", build, tags=[cache_tags.thread(pk)], local=True
    )


@anonymous_cache
def thread_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    user = request.user
    data = _thread_page_data(pk, max(min(_page_number(request), MAX_CACHED_PAGE + 1), 1))
    thread: Thread | None = None
    if data is not None:
        thread = snapshots.restore(Thread, data["thread"])
        thread.category = snapshots.restore(Category, data["category"])
    if data is None or thread is None or not selectors.thread_visible_to(thread, user):
        raise Http404("No such thread.")
    if slug != thread.slug:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(thread.get_absolute_url() + (f"?{query}" if query else ""), status=301)
    page = data["page"]
    parts = [cards.post_part_from(values) for values in data["posts"]]
    moderator = services.is_moderator(user)
    signed_in = user.is_authenticated
    state = selectors.thread_state(user=user, thread=thread)
    mine = selectors.my_reactions(user=user, posts=parts)
    can_reply = signed_in and (moderator or not thread.is_locked) and not thread.is_hidden
    can_solve = signed_in and thread.category.allows_solved and (moderator or thread.author_id == user.pk)
    viewer = _viewer(request, moderator=moderator, can_reply=can_reply, can_solve=can_solve)
    first_new = None
    html = []
    if signed_in:
        read_until = state.last_read_at if state else None
        seen = max(filter(None, [read_until, selectors.unread_cutoff()]))
        for p in parts:
            is_new = p.created_at > seen
            if is_new and first_new is None and p.is_visible:
                first_new = p
            html.append(cards.card_html(p, thread=thread, viewer=viewer, mine=mine, is_new=is_new))
    else:
        html = [cards.card_html(p, thread=thread, viewer=viewer, mine=mine, is_new=False) for p in parts]
    listings = []
    if thread.truck_id:
        from kei_community.vehicles.models import GarageTruck

        listings = call_hooks("truck_listings", GarageTruck(pk=thread.truck_id))
    context = {
        "thread": thread,
        "category": thread.category,
        "urls": data["urls"],
        "head_html": mark_safe(data["head_html"]),  # noqa: S308 - rendered by the template engine (autoescaped)
        "posts_html": mark_safe("".join(html)),  # noqa: S308 - rendered by forum/post_card.html and its parts
        "pagination_html": mark_safe(data["pagination_html"]),  # noqa: S308 - rendered by the template engine
        "pages": _pages(page, thread.page_count),
        "truck": data["truck"],
        "solved": data["solved"],
        "cover_url": data.get("cover_url", ""),
        "state": state,
        "moderator": moderator,
        "first_new": first_new,
        "can_reply": can_reply,
        "is_author": signed_in and thread.author_id == user.pk,
        "banners": _state_banners(thread),
        "truck_listings": [item for group in listings for item in (group or [])],
        "reply_form": can_reply,
        "markdown_help": MARKDOWN_HELP,
        "levels": Level.choices,
        "move_form": MoveForm(initial={"category": thread.category_id}) if moderator else None,
    }
    if signed_in:
        last_position = parts[-1].position if parts else 0
        services.thread_mark_read(user=user, thread=thread, position=last_position, state=state)
    return _render(request, "forum/thread_detail.html", context)


def post_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post.objects.select_related("thread").only("id", "position", "thread__slug"), pk=pk)
    url = post.thread.get_absolute_url()
    page = post.page_number
    return redirect(f"{url}{f'?page={page}' if page > 1 else ''}#post-{post.pk}")


@login_required
def thread_first_unread(request: HttpRequest, pk: int) -> HttpResponse:
    thread = selectors.thread_get(pk, user=request.user)
    if thread is None:
        raise Http404("No such thread.")
    state = selectors.thread_state(user=request.user, thread=thread)
    post = selectors.first_unread_post(thread=thread, state=state)
    if post is None:
        last = thread.page_count
        return redirect(thread.get_absolute_url() + (f"?page={last}" if last > 1 else "") + "#replies")
    return post_permalink(request, post.pk)
