from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kei_community.core.registry import call_hooks
from kei_community.vehicles import selectors, services
from kei_community.vehicles.eligibility import import_eligibility
from kei_community.vehicles.forms import GarageTruckForm
from kei_community.vehicles.frame import frame_number_warnings, mask_frame_number


def garage_index(request: HttpRequest) -> HttpResponse:
    trucks = list(selectors.garage_trucks_for(owner=request.user)) if request.user.is_authenticated else []
    return render(request, "vehicles/garagetruck_list.html", {"trucks": trucks})


def catalog(request: HttpRequest) -> HttpResponse:
    make = (request.GET.get("make") or "").strip()[:60]
    q = (request.GET.get("q") or "").strip()[:60]
    codes = list(selectors.chassis_code_list(make=make, q=q))
    return render(request, "vehicles/chassiscode_list.html", {"codes": codes, "make": make, "q": q})


def truck_detail(request: HttpRequest, pk: int) -> HttpResponse:
    truck = selectors.garage_truck_get(pk=pk)
    if truck is None:
        raise Http404("No such truck.")
    is_owner = request.user.is_authenticated and request.user.pk == truck.owner_id
    history = selectors.truck_history(truck=truck)
    return render(
        request,
        "vehicles/garagetruck_detail.html",
        {
            "truck": truck,
            "is_owner": is_owner,
            "photos": list(truck.photos.all()),
            "frame_number": truck.frame_number if is_owner else mask_frame_number(truck.frame_number),
            "eligibility": import_eligibility(
                year_built=truck.year_built, month_built=truck.month_built, us_market=truck.us_market
            ),
            "history": history,
            "truck_listings": history.listings,
            "truck_threads": history.threads,
            # Links other apps add to a truck (the state guide: "Can I register it in …?").
            "truck_links": [link for links in call_hooks("truck_links", truck) for link in links or []],
        },
    )


def _save_photo(request: HttpRequest, truck, upload) -> None:  # type: ignore[no-untyped-def]
    if not upload:
        return
    from kei_community.media.services import photo_add

    try:
        photo_add(uploader=request.user, owner=truck, upload=upload)
    except ValidationError as exc:
        messages.error(request, "Photo not added: " + " ".join(exc.messages))


@login_required
def truck_create(request: HttpRequest) -> HttpResponse:
    form = GarageTruckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            truck = services.garage_truck_create(owner=request.user, **form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _save_photo(request, truck, form.cleaned_data.get("photo"))
            for warning in frame_number_warnings(truck.frame_number, known_codes=selectors.known_chassis_codes()):
                messages.warning(request, warning)
            messages.success(request, "Truck added to your garage.")
            return redirect(truck.get_absolute_url())
    return render(request, "vehicles/garagetruck_form.html", {"form": form, "creating": True})


@login_required
def truck_edit(request: HttpRequest, pk: int) -> HttpResponse:
    truck = selectors.garage_truck_get(pk=pk)
    if truck is None or truck.owner_id != request.user.pk:
        raise Http404("No such truck.")
    form = GarageTruckForm(request.POST or None, request.FILES or None, instance=truck)
    if request.method == "POST" and form.is_valid():
        try:
            services.garage_truck_update(actor=request.user, truck=truck, **form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _save_photo(request, truck, form.cleaned_data.get("photo"))
            for warning in frame_number_warnings(truck.frame_number, known_codes=selectors.known_chassis_codes()):
                messages.warning(request, warning)
            messages.success(request, "Truck saved.")
            return redirect(truck.get_absolute_url())
    return render(request, "vehicles/garagetruck_form.html", {"form": form, "truck": truck, "creating": False})


@login_required
def truck_delete(request: HttpRequest, pk: int) -> HttpResponse:
    truck = selectors.garage_truck_get(pk=pk)
    if truck is None or truck.owner_id != request.user.pk:
        raise Http404("No such truck.")
    if request.method == "POST":
        services.garage_truck_delete(actor=request.user, truck=truck)
        messages.success(request, "Truck removed from your garage.")
        return redirect("vehicles:index")
    return render(request, "vehicles/garagetruck_confirm_delete.html", {"truck": truck})
