"""Thin views: selectors read, services write, templates render."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kei_community.core import cache_tags
from kei_community.core.page_cache import anonymous_page_cache, cacheable_context
from kei_community.users.permissions import moderator_required
from stategide import cache as guide_cache
from stategide import selectors, services
from stategide.diff import field_label, revision_diff
from stategide.forms import (
    ApproveForm,
    CitationForm,
    CitationFormSet,
    LawEventForm,
    ProposeForm,
    ProtectForm,
    RejectForm,
    RollbackForm,
    VerifyForm,
)
from stategide.models import Revision, StatePage, Status
from stategide.tiles import legend, tiles_for

# Whole anonymous pages (kei_community.core.page_cache): nonce and CSRF token filled in per request.
anonymous_cache = anonymous_page_cache(
    region="guide.page", query=guide_cache.LIST_QUERY, tags=lambda request, *a, **kw: [cache_tags.STATES],
    header="X-Stategide-Cache",
)  # fmt: skip


def _count_cached_view(request: HttpRequest, code: str) -> None:
    services.page_record_view(code=code)


# State pages also count their views when served from the cache (the verification queue ranks by them).
state_page_cache = anonymous_page_cache(
    region="guide.page", tags=lambda request, code: [cache_tags.state(code)], header="X-Stategide-Cache",
    on_hit=_count_cached_view,
)  # fmt: skip


def _page_or_404(code: str) -> StatePage:
    page = selectors.page_get(code)
    if page is None:
        raise Http404("No state guide for that code.")
    return page


def _revision_or_404(page: StatePage, number: Any) -> Revision:
    revision = selectors.revision_get(page=page, number=number)
    if revision is None:
        raise Http404("No such revision.")
    return revision


def _errors_to_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


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
                request.build_absolute_uri(page.get_absolute_url()),
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


def _apply_service_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _proposed_changes(form: Any, formset: Any) -> dict[str, Any]:
    """The content, edit summary and sources of a valid proposal form, as the services take them
    (the formset holds every source as it should read: kept, edited, added; removed ones left out)."""
    return {
        "data": form.content(),
        "edit_summary": form.cleaned_data["edit_summary"],
        "all_citations": formset.citations(),
        "summary_confirmed": form.cleaned_data.get("summary_confirmed", False),
    }


def _citation_formset(data: Any = None, citations: Any = ()) -> Any:
    if data is not None:
        return CitationFormSet(data, prefix="citations")
    return CitationFormSet(prefix="citations", initial=CitationForm.initial_from(citations))


@login_required
def propose(request: HttpRequest, code: str) -> HttpResponse:
    page = _page_or_404(code)
    try:
        services.check_can_propose(user=request.user, page=page)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(page.get_absolute_url())
    published = page.published_revision
    if request.method == "POST":
        form = ProposeForm(request.POST)
        formset = _citation_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                revision = services.revision_propose(author=request.user, page=page, **_proposed_changes(form, formset))
            except ValidationError as exc:
                _apply_service_errors(form, exc)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return redirect(page.get_absolute_url())
            else:
                messages.success(request, "Thanks! Your edit is waiting for a moderator's review.")
                return redirect(revision.get_absolute_url())
    else:
        form = ProposeForm(initial=ProposeForm.initial_from(published))
        formset = _citation_formset(citations=published.citations.all() if published else ())
    return render(
        request,
        "stategide/revision_form.html",
        {"page": page, "form": form, "formset": formset, "current": published},
    )


def _rebase_context(page: StatePage, revision: Revision) -> dict[str, Any]:
    """What the author sees when the page changed after their proposal began."""
    current = page.published_revision
    return {
        "rebase_onto": current,
        "rebase_base": revision.base_revision,
        "rebase_diff": revision_diff(revision.base_revision, current) if current is not None else None,
        "rebase_conflicts": [field_label(name) for name in services.conflicting_fields(revision)],
    }


@login_required
def edit_proposal(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """The author changes their own pending proposal; anyone else gets 403.

    If the page changed after the proposal began, the form starts from the current version with the
    author's changes on top, shows what changed meanwhile, and sending it rebases the proposal.
    """
    page = _page_or_404(code)
    revision = _revision_or_404(page, number)
    if revision.author_id != request.user.pk:
        raise PermissionDenied("Only the author can change a pending proposal.")
    if revision.state != Revision.State.PENDING:
        messages.error(request, "Only pending proposals can be changed.")
        return redirect(revision.get_absolute_url())
    stale = services.revision_is_stale(revision)

    def fresh_form() -> ProposeForm:
        initial = ProposeForm.initial_from(Revision(**services.rebased_content(revision)) if stale else revision)
        initial["edit_summary"] = revision.edit_summary
        return ProposeForm(initial=initial)

    def fresh_formset() -> Any:
        citations = list(revision.citations.all())
        if stale:  # the proposal's own sources on top of the current version's
            base_urls = {c.url for c in revision.base_revision.citations.all()} if revision.base_revision else set()
            own = [c for c in citations if c.url not in base_urls]
            own_urls = {c.url for c in own}
            current = page.published_revision
            citations = own + [c for c in (current.citations.all() if current else []) if c.url not in own_urls]
        return _citation_formset(citations=citations)

    if request.method == "POST":
        form = ProposeForm(request.POST)
        formset = _citation_formset(request.POST)
        onto = selectors.revision_get(page=page, number=request.POST.get("rebase_onto")) if stale else None
        if stale and (onto is None or onto.pk != page.published_revision_id):
            # The form was not built from the current version: start again from it, never revert it.
            form, formset = fresh_form(), fresh_formset()
            messages.error(
                request, "The page changed while you were editing. Check the changes below and send it again."
            )
        elif form.is_valid() and formset.is_valid():
            changes = _proposed_changes(form, formset)
            try:
                if stale:
                    services.revision_rebase(actor=request.user, revision=revision, expected_base=onto, **changes)
                else:
                    services.revision_update_pending(actor=request.user, revision=revision, **changes)
            except ValidationError as exc:
                _apply_service_errors(form, exc)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
                return redirect(revision.get_absolute_url())
            else:
                messages.success(
                    request,
                    "Your proposal now builds on the current version." if stale else "Your proposal was updated.",
                )
                return redirect(revision.get_absolute_url())
    else:
        form, formset = fresh_form(), fresh_formset()
    context: dict[str, Any] = {
        "page": page,
        "form": form,
        "formset": formset,
        "editing": revision,
        "current": page.published_revision,
    }
    if stale:
        context.update(_rebase_context(page, revision))
    return render(request, "stategide/revision_form.html", context)


@require_POST
@login_required
def rebase(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """Move a stale proposal onto the current version unchanged (its author or a moderator)."""
    page = _page_or_404(code)
    revision = _revision_or_404(page, number)
    try:
        services.revision_rebase(actor=request.user, revision=revision)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, f"Revision {revision.number} now builds on the current version.")
    return redirect(revision.get_absolute_url())


@require_POST
@login_required
def watch(request: HttpRequest, code: str) -> HttpResponse:
    page = _page_or_404(code)
    watching = request.POST.get("watching") == "1"
    services.watch_set(user=request.user, page=page, watching=watching)
    messages.success(request, f"You are {'now watching' if watching else 'no longer watching'} {page.name}.")
    return redirect(page.get_absolute_url())


@require_POST
@moderator_required
def review(request: HttpRequest, code: str, number: str) -> HttpResponse:
    page = _page_or_404(code)
    revision = _revision_or_404(page, number)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            form = ApproveForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            services.revision_approve(actor=request.user, revision=revision, note=note)
            messages.success(request, f"Revision {revision.number} is published.")
            return redirect(page.get_absolute_url())
        if decision == "reject":
            services.revision_reject(actor=request.user, revision=revision, reason=request.POST.get("reason", ""))
            messages.success(request, f"Revision {revision.number} was rejected; the author was told why.")
        else:
            messages.error(request, "Choose approve or reject.")
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    return redirect(revision.get_absolute_url())


@require_POST
@moderator_required
def rollback(request: HttpRequest, code: str, number: str) -> HttpResponse:
    page = _page_or_404(code)
    revision = _revision_or_404(page, number)
    try:
        restored = services.page_rollback(
            actor=request.user, page=page, revision=revision, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect(reverse("stategide:history", kwargs={"code": page.code.lower()}))
    messages.success(request, f"Revision {revision.number} restored as revision {restored.number}.")
    return redirect(page.get_absolute_url())


@moderator_required
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the checklist with the published content, its sources and open questions; POST: verify."""
    page = _page_or_404(code)
    if request.method == "POST":
        form = VerifyForm(request.POST)
        if form.is_valid():
            try:
                services.page_verify(actor=request.user, page=page, **form.cleaned_data)
            except ValidationError as exc:
                _apply_service_errors(form, exc)
            else:
                messages.success(request, f"{page.name} is verified: the published revision is marked as checked.")
                if request.POST.get("next") == "queue":
                    return redirect("stategide:verify-queue")
                return redirect(page.get_absolute_url())
    else:
        form = VerifyForm(initial={"open_questions": page.open_questions})
    revision = page.published_revision
    context = {
        "page": page,
        "revision": revision,
        "form": form,
        "history": selectors.verifications_of(revision=revision) if revision else [],
        # `next` here only names the verification queue (checked above); it is never a URL.
        "next": "queue" if "queue" in (request.GET.get("next"), request.POST.get("next")) else "",
    }
    return render(request, "stategide/statepage_verify.html", context)


@moderator_required
def verify_queue(request: HttpRequest) -> HttpResponse:
    """Moderators: every page, the ones that most need checking first, with their open questions."""
    entries = selectors.verification_queue()
    return render(
        request,
        "stategide/verify_queue.html",
        {"entries": entries, "overdue": sum(1 for e in entries if e.overdue), "stale_days": selectors.STALE_AFTER_DAYS},
    )


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


def _event_data(form: LawEventForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.EVENT_FIELDS}


@moderator_required
def event_add(request: HttpRequest, code: str) -> HttpResponse:
    page = _page_or_404(code)
    form = LawEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_add(actor=request.user, page=page, data=_event_data(form))
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, "The event is on the timeline; watchers were told.")
            return redirect(page.get_absolute_url() + "#timeline")
    return render(request, "stategide/lawevent_form.html", {"page": page, "form": form})


@moderator_required
def event_edit(request: HttpRequest, code: str, event_id: str) -> HttpResponse:
    page = _page_or_404(code)
    event = selectors.event_get(page=page, event_id=event_id)
    if event is None:
        raise Http404("No such event.")
    if request.method == "POST" and request.POST.get("delete") == "1":
        services.event_delete(actor=request.user, event=event, reason=request.POST.get("reason", ""))
        messages.success(request, "The event was removed from the timeline.")
        return redirect(page.get_absolute_url() + "#timeline")
    form = LawEventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(actor=request.user, event=event, data=_event_data(form))
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, "The event was updated.")
            return redirect(page.get_absolute_url() + "#timeline")
    return render(request, "stategide/lawevent_form.html", {"page": page, "form": form, "event": event})


@moderator_required
def protect(request: HttpRequest, code: str) -> HttpResponse:
    page = _page_or_404(code)
    if request.method == "POST":
        if request.POST.get("unprotect") == "1":
            services.page_unprotect(actor=request.user, page=page, reason=request.POST.get("reason", ""))
            messages.success(request, f"{page.name} is no longer protected.")
            return redirect(page.get_absolute_url())
        form = ProtectForm(request.POST)
        if form.is_valid():
            try:
                services.page_protect(actor=request.user, page=page, **form.cleaned_data)
            except ValidationError as exc:
                _errors_to_messages(request, exc)
            else:
                messages.success(request, f"{page.name} is protected: only moderators can edit it.")
                return redirect(page.get_absolute_url())
    else:
        form = ProtectForm()
    return render(request, "stategide/statepage_protect.html", {"page": page, "form": form})
