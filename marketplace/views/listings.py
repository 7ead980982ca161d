"""A seller's own listing: edit, photos (add, order, cover, delete), publish, status and delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kei_community.core.ids import parse_id
from kei_community.core.redirects import next_url
from kei_community.core.types import AuthenticatedHttpRequest
from marketplace import services
from marketplace.forms import ListingForm, PhotoUploadForm, SoldForm
from marketplace.models import Listing
from marketplace.views.common import _errors_to_form, _flash_error, _owned_listing
from marketplace.warnings import listing_seller_warnings


def _add_photos(request: AuthenticatedHttpRequest, listing: Listing, uploads: list) -> int:
    added = 0
    for upload in uploads:
        try:
            services.listing_photo_add(actor=request.user, listing=listing, upload=upload)
            added += 1
        except ValidationError as exc:
            messages.error(request, f"{getattr(upload, 'name', 'Photo')}: {' '.join(exc.messages)}")
    return added


@login_required
def listing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    form = ListingForm(request.POST or None, instance=listing, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_update(actor=request.user, listing=listing, data=form.service_data())
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Listing saved.")
            for warning in listing_seller_warnings(listing):
                messages.warning(request, warning)
            return redirect(listing.get_absolute_url())
    return render(request, "marketplace/listing_form.html", {"form": form, "listing": listing, "creating": False})


@login_required
def listing_photos(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["photos"]
        added = _add_photos(request, listing, uploads)
        if added:
            messages.success(request, f"{added} photo(s) added.")
        if added == len(uploads):
            return redirect("marketplace:listing-photos", pk=listing.pk)
        # A refused photo (bad file, too many, new-account cap): show the page with the reason.
        form, status = PhotoUploadForm(), 400
    photos = list(listing.photos.order_by("position", "id"))
    context = {"listing": listing, "photos": photos, "form": form, "warnings": listing_seller_warnings(listing)}
    return render(request, "marketplace/listing_photos.html", context, status=status)


@login_required
@require_POST
def listing_photos_order(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Save a whole new photo order (drag and drop): POST `order` once per photo id, first to last."""
    listing = _owned_listing(request, pk)
    try:
        services.listing_photos_reorder(actor=request.user, listing=listing, ordered_ids=request.POST.getlist("order"))
    except ValidationError as exc:
        return JsonResponse({"detail": " ".join(exc.messages)}, status=400)
    return HttpResponse(status=204)


@login_required
@require_POST
def listing_photo_action(request: AuthenticatedHttpRequest, pk: int, photo_id: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    action = request.POST.get("action", "")
    try:
        if action in ("up", "down"):
            ids = list(listing.photos.order_by("position", "id").values_list("pk", flat=True))
            if photo_id not in ids:
                raise ValidationError("That photo is not on this listing.")
            i = ids.index(photo_id)
            j = i - 1 if action == "up" else i + 1
            if 0 <= j < len(ids):
                ids[i], ids[j] = ids[j], ids[i]
            services.listing_photos_reorder(actor=request.user, listing=listing, ordered_ids=ids)
        elif action == "cover":
            services.listing_photo_set_cover(actor=request.user, listing=listing, photo_id=photo_id)
        elif action == "delete":
            services.listing_photo_delete(actor=request.user, listing=listing, photo_id=photo_id)
        else:
            raise ValidationError("Unknown photo action.")
    except ValidationError as exc:
        _flash_error(request, exc)
    # `next`: the sell flow's photos step posts here too and comes back to itself.
    return redirect(next_url(request, fallback=reverse("marketplace:listing-photos", args=[listing.pk])))


@login_required
@require_POST
def listing_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    try:
        services.listing_publish(actor=request.user, listing=listing)
    except ValidationError as exc:
        _flash_error(request, exc)
        if listing.status == Listing.Status.DRAFT:  # the sell flow's review step lists what is missing
            return redirect("marketplace:sell-step", pk=listing.pk, step="review")
        return redirect("marketplace:listing-edit", pk=listing.pk)
    if listing.held_for_review:
        messages.info(
            request, "Published. As a new member, your first listing is shown once a moderator has looked at it."
        )
    else:
        messages.success(request, "Your listing is live.")
    return redirect(listing.get_absolute_url())


@login_required
@require_POST
def listing_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    status = request.POST.get("status", "")
    try:
        if request.POST.get("renew"):
            services.listing_renew(actor=request.user, listing=listing)
            messages.success(request, "Renewed for another period.")
        elif status == Listing.Status.SOLD:
            form = SoldForm(request.POST)
            if not form.is_valid():
                raise ValidationError(list(form.errors.get("sold_price") or ["Check the sold price."]))
            services.listing_mark_sold(
                actor=request.user, listing=listing, sold_price=form.cleaned_data["sold_price"],
                buyer_id=parse_id(request.POST.get("buyer")),
            )  # fmt: skip
            messages.success(request, "Marked as sold. Congratulations!")
        else:
            services.listing_set_status(actor=request.user, listing=listing, status=status)
            messages.success(request, f"Listing is now {listing.get_status_display().lower()}.")
    except ValidationError as exc:
        _flash_error(request, exc)
    return redirect(next_url(request, fallback=listing.get_absolute_url()))


@login_required
def listing_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = _owned_listing(request, pk)
    if request.method == "POST":
        services.listing_delete(actor=request.user, listing=listing)
        messages.success(request, "Listing deleted.")
        return redirect("marketplace:dashboard")
    return render(request, "marketplace/listing_confirm_delete.html", {"listing": listing})
