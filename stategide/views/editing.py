"""Members' edits: proposing, editing and rebasing a proposal, watching a state."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from stategide import selectors, services
from stategide.diff import field_label, revision_diff
from stategide.forms import (
    CitationForm,
    CitationFormSet,
    ProposeForm,
)
from stategide.models import Revision, StatePage
from stategide.views.common import _errors_to_messages, _page_or_404, _revision_or_404


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
