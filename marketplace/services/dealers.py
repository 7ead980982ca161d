"""Dealer profiles."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from marketplace import page_cache
from marketplace.models import DealerProfile, Listing


@transaction.atomic
def dealer_profile_save(*, user: Any, data: dict[str, Any]) -> DealerProfile:
    if not user or not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    allowed = {"business_name", "city", "state", "website", "phone", "show_phone", "about"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({k: ["Unknown field."] for k in unknown})
    profile = DealerProfile.objects.filter(user=user).first() or DealerProfile(user=user)
    for key, value in data.items():
        setattr(profile, key, value)
    if not profile.slug:
        base = slugify(profile.business_name) or f"dealer-{user.pk}"
        profile.slug = base if not DealerProfile.objects.filter(slug=base).exists() else f"{base}-{user.pk}"
    profile.full_clean()
    profile.save()
    listings = Listing.objects.filter(seller=user)
    rows = list(listings.values_list("pk", "make"))
    listings.update(seller_type=Listing.SellerType.DEALER)
    # Their trucks' cards and pages (dealer badge), every page naming them and the searches their trucks are in.
    page_cache.member_changed(user.pk, makes={make for _, make in rows}, listings=[pk for pk, _ in rows])
    return profile
