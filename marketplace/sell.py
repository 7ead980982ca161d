"""The sell flow: truck → condition → photos → price and place → review, each step saved on a draft listing.

Thin views: the step forms are ListingForm cut to a step (marketplace.sell_forms), writes go through
marketplace.services (listing_create / listing_update / listing_photo_add / listing_publish), and the rule for
publishing is services.publish_problems. Everything works with plain form posts; static/js/listing_sell.js
uploads photos in the background (the listing photos API) and static/js/listing_photos.js reorders them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kei_community.core.ids import parse_id
from kei_community.core.types import AuthenticatedHttpRequest
from marketplace import services
from marketplace.forms import PhotoUploadForm
from marketplace.models import Listing
from marketplace.sell_forms import (
    STEP_SLUGS,
    STEPS,
    SellStepForm,
    initial_for_step,
    initial_from_truck,
    step_of_field,
)
from marketplace.warnings import listing_seller_warnings


def step_url(listing: Listing, step: str) -> str:
    return reverse("marketplace:sell-step", args=[listing.pk, step])


def _draft(request: AuthenticatedHttpRequest, pk: int) -> Listing:
    listing = get_object_or_404(Listing.objects.select_related("chassis_code", "truck"), pk=pk)
    if listing.seller_id != request.user.pk:
        raise Http404("No such listing.")  # another member's draft is not revealed
    return listing


def _form_errors(form: Any) -> list[dict[str, str]]:
    """The error summary's entries: each message linked to its field (non-field errors to the form)."""
    entries = []
    for name, errors in form.errors.items():
        href = f"#{form[name].auto_id}" if name in form.fields else "#sell-form"
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            entries.append({"href": href, "label": str(label or ""), "message": str(message)})
    return entries


def _errors_into(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _context(step: str, listing: Listing | None, **extra: Any) -> dict[str, Any]:
    index = STEP_SLUGS.index(step)
    steps = [
        {"slug": slug, "label": label, "number": i + 1, "url": step_url(listing, slug) if listing else ""}
        for i, (slug, label) in enumerate(STEPS)
    ]
    return {
        "listing": listing,
        "step": step,
        "steps": steps,
        "current": steps[index],
        "previous": steps[index - 1] if index else None,
        "next": steps[index + 1] if index + 1 < len(steps) else None,
        **extra,
    }


@login_required
def sell_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1 for a new draft (?truck=<id> fills it from a garage truck of yours)."""
    truck_id = parse_id(request.GET.get("truck"))
    initial = initial_from_truck(user=request.user, truck_id=truck_id)
    form = SellStepForm(
        request.POST or None, step="truck", user=request.user, instance=Listing(seller=request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_create(seller=request.user, data=form.service_data())
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, "Draft saved. You can come back to it any time from My listings.")
            return redirect(step_url(listing, "condition"))
    status = 400 if form.is_bound else 200
    context = _context("truck", None, form=form, errors=_form_errors(form) if form.is_bound else [])
    return render(request, "marketplace/listing_sell_step.html", context, status=status)


@login_required
def sell_step(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    listing = _draft(request, pk)
    if step not in STEP_SLUGS:
        raise Http404("No such step.")
    if listing.status != Listing.Status.DRAFT:
        messages.info(request, "This listing is already published; edit it here.")
        return redirect("marketplace:listing-edit", pk=listing.pk)
    if step == "photos":
        return _photos_step(request, listing)
    if step == "review":
        return _review_step(request, listing)
    form = SellStepForm(
        request.POST or None,
        step=step,
        user=request.user,
        instance=listing,
        initial=initial_for_step(step=step, listing=listing, user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_update(actor=request.user, listing=listing, data=form.service_data())
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            ctx = _context(step, listing)
            target = ctx["previous"] if request.POST.get("nav") == "back" else ctx["next"]
            return redirect(target["url"])
    status = 400 if form.is_bound else 200
    warnings = getattr(form, "warnings", []) if form.is_bound else listing_seller_warnings(listing)
    context = _context(step, listing, form=form, errors=_form_errors(form) if form.is_bound else [], warnings=warnings)
    return render(request, "marketplace/listing_sell_step.html", context, status=status)


def _photos_step(request: AuthenticatedHttpRequest, listing: Listing) -> HttpResponse:
    """Photos are attached to the draft as they arrive (in the background with JavaScript, or by this plain
    multipart post without it), so no later form error can lose them."""
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, str]] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            added = 0
            for upload in form.cleaned_data["photos"]:
                try:
                    services.listing_photo_add(actor=request.user, listing=listing, upload=upload)
                    added += 1
                except ValidationError as exc:
                    form.add_error("photos", f"{getattr(upload, 'name', 'Photo')}: {' '.join(exc.messages)}")
            if added:
                messages.success(request, f"{added} photo{'s' if added > 1 else ''} added.")
            if form.is_valid():
                return redirect(step_url(listing, "photos"))
        errors, status = _form_errors(form), 400
    photos = list(listing.photos.order_by("position", "id"))
    context = _context(
        "photos",
        listing,
        form=form,
        errors=errors,
        photos=photos,
        upload_url=reverse("api:listing-photos", args=[listing.pk]),
        photo_url=reverse("api:photo-detail", args=[1]).removesuffix("1/"),  # + id + "/"
        min_ready=services.listing_min_ready_photos(),
    )
    return render(request, "marketplace/listing_sell_photos.html", context, status=status)


def _review_step(request: AuthenticatedHttpRequest, listing: Listing) -> HttpResponse:
    status = 200
    problems = services.publish_problems(listing)
    failed = False
    if request.method == "POST":
        try:
            services.listing_publish(actor=request.user, listing=listing)
        except ValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            failed, status = True, 400
        else:
            if listing.held_for_review:
                messages.info(
                    request,
                    "Published. As a new member, your first listing is shown once a moderator has looked at it.",
                )
            else:
                messages.success(request, "Your listing is live.")
            return redirect(listing.get_absolute_url())
    errors = []
    for field, msgs in problems.items():
        step = step_of_field(field)
        href = step_url(listing, step) + ("" if step in ("photos", "review") else f"#id_{field}")
        for message in msgs:
            errors.append({"href": href, "label": dict(STEPS)[step], "message": message})
    photos = list(listing.photos.order_by("position", "id"))
    context = _context(
        "review",
        listing,
        errors=errors,
        failed=failed,
        photos=photos,
        warnings=listing_seller_warnings(listing),
    )
    return render(request, "marketplace/listing_sell_review.html", context, status=status)
