"""The law-event timeline of a state page: adding and editing events."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kei_community.users.permissions import moderator_required
from stategide import selectors, services
from stategide.forms import (
    LawEventForm,
)
from stategide.views.common import _page_or_404
from stategide.views.editing import _apply_service_errors


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
