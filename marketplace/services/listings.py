"""Creating, editing, publishing, renewing, status changes, selling and deleting listings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from kei_community.core.markdown import render_markdown
from kei_community.core.us import zip_lookup
from kei_community.moderation import limits
from kei_community.moderation.sanctions import check_not_suspended
from kei_community.vehicles.eligibility import import_eligibility
from kei_community.vehicles.models import ChassisCode
from marketplace import page_cache
from marketplace.listing_fields import (
    KEEP_AFTER_PUBLISH,
    LISTING_FIELDS,
    NUMBER_RANGES,
    PUBLISH_REQUIRED,
    chassis_year_error,
    clean_frame_number,
    range_errors,
)
from marketplace.models import KM_PER_MILE, Conversation, DealerProfile, Listing, PriceChange
from marketplace.services.rules import (
    OWNER_TRANSITIONS,
    PRICE_DROP_TASK,
    SAVED_SEARCH_ALERTS_TASK,
    Status,
    _changed,
    _check_owner,
    listing_ttl_days,
    send_task,
)


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(LISTING_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    return data


def _apply(listing: Listing, data: dict[str, Any]) -> None:
    """Copy fields, then derive what is stored: catalog fill, location, km, eligibility, markdown, slug."""
    for key, value in data.items():
        if key == "chassis_code" and isinstance(value, str):
            value = ChassisCode.objects.filter(code__iexact=value.strip()).first() if value.strip() else None
        setattr(listing, key, value)
    errors: dict[str, list[str]] = {}
    truck = listing.truck
    if truck is not None:
        if truck.owner_id != listing.seller_id:
            errors["truck"] = ["You can only list a truck from your own garage."]
        else:
            listing.chassis_code = listing.chassis_code or truck.chassis_code
            listing.make = listing.make or truck.make
            listing.model = listing.model or truck.model
            if not listing.year_built and truck.year_built:
                listing.year_built = truck.year_built
            listing.month_built = listing.month_built or truck.month_built
            listing.frame_number = listing.frame_number or truck.frame_number
    code = listing.chassis_code
    if code is not None:
        listing.make = listing.make or code.make
        listing.model = listing.model or code.model
        if not listing.drive and code.drive in ("2WD", "4WD"):
            listing.drive = code.drive
    listing.frame_number = clean_frame_number(listing.frame_number)
    listing.title = (listing.title or "").strip()
    if not listing.title and listing.make:
        listing.title = f"{listing.year_built or ''} {listing.make} {listing.model}".strip()
    errors.update(
        range_errors({name: getattr(listing, name) for name in ("year_built", "month_built", "price", "odometer")})
    )
    if (
        "year_built" not in errors
        and (listing.pk is None or {"year_built", "chassis_code", "truck"} & set(data))
        and (message := chassis_year_error(code=listing.chassis_code, year_built=listing.year_built))
    ):
        errors["year_built"] = [message]  # checked on a create and when a write touches the year or the code
    place = zip_lookup(listing.zip_code or "")
    if listing.zip_code and place is None:
        errors["zip_code"] = [f"“{listing.zip_code}” is not a US ZIP code we know."]
    if errors:
        raise ValidationError(errors)
    if place is not None:
        listing.city, listing.state, listing.lat, listing.lng = (
            place["city"],
            place["state"],
            place["lat"],
            place["lng"],
        )
    if listing.odometer is not None:
        factor = KM_PER_MILE if listing.odometer_unit == Listing.OdometerUnit.MI else 1
        listing.odometer_km = round(int(listing.odometer) * factor)
    else:
        listing.odometer_km = None
    if listing.year_built:
        elig = import_eligibility(
            year_built=int(listing.year_built), month_built=listing.month_built, us_market=listing.us_market
        )
        listing.import_eligible_on = elig.nhtsa_date
    listing.description_html = render_markdown(listing.description)
    listing.slug = (slugify(listing.title) or "truck")[:140]


def _save(listing: Listing, *, before: dict[str, Any] | None = None) -> Listing:
    """Validate and save; `before`: the search fields' values before an edit (a search sees no change
    unless one of them changed)."""
    listing.full_clean(exclude=["slug"])
    listing.save()
    search = before is None or any(before[f] != getattr(listing, f) for f in before)
    was = before or {}
    _changed(listing, search=search, makes=was.get("make", ""), place=(was.get("lat"), was.get("lng")))
    return listing


@transaction.atomic
def listing_create(*, seller: Any, data: dict[str, Any], publish: bool = False) -> Listing:
    """Create a draft (or publish at once). Data keys are model field names."""
    if seller is None or not seller.is_authenticated:
        raise PermissionDenied("Sign in to sell a truck.")
    check_not_suspended(seller)
    _clean_data(data)
    limits.check_new_account_cap(
        user=seller,
        action="listing",
        count_today=Listing.objects.filter(seller=seller, created_at__gte=limits.start_of_day()).count(),
    )
    listing = Listing(seller=seller)
    if DealerProfile.objects.filter(user=seller).exists() and "seller_type" not in data:
        listing.seller_type = Listing.SellerType.DEALER
    _apply(listing, data)
    _save(listing)
    if publish:
        listing_publish(actor=seller, listing=listing)
    return listing


@transaction.atomic
def listing_update(*, actor: Any, listing: Listing, data: dict[str, Any]) -> Listing:
    _check_owner(actor, listing)
    if listing.status in (Status.SOLD, Status.REMOVED) and set(data) - {"description", "condition_notes"}:
        raise ValidationError("A sold or removed listing can no longer be changed.")
    _clean_data(data)
    before = Listing.objects.filter(pk=listing.pk).values(*page_cache.SEARCH_FIELDS).first()
    old_price = before["price"] if before else None
    _apply(listing, data)
    if listing.status != Status.DRAFT and (empty := [f for f in KEEP_AFTER_PUBLISH if not getattr(listing, f)]):
        raise ValidationError({f: [PUBLISH_REQUIRED[f]] for f in empty})  # only drafts may lack them
    _save(listing, before=before)
    if (
        old_price is not None
        and listing.price is not None
        and listing.price != old_price
        and listing.status == Status.ACTIVE
    ):
        change = PriceChange.objects.create(listing=listing, old_price=old_price, new_price=listing.price)
        if listing.price < old_price:
            transaction.on_commit(lambda: send_task(PRICE_DROP_TASK, change.pk))
    return listing


def listing_min_ready_photos() -> int:
    return int(getattr(settings, "LISTING_MIN_READY_PHOTOS", 1))


def publish_problems(listing: Listing) -> dict[str, list[str]]:
    """The one rule for what a listing needs before it goes live (PUBLISH_REQUIRED fields and at least
    LISTING_MIN_READY_PHOTOS ready photos): {field: [message]}, empty when it may be published. The
    sell flow's review step shows it; listing_publish (pages and API) refuses with it."""
    problems = {f: [message] for f, message in PUBLISH_REQUIRED.items() if not getattr(listing, f)}
    need = listing_min_ready_photos()
    if need > 0:
        from kei_community.media.models import Photo

        ready = listing.photos.filter(status=Photo.Status.READY).count()
        if ready < need:
            problems["photos"] = [
                f"Add at least {need} photo{'s' if need > 1 else ''} and wait until "
                f"{'they are' if need > 1 else 'it is'} processed ({ready} ready so far)."
            ]
    return problems


@transaction.atomic
def listing_publish(*, actor: Any, listing: Listing) -> Listing:
    _check_owner(actor, listing)
    if listing.status not in (Status.DRAFT, Status.EXPIRED, Status.ACTIVE):
        raise ValidationError(f"A listing that is {listing.get_status_display().lower()} cannot be published.")
    problems = publish_problems(listing)
    if problems:
        raise ValidationError(problems)
    cap = int(getattr(settings, "LISTING_MAX_ACTIVE_PER_SELLER", 50))
    if (
        listing.status != Status.ACTIVE
        and Listing.objects.filter(seller=listing.seller, status=Status.ACTIVE).exclude(pk=listing.pk).count() >= cap
    ):
        raise ValidationError(f"You already have {cap} active listings; mark some sold before publishing another.")
    now = timezone.now()
    first_time = listing.published_at is None
    has_prior = (
        Listing.objects.filter(seller=listing.seller, published_at__isnull=False).exclude(pk=listing.pk).exists()
    )
    listing.held_for_review = first_time and limits.held_for_review(user=listing.seller, has_prior_content=has_prior)
    listing.status = Status.ACTIVE
    listing.published_at = listing.published_at or now
    listing.expires_at = now + timedelta(days=listing_ttl_days())
    listing.reminder_sent_at = None
    listing.save(
        update_fields=["status", "published_at", "expires_at", "reminder_sent_at", "held_for_review", "updated_at"]
    )
    _changed(listing)
    if first_time and not listing.held_for_review:
        transaction.on_commit(lambda: send_task(SAVED_SEARCH_ALERTS_TASK, listing.pk))
    return listing


def listing_renew(*, actor: Any, listing: Listing) -> Listing:
    """One-click renewal: another LISTING_TTL_DAYS from now (active or expired listings)."""
    _check_owner(actor, listing)
    if listing.status not in (Status.ACTIVE, Status.EXPIRED):
        raise ValidationError("Only active or expired listings can be renewed.")
    return listing_publish(actor=actor, listing=listing)


@transaction.atomic
def listing_set_status(*, actor: Any, listing: Listing, status: str, sold_price: int | None = None) -> Listing:
    _check_owner(actor, listing)
    if status == listing.status:
        return listing
    if status not in Status.values:
        raise ValidationError({"status": [f"Unknown status “{status}”."]})
    if status not in OWNER_TRANSITIONS.get(listing.status, set()):
        raise ValidationError(
            {
                "status": [
                    f"A {listing.get_status_display().lower()} listing cannot become {Status(status).label.lower()}."
                ]
            }
        )
    if status == Status.ACTIVE:
        return listing_publish(actor=actor, listing=listing)
    listing.status = status
    fields = ["status", "updated_at"]
    if status == Status.SOLD:
        if message := NUMBER_RANGES["sold_price"].error(sold_price):
            raise ValidationError({"sold_price": [message]})
        listing.sold_at = timezone.now()
        listing.sold_price = sold_price
        fields += ["sold_at", "sold_price"]
    listing.save(update_fields=fields)
    _changed(listing)
    return listing


@transaction.atomic
def listing_mark_sold(
    *, actor: Any, listing: Listing, sold_price: int | None = None, buyer_id: int | None = None
) -> Listing:
    """Mark sold; with a buyer (someone who wrote about this listing) the garage truck moves to their garage,
    so its history (listings, build threads) follows it."""
    buyer = None
    if buyer_id:
        conversation = Conversation.objects.filter(listing=listing, buyer_id=buyer_id).select_related("buyer").first()
        if conversation is None:
            raise ValidationError({"buyer": ["Choose a member who wrote to you about this truck."]})
        buyer = conversation.buyer
    listing_set_status(actor=actor, listing=listing, status=Status.SOLD, sold_price=sold_price)
    if buyer is not None and listing.truck is not None:
        from kei_community.vehicles.services import garage_truck_transfer

        garage_truck_transfer(actor=actor, truck=listing.truck, new_owner=buyer)
    return listing


@transaction.atomic
def listing_delete(*, actor: Any, listing: Listing) -> None:
    _check_owner(actor, listing)
    _changed(listing)  # before the delete: the tags name its id
    listing.photos.all().delete()
    listing.delete()
