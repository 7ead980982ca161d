"""A moderator's review of a listing held for review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from kei_community.core.types import AuthenticatedHttpRequest
from kei_community.users.permissions import moderator_required
from marketplace import services
from marketplace.models import Listing
from marketplace.views.common import _flash_error


@moderator_required
def listing_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(Listing.objects.select_related("seller"), pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            if request.POST.get("decision") == "approve":
                services.listing_approve(actor=request.user, listing=listing)
                messages.success(request, "Listing approved and visible.")
            elif request.POST.get("decision") == "remove":
                try:
                    services.listing_remove(
                        actor=request.user, listing=listing, note=request.POST.get("note", "")[:500]
                    )
                except ValidationError as exc:
                    _flash_error(request, exc)
                else:
                    messages.success(request, "Listing removed.")
        return redirect(reverse("moderation:queue"))
    return render(request, "marketplace/listing_review.html", {"listing": listing})
