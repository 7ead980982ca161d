"""'Can I register this truck here?' pages (thin: stategide.checklist reads, templates render)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kei_community.core.us import US_STATES
from stategide import checklist as checklists
from stategide import selectors

TRUCK_PARAMS = ("truck", "chassis_code", "year_built", "month_built")


def checklist(request: HttpRequest, code: str) -> HttpResponse:
    """One state plus one truck: from a garage truck (?truck=), or a chassis code and build date."""
    page = selectors.page_get(code, viewer=request.user)
    if page is None:
        raise Http404("No state guide for that code.")
    errors: dict[str, str] = {}
    truck = None
    if request.GET.get("truck"):
        truck = checklists.truck_from_garage(request.GET["truck"])
        if truck is None:
            raise Http404("No such truck.")
    else:
        try:
            truck = checklists.truck_from_params(**checklists.clean_truck_params(request.GET))
        except checklists.ChecklistInputError as exc:
            errors = exc.errors
    user = request.user
    context = {
        "page": page,
        "checklist": checklists.registration_checklist(page=page, truck=truck),
        "errors": errors,
        "values": {name: request.GET.get(name, "")[:20] for name in ("chassis_code", "year_built", "month_built")},
        "watching": selectors.is_watching(user=user, page=page) if user.is_authenticated else False,
        "states": sorted(US_STATES.items(), key=lambda item: item[1]),
        "query": urlencode({k: request.GET[k][:20] for k in TRUCK_PARAMS if request.GET.get(k)}),
    }
    return render(request, "stategide/checklist.html", context, status=400 if errors else 200)


def checklist_start(request: HttpRequest) -> HttpResponse:
    """Choose a state (the truck's details are carried along); redirects to that state's checklist."""
    code = (request.GET.get("state") or "").strip().upper()
    if code in US_STATES:
        query = urlencode({k: request.GET[k][:20] for k in TRUCK_PARAMS if request.GET.get(k)})
        url = reverse("stategide:checklist", kwargs={"code": code.lower()})
        return redirect(f"{url}?{query}" if query else url)
    context = {
        "states": sorted(US_STATES.items(), key=lambda item: item[1]),
        "hidden": [(k, request.GET[k][:20]) for k in TRUCK_PARAMS if request.GET.get(k)],
        "error": "Choose a state." if "state" in request.GET else "",
    }
    return render(request, "stategide/checklist_start.html", context, status=400 if context["error"] else 200)
