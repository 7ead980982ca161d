"""State guide pages that read: the index (and its CSV), a state page, history, diffs, a revision, about."""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kei_community.core.page_cache import cacheable_context
from kei_community.core.public_url import absolute_url
from stategide import selectors, services
from stategide.diff import revision_diff
from stategide.forms import (
    ApproveForm,
    RejectForm,
    RollbackForm,
)
from stategide.models import Revision, Status
from stategide.tiles import legend, tiles_for
from stategide.views.common import _page_or_404, _revision_or_404, anonymous_cache, state_page_cache

SORT_COLUMNS = [
    ("state", "State"),
    ("status", "Status"),
    ("speed", "Max road speed"),
    ("roads", "Roads"),
    ("confidence", "Confidence"),
    ("verified", "Last verified"),
]


@anonymous_cache
def index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    sort = request.GET.get("sort", "state")
    if sort.lstrip("-") not in selectors.SORTS:
        sort = "state"
    all_pages = selectors.page_list(sort=sort)
    pages = [p for p in all_pages if not status or (p.published_revision and p.published_revision.status == status)]
    columns = []
    for key, label in SORT_COLUMNS:
        active = sort.lstrip("-") == key
        descending = sort.startswith("-")
        next_sort = f"-{key}" if active and not descending else key
        columns.append(
            {
                "key": key,
                "label": label,
                "active": active,
                "aria_sort": ("descending" if descending else "ascending") if active else None,
                "next_sort": next_sort,
            }
        )
    counts: dict[str, int] = {}
    for p in all_pages:
        s = p.published_revision.status if p.published_revision else Status.UNCLEAR
        counts[s] = counts.get(s, 0) + 1
    context = {
        "in_force_soon": selectors.laws_taking_effect_soon(within=selectors.IN_FORCE_SOON_DAYS),
        "pages": pages,
        "tiles": tiles_for(all_pages),
        "legend": legend(),
        "statuses": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "status": status,
        "sort": sort,
        "columns": columns,
    }
    return render(request, "stategide/statepage_list.html", cacheable_context(request, context))


def index_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kei-truck-state-guide.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["state_code", "state_name", "status", "summary", "max_road_speed_mph", "speed_note", "road_restrictions",
         "confidence", "last_verified", "url"]
    )  # fmt: skip
    for page in selectors.page_list(sort="state"):
        rev = page.published_revision
        writer.writerow(
            [
                page.code,
                page.name,
                rev.status if rev else "",
                rev.summary if rev else "",
                rev.max_road_speed_mph if rev and rev.max_road_speed_mph is not None else "",
                rev.speed_note if rev else "",
                rev.road_restrictions if rev else "",
                rev.confidence if rev else "",
                rev.verified_on.isoformat() if rev and rev.verified_on else "",
                absolute_url(page.get_absolute_url()),
            ]
        )
    return response


@state_page_cache
def detail(request: HttpRequest, code: str) -> HttpResponse:
    page = selectors.page_get(code, viewer=request.user)
    if page is None:
        raise Http404("No state guide for that code.")
    services.page_record_view(code=page.code)
    user = request.user
    context = {
        "page": page,
        "revision": page.published_revision,
        "unknowns": selectors.reader_unknowns(page=page, revision=page.published_revision),
        "events": list(page.events.all()),
        "today": timezone.localdate(),
        "watching": selectors.is_watching(user=user, page=page) if user.is_authenticated else False,
        "is_moderator": user.is_authenticated and user.is_moderator,  # type: ignore[union-attr]
        "code_lower": page.code.lower(),
    }
    return render(request, "stategide/statepage_detail.html", cacheable_context(request, context))


def history(request: HttpRequest, code: str) -> HttpResponse:
    page = _page_or_404(code)
    revisions = list(selectors.revision_list(page=page))
    return render(
        request,
        "stategide/revision_history.html",
        {
            "page": page,
            "revisions": revisions,
            "pending": [r for r in revisions if r.state == Revision.State.PENDING],
            "is_moderator": request.user.is_authenticated and request.user.is_moderator,  # type: ignore[union-attr]
        },
    )


def diff(request: HttpRequest, code: str) -> HttpResponse:
    page = _page_or_404(code)
    old = _revision_or_404(page, request.GET.get("from"))
    new = _revision_or_404(page, request.GET.get("to"))
    return render(
        request,
        "stategide/revision_diff.html",
        {"page": page, "old": old, "new": new, "diff": revision_diff(old, new)},
    )


def revision_detail(request: HttpRequest, code: str, number: str) -> HttpResponse:
    page = _page_or_404(code)
    revision = _revision_or_404(page, number)
    base = revision.base_revision
    user = request.user
    is_moderator = user.is_authenticated and user.is_moderator  # type: ignore[union-attr]
    context = {
        "page": page,
        "revision": revision,
        "base": base,
        "diff": revision_diff(base, revision),
        "page_changed": revision.state == Revision.State.PENDING
        and base is not None
        and page.published_revision_id != base.pk,
        "current_diff": revision_diff(page.published_revision, revision)
        if revision.state == Revision.State.PENDING and page.published_revision_id != getattr(base, "pk", None)
        else None,
        "is_moderator": is_moderator,
        "approve_form": ApproveForm(),
        "reject_form": RejectForm(),
        "rollback_form": RollbackForm(),
    }
    return render(request, "stategide/revision_detail.html", context)


@anonymous_cache
def about(request: HttpRequest) -> HttpResponse:
    """How this guide is written and verified (public)."""
    from stategide.models import Citation, Confidence, Verification

    context = {
        "statuses": Status.choices,
        "confidences": Confidence.choices,
        "kinds": Citation.Kind.choices,
        "checks": Verification.Check.choices,
        "stale_days": selectors.STALE_AFTER_DAYS,
    }
    return render(request, "stategide/about.html", cacheable_context(request, context))
