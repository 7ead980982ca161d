"""What the marketplace's views share: turning a service's ValidationError into form errors or flash
messages, and looking up a listing its seller owns or any reader may see."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from kei_community.core.types import AuthenticatedHttpRequest
from marketplace.models import Listing


def _errors_to_form(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _flash_error(request: HttpRequest, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _owned_listing(request: AuthenticatedHttpRequest, pk: int) -> Listing:
    listing = get_object_or_404(Listing.objects.select_related("seller", "chassis_code"), pk=pk)
    if listing.seller_id != request.user.pk:
        raise Http404("No such listing.")  # don't reveal other members' drafts
    return listing


def _public_listing(pk: int) -> Listing:
    listing = get_object_or_404(Listing.objects.select_related("seller"), pk=pk)
    if not listing.is_public:
        raise Http404("No such listing.")
    return listing
