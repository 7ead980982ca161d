"""Writes for the marketplace. Permissions are checked here; Celery work is enqueued after commit."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from kei_community.core.markdown import render_markdown
from kei_community.core.us import zip_lookup
from kei_community.moderation import limits
from kei_community.moderation.sanctions import check_not_suspended
from kei_community.notifications.services import notification_create, notification_create_many
from kei_community.vehicles.eligibility import import_eligibility
from kei_community.vehicles.frame import normalize_frame_number
from kei_community.vehicles.models import ChassisCode
from marketplace import page_cache
from marketplace.models import (
    KM_PER_MILE,
    Conversation,
    DealerProfile,
    Favorite,
    Listing,
    Message,
    PriceChange,
    Question,
    SavedSearch,
)

if TYPE_CHECKING:
    from django.http import QueryDict

    from kei_community.media.models import Photo

logger = logging.getLogger(__name__)

LISTING_FIELDS = (
    "title", "truck", "seller_type", "make", "model", "chassis_code", "frame_number", "show_full_frame_number",
    "year_built", "month_built", "us_market", "registered_as", "odometer", "odometer_unit", "transmission",
    "drive", "hi_lo", "diff_lock", "bed_type", "air_conditioning", "power_steering", "colour",
    "condition_notes", "title_status", "location_status", "zip_code", "price", "negotiable", "description",
)  # fmt: skip

Status = Listing.Status
# Which status the owner may move a listing to, from each status.
OWNER_TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.ACTIVE},
    Status.ACTIVE: {Status.PENDING, Status.SOLD, Status.DRAFT},
    Status.PENDING: {Status.ACTIVE, Status.SOLD},
    Status.EXPIRED: {Status.ACTIVE, Status.SOLD},
    Status.SOLD: set(),
    Status.REMOVED: set(),
}

SCAM_PATTERNS = re.compile(
    r"wire transfer|western union|moneygram|gift ?cards?|itunes card|steam card|shipping agent|"
    r"escrow agent|zelle|crypto|bitcoin|whats ?app|telegram|text me at|e-?mail me at|outside (?:of )?this site|"
    r"off[- ]site",
    re.IGNORECASE,
)
SCAM_WARNING = (
    "Careful: this message mentions wire transfers, gift cards, shipping agents or moving off the site. "
    "These are common in scams. Never pay before you have seen the truck and its papers."
)


def listing_ttl_days() -> int:
    return int(getattr(settings, "LISTING_TTL_DAYS", 60))


def is_seller(actor: Any, listing: Listing) -> bool:
    """The one rule for changing a listing (and managing its photos): its seller, signed in."""
    return actor is not None and actor.is_authenticated and actor.pk == listing.seller_id


def _check_owner(actor: Any, listing: Listing) -> None:
    if not is_seller(actor, listing):
        raise PermissionDenied("Only the seller can change this listing.")
    check_not_suspended(actor)


def _clean_data(data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(LISTING_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    return data


CHASSIS_YEAR_SLACK = 1  # sources disagree on the first and last model year of a chassis code by about a year


def chassis_year_error(*, code: ChassisCode | None, year_built: Any) -> str:
    """The one rule for a listing's build year against its chassis code's production years (the catalog's
    years_from-years_to, give or take CHASSIS_YEAR_SLACK): "" when they agree, else the message. _apply
    refuses a write with it; the listing form shows it with its other errors and the API answers 400."""
    if code is None or not code.years_from or year_built in (None, ""):
        return ""
    year = int(year_built)
    last = code.years_to or timezone.now().year
    if code.years_from - CHASSIS_YEAR_SLACK <= year <= last + CHASSIS_YEAR_SLACK:
        return ""
    return (
        f"The {code.make} {code.model} {code.code} was built {code.years_label}, so a truck built in {year} "
        f"cannot be a {code.code}. Check the year built and the chassis code."
    )


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
    listing.frame_number = normalize_frame_number(listing.frame_number)
    listing.title = (listing.title or "").strip()
    if not listing.title and listing.make:
        listing.title = f"{listing.year_built or ''} {listing.make} {listing.model}".strip()
    this_year = timezone.now().year
    if listing.year_built is not None and not 1960 <= int(listing.year_built) <= this_year:
        errors["year_built"] = [f"Year built must be between 1960 and {this_year}."]
    elif (listing.pk is None or {"year_built", "chassis_code", "truck"} & set(data)) and (
        message := chassis_year_error(code=listing.chassis_code, year_built=listing.year_built)
    ):
        errors["year_built"] = [message]  # checked on a create and when a write touches the year or the code
    if listing.month_built is not None and not 1 <= int(listing.month_built) <= 12:
        errors["month_built"] = ["Month built must be between 1 and 12."]
    if listing.price is not None and int(listing.price) <= 0:
        errors["price"] = ["Enter a price above $0."]
    if listing.odometer is not None and int(listing.odometer) < 0:
        errors["odometer"] = ["The odometer cannot be negative."]
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
    _changed(listing, search=search, makes=(before or {}).get("make", ""))
    return listing


def _changed(listing: Listing, *, search: bool = True, makes: str = "") -> None:
    """Fire the listing's cache tags (now, and again once the transaction commits); with `search`, the tags
    of the cached searches it may join or leave too (its make now and `makes`, its make before)."""
    page_cache.listing_changed(listing.pk, makes=(listing.make, makes), search=search)


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
    if listing.status != Status.DRAFT and (empty := [f for f in ("price", "zip_code") if not getattr(listing, f)]):
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
            from marketplace import tasks

            transaction.on_commit(lambda: tasks.safe_delay(tasks.notify_price_drop, change.pk))
    return listing


PUBLISH_REQUIRED = {
    "title": "Give the listing a title.",
    "make": "Enter the make.",
    "year_built": "Enter the year built.",
    "drive": "Choose the drive (2WD or 4WD).",
    "transmission": "Choose the transmission.",
    "price": "Enter the price.",
    "zip_code": "Enter the ZIP code where the truck is.",
}


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
        from marketplace import tasks

        transaction.on_commit(lambda: tasks.safe_delay(tasks.saved_search_alerts_for_listing, listing.pk))
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
        if sold_price is not None and not 0 < int(sold_price) <= 500_000:
            raise ValidationError({"sold_price": ["Enter the sold price in whole dollars above $0."]})
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


VIEWS_BATCH = 50


def views_key(listing_id: int) -> str:
    return f"mkt:views:{listing_id}"


def listing_record_view(*, listing_id: int) -> None:
    """Count a page view. Views are counted in the cache and written to the row in batches of
    VIEWS_BATCH (one UPDATE per batch instead of a row write per page view); selectors add the views
    not written yet. Without a working cache every view is written at once."""
    from django.core.cache import cache

    key = views_key(listing_id)
    try:
        seen = cache.incr(key)
    except ValueError:  # first view since the counter was created or evicted
        seen = 1 if cache.add(key, 1, None) else _incr_or_zero(key)
    if seen <= 0:  # cache unreachable (fails open): write this view now
        Listing.objects.filter(pk=listing_id).update(views_count=F("views_count") + 1)
    elif seen % VIEWS_BATCH == 0:  # exactly one caller sees each multiple of VIEWS_BATCH
        Listing.objects.filter(pk=listing_id).update(views_count=F("views_count") + VIEWS_BATCH)


def _incr_or_zero(key: str) -> int:
    from django.core.cache import cache

    try:
        return int(cache.incr(key))
    except ValueError:
        return 0


# --- moderation --------------------------------------------------------------


def listing_hide(listing: Listing) -> None:
    Listing.objects.filter(pk=listing.pk).update(hidden=True)
    _changed(listing)


def listing_restore(listing: Listing) -> None:
    Listing.objects.filter(pk=listing.pk).update(hidden=False, held_for_review=False)
    _changed(listing)


@transaction.atomic
def listing_approve(*, actor: Any, listing: Listing) -> Listing:
    from kei_community.moderation.services import audit_record
    from kei_community.users.permissions import check_moderator

    check_moderator(actor)
    listing.held_for_review = False
    listing.save(update_fields=["held_for_review", "updated_at"])
    _changed(listing)
    audit_record(actor=actor, action="listing_approve", target=listing, before={"held": True}, after={"held": False})
    transaction.on_commit(lambda: _enqueue_alerts(listing.pk))
    return listing


def _enqueue_alerts(listing_id: int) -> None:
    from marketplace import tasks

    tasks.safe_delay(tasks.saved_search_alerts_for_listing, listing_id)


def listing_remove(*, actor: Any, listing: Listing, note: str = "") -> Listing:
    """A moderator removes a listing (the held-listing review page): kei_community.moderation's
    content_remove, so the seller is told why, its reports are closed and it is audited."""
    from kei_community.moderation.services import content_remove

    content_remove(actor=actor, target=listing, reason=note or REMOVED_DEFAULT_REASON)
    listing.refresh_from_db(fields=["status", "updated_at"])
    return listing


REMOVED_DEFAULT_REASON = "It does not follow the marketplace rules."


# Handlers registered with kei_community.moderation (MarketplaceConfig.ready): the moderation services
# check the moderator, audit, close the reports and tell the owner; these change the marketplace's rows.


def listing_take_down(listing: Listing, **_: Any) -> dict[str, Any]:
    """Removed by a moderator: out of search, the home page, lists, counts and the API; its page is 410."""
    before = {"status": listing.status}
    listing.status = Status.REMOVED
    listing.save(update_fields=["status", "updated_at"])
    _changed(listing)
    return before


def listing_put_back(listing: Listing, *, state: dict[str, Any], **_: Any) -> None:
    """Restored: the status it had (expired if its time ran out meanwhile)."""
    status = state.get("status")
    if status not in Status.values or status == Status.REMOVED:
        status = Status.DRAFT
    if status == Status.ACTIVE and listing.expires_at is not None and listing.expires_at <= timezone.now():
        status = Status.EXPIRED
    listing.status = status
    listing.save(update_fields=["status", "updated_at"])
    _changed(listing)


def listing_photos_changed(listing: Listing) -> None:
    """A moderator removed or restored one of its photos."""
    _changed(listing, search=False)


def question_take_down(question: Question, **_: Any) -> dict[str, Any]:
    before = {"hidden": question.hidden}
    Question.objects.filter(pk=question.pk).update(hidden=True)
    question.hidden = True
    _changed(question.listing, search=False)
    return before


def question_put_back(question: Question, **_: Any) -> None:
    Question.objects.filter(pk=question.pk).update(hidden=False)
    question.hidden = False
    _changed(question.listing, search=False)


def message_take_down(message: Message, **_: Any) -> dict[str, Any]:
    """The removal itself hides it from the other member (selectors.conversation_messages)."""
    return {}


def message_put_back(message: Message, **_: Any) -> None:
    return None


def member_moderated(member: Any) -> None:
    """A member was suspended or reinstated: their listings leave or rejoin search at once."""
    makes = set(Listing.objects.filter(seller=member).values_list("make", flat=True).distinct())
    page_cache.member_changed(member.pk, makes=makes)


# --- photos (through kei_community.media) -------------------------------------


def _check_photo_cap(actor: Any) -> None:
    """New accounts may add NEW_ACCOUNT_DAILY_CAPS["image"] listing photos a day (like their other caps)."""
    if not limits.is_new_account(actor):
        return
    from django.contrib.contenttypes.models import ContentType

    from kei_community.media.models import Photo

    # Lock the member's row until the photo is saved, so two uploads at once cannot both pass the cap.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    count = Photo.objects.filter(
        uploader=actor, owner_type=ContentType.objects.get_for_model(Listing), created_at__gte=limits.start_of_day()
    ).count()
    limits.check_new_account_cap(user=actor, action="image", count_today=count)


def listing_photo_add(*, actor: Any, listing: Listing, upload: Any) -> Photo:
    from kei_community.media.services import photo_add

    _check_owner(actor, listing)
    with transaction.atomic():
        _check_photo_cap(actor)
        photo = photo_add(uploader=actor, owner=listing, upload=upload, max_photos=settings.PHOTO_MAX_PER_OBJECT)
    _changed(listing, search=False)
    return photo


def listing_photos_reorder(*, actor: Any, listing: Listing, ordered_ids: list[Any]) -> None:
    """`ordered_ids` as given (form or JSON values): the media service checks they are whole numbers
    naming each of the listing's photos once."""
    from kei_community.media.services import photos_reorder

    _check_owner(actor, listing)
    photos_reorder(owner=listing, ordered_ids=ordered_ids)
    _changed(listing, search=False)


def listing_photo_delete(*, actor: Any, listing: Listing, photo_id: int) -> None:
    from kei_community.media.services import photo_delete

    _check_owner(actor, listing)
    photo = listing.photos.filter(pk=photo_id).first()
    if photo is None:
        raise ValidationError({"photo": ["That photo is not on this listing."]})
    photo_delete(actor=actor, photo=photo)
    _changed(listing, search=False)


def listing_photo_set_cover(*, actor: Any, listing: Listing, photo_id: int) -> None:
    from kei_community.media.services import photo_set_cover

    _check_owner(actor, listing)
    photo = listing.photos.filter(pk=photo_id).first()
    if photo is None:
        raise ValidationError({"photo": ["That photo is not on this listing."]})
    photo_set_cover(photo=photo)
    _changed(listing, search=False)


# --- favourites and saved searches ----------------------------------------------


@transaction.atomic
def favorite_add(*, user: Any, listing: Listing) -> Favorite:
    if not user or not user.is_authenticated:
        raise PermissionDenied("Sign in to save favourites.")
    if not listing.is_public:
        raise ValidationError("This listing is not available.")
    fav, created = Favorite.objects.get_or_create(user=user, listing=listing)
    if created:
        Listing.objects.filter(pk=listing.pk).update(favorites_count=F("favorites_count") + 1)
    return fav


@transaction.atomic
def favorite_remove(*, user: Any, listing: Listing) -> None:
    deleted, _ = Favorite.objects.filter(user=user, listing=listing).delete()
    if deleted:
        Listing.objects.filter(pk=listing.pk, favorites_count__gt=0).update(favorites_count=F("favorites_count") - 1)


def saved_search_create(
    *, user: Any, name: str, query: str, frequency: str = SavedSearch.Frequency.DAILY
) -> SavedSearch:
    from marketplace.filters import parse_search_params

    if not user or not user.is_authenticated:
        raise PermissionDenied("Sign in to save searches.")
    _, errors = parse_search_params(_querydict(query))
    if errors:
        raise ValidationError({"query": [f"{k}: {v}" for k, v in errors.items()]})
    saved = SavedSearch(
        user=user, name=(name or "My search").strip()[:80], query=query.lstrip("?"), frequency=frequency
    )
    saved.full_clean()
    saved.save()
    return saved


def saved_search_update(*, actor: Any, saved_search: SavedSearch, **data: Any) -> SavedSearch:
    if actor is None or actor.pk != saved_search.user_id:
        raise PermissionDenied("This is not your saved search.")
    for key in ("name", "frequency"):
        if key in data:
            setattr(saved_search, key, data[key])
    saved_search.full_clean()
    saved_search.save()
    return saved_search


def saved_search_delete(*, actor: Any, saved_search: SavedSearch) -> None:
    if actor is None or actor.pk != saved_search.user_id:
        raise PermissionDenied("This is not your saved search.")
    saved_search.delete()


def _querydict(query: str) -> QueryDict:
    from django.http import QueryDict

    return QueryDict(query.lstrip("?"))


# --- conversations -------------------------------------------------------------


def _check_message_cap(sender: Any) -> None:
    """Every member: MESSAGE_RATE_PER_MINUTE / _PER_DAY (RateLimited); young accounts: the daily cap."""
    check_not_suspended(sender)
    limits.check_rate(
        user=sender, done=Message.objects.filter(sender=sender), rates=limits.message_rates(), noun="messages"
    )
    limits.check_new_account_cap(
        user=sender,
        action="message",
        count_today=Message.objects.filter(sender=sender, created_at__gte=limits.start_of_day()).count(),
    )


@transaction.atomic
def conversation_start(*, buyer: Any, listing: Listing, body: str) -> Conversation:
    """One conversation per (listing, buyer); writing again appends to it."""
    if not buyer or not buyer.is_authenticated:
        raise PermissionDenied("Sign in to contact the seller.")
    if buyer.pk == listing.seller_id:
        raise ValidationError("You cannot message yourself about your own listing.")
    if listing.status not in (Status.ACTIVE, Status.PENDING) or listing.hidden:
        raise ValidationError("This listing is no longer available, so the seller cannot be contacted.")
    conversation, _ = Conversation.objects.get_or_create(
        listing=listing, buyer=buyer, defaults={"seller_id": listing.seller_id}
    )
    message_send(sender=buyer, conversation=conversation, body=body)
    return conversation


@transaction.atomic
def message_send(*, sender: Any, conversation: Conversation, body: str) -> Message:
    if sender is None or sender.pk not in (conversation.buyer_id, conversation.seller_id):
        raise PermissionDenied("This is not your conversation.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write a message."]})
    if len(body) > 5000:
        raise ValidationError({"body": ["Keep messages under 5,000 characters."]})
    if conversation.listing.status == Status.REMOVED:
        raise ValidationError("This listing was removed; the conversation is closed.")
    _check_message_cap(sender)
    message = Message(
        conversation=conversation, sender=sender, body=body, scam_warning=bool(SCAM_PATTERNS.search(body))
    )
    message.full_clean()
    message.save()
    now = message.created_at
    conversation.last_message_at = now
    if sender.pk == conversation.buyer_id:
        conversation.buyer_read_at = now
        recipient = conversation.seller
    else:
        conversation.seller_read_at = now
        recipient = conversation.buyer
    conversation.save(update_fields=["last_message_at", "buyer_read_at", "seller_read_at"])
    notification_create(
        recipient=recipient,
        kind="message",
        title=f"New message about “{conversation.listing.title}” from {sender.public_name}",
        url=conversation.get_absolute_url(),
        body=body[:300],
        actor=sender,
        target=conversation,
    )
    return message


def conversation_mark_read(*, user: Any, conversation: Conversation) -> None:
    now = timezone.now()
    if user.pk == conversation.buyer_id:
        Conversation.objects.filter(pk=conversation.pk).update(buyer_read_at=now)
    elif user.pk == conversation.seller_id:
        Conversation.objects.filter(pk=conversation.pk).update(seller_read_at=now)
    else:
        raise PermissionDenied("This is not your conversation.")


# --- public questions ------------------------------------------------------------


@transaction.atomic
def question_ask(*, asker: Any, listing: Listing, body: str) -> Question:
    if not asker or not asker.is_authenticated:
        raise PermissionDenied("Sign in to ask a question.")
    check_not_suspended(asker)
    if not listing.is_public or listing.status == Status.SOLD:
        raise ValidationError("Questions are closed on this listing.")
    if asker.pk == listing.seller_id:
        raise ValidationError("Add details to your own listing by editing it.")
    question = Question(listing=listing, asker=asker, body=(body or "").strip())
    question.full_clean()
    question.save()
    _changed(listing, search=False)
    notification_create(
        recipient=listing.seller,
        kind="listing_question",
        title=f"New question on “{listing.title}”",
        url=question.get_absolute_url(),
        body=question.body[:300],
        actor=asker,
        target=listing,
    )
    return question


@transaction.atomic
def question_answer(*, actor: Any, question: Question, answer: str) -> Question:
    _check_owner(actor, question.listing)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": ["Write an answer."]})
    question.answer = answer
    question.answered_at = timezone.now()
    question.full_clean()
    question.save(update_fields=["answer", "answered_at"])
    _changed(question.listing, search=False)
    notification_create(
        recipient=question.asker,
        kind="listing_question",
        title=f"The seller answered your question on “{question.listing.title}”",
        url=question.get_absolute_url(),
        body=answer[:300],
        actor=actor,
        target=question.listing,
    )
    return question


def question_hide(question: Question) -> None:
    Question.objects.filter(pk=question.pk).update(hidden=True)
    _changed(question.listing, search=False)


def question_restore(question: Question) -> None:
    Question.objects.filter(pk=question.pk).update(hidden=False)
    _changed(question.listing, search=False)


# --- dealers ----------------------------------------------------------------------


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


# --- periodic work (called by tasks) ------------------------------------------------


def listings_expire(*, now=None) -> int:
    now = now or timezone.now()
    due = Listing.objects.filter(status=Status.ACTIVE, expires_at__lte=now)
    expired = list(due.values_list("pk", "make"))
    if not expired:
        return 0
    count = due.filter(pk__in=[pk for pk, _ in expired]).update(status=Status.EXPIRED, updated_at=now)
    page_cache.listings_changed([pk for pk, _ in expired], makes={make for _, make in expired})
    return count


def listings_send_expiry_reminders(*, now=None) -> int:
    """Remind sellers 5 days before expiry (idempotent through reminder_sent_at)."""
    now = now or timezone.now()
    sent = 0
    due = Listing.objects.filter(
        status=Status.ACTIVE, reminder_sent_at__isnull=True, expires_at__lte=now + timedelta(days=5), expires_at__gt=now
    ).select_related("seller")
    for listing in due:
        with transaction.atomic():
            updated = Listing.objects.filter(pk=listing.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
            if not updated:
                continue
            notification_create(
                recipient=listing.seller,
                kind="listing_expiring",
                title=f"Your listing “{listing.title}” expires on {listing.expires_at:%b %d}",
                url=listing.get_absolute_url() + "#renew",
                body="Renew it with one click from the listing page or your dashboard.",
                target=listing,
            )
            sent += 1
    return sent


def price_drop_notify(*, price_change_id: int) -> int:
    with transaction.atomic():
        change = PriceChange.objects.select_for_update().select_related("listing").filter(pk=price_change_id).first()
        if change is None or change.notified_at is not None or change.new_price >= change.old_price:
            return 0
        listing = change.listing
        recipients = [f.user for f in Favorite.objects.filter(listing=listing).select_related("user")]
        notification_create_many(
            recipients=recipients,
            kind="price_drop",
            title=f"Price drop: “{listing.title}” now ${change.new_price:,} (was ${change.old_price:,})",
            url=listing.get_absolute_url(),
            actor=listing.seller,
            target=listing,
        )
        change.notified_at = timezone.now()
        change.save(update_fields=["notified_at"])
        return len(recipients)


def saved_search_alerts_for_listing(*, listing_id: int) -> int:
    """Record matches for a newly public listing; notify 'immediate' saved searches at once."""
    from marketplace.models import SavedSearchMatch
    from marketplace.selectors import listing_matches_saved_search

    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None or not listing.is_public:
        return 0
    notified = 0
    for saved in (
        SavedSearch.objects.exclude(frequency=SavedSearch.Frequency.OFF)
        .exclude(user_id=listing.seller_id)
        .select_related("user")
    ):
        if not listing_matches_saved_search(listing=listing, saved_search=saved):
            continue
        with transaction.atomic():
            match, created = SavedSearchMatch.objects.get_or_create(saved_search=saved, listing=listing)
            if not created or saved.frequency != SavedSearch.Frequency.IMMEDIATE:
                continue
            notification_create(
                recipient=saved.user,
                kind="saved_search_match",
                title=f"New match for “{saved.name}”: {listing.title} — ${listing.price:,}",
                url=listing.get_absolute_url(),
                target=listing,
            )
            match.notified_at = timezone.now()
            match.save(update_fields=["notified_at"])
            notified += 1
    return notified


def saved_searches_send_digest(*, now=None) -> int:
    """Daily digest: one notification per saved search with its un-notified matches."""
    from marketplace.models import SavedSearchMatch

    now = now or timezone.now()
    sent = 0
    pending = (
        SavedSearchMatch.objects.filter(notified_at__isnull=True, saved_search__frequency=SavedSearch.Frequency.DAILY)
        .select_related("saved_search__user", "listing")
        .order_by("saved_search_id", "id")
    )
    groups: dict[int, list] = {}
    for match in pending:
        groups.setdefault(match.saved_search_id, []).append(match)
    for matches in groups.values():
        saved = matches[0].saved_search
        with transaction.atomic():
            ids = [m.pk for m in matches]
            if not SavedSearchMatch.objects.filter(pk__in=ids, notified_at__isnull=True).update(notified_at=now):
                continue
            lines = "\n".join(f"- {m.listing.title} — ${m.listing.price:,}" for m in matches[:20])
            notification_create(
                recipient=saved.user,
                kind="saved_search_match",
                title=f"{len(matches)} new listing(s) for “{saved.name}”",
                url=saved.get_absolute_url(),
                body=lines,
            )
            saved.last_digest_at = now
            saved.save(update_fields=["last_digest_at"])
            sent += 1
    return sent
