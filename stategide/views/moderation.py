"""Moderator pages: review, rollback, verification (and its queue), protection."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kei_community.users.permissions import moderator_required
from stategide import selectors, services
from stategide.forms import (
    ApproveForm,
    ProtectForm,
    VerifyForm,
)
from stategide.views.common import _errors_to_messages, _page_or_404, _revision_or_404
from stategide.views.editing import _apply_service_errors


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
