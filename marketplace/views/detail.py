"""A listing's page: the reader-independent data and parts (cached per listing), then the reader's own view."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from kei_community.core import cache_tags, caching, snapshots
from kei_community.core.page_cache import anonymous_page_cache, cacheable_context
from kei_community.core.public_url import absolute_url
from kei_community.core.registry import call_hooks
from kei_community.core.types import AppHttpRequest
from kei_community.core.us import zip_lookup
from kei_community.media.selectors import photos_of
from kei_community.moderation.selectors import removal_in_force
from kei_community.moderation.views import gone as moderation_gone
from kei_community.vehicles.eligibility import import_eligibility
from kei_community.vehicles.frame import mask_frame_number
from marketplace import page_cache, selectors, services
from marketplace.models import Listing, Question
from marketplace.outlook import registration_outlook
from marketplace.templatetags.listing_seo import listing_json_ld_payload


def listing_redirect(request: AppHttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(Listing, pk=pk)
    return HttpResponseRedirect(listing.get_absolute_url(), status=301)


# The parts of a listing page: "main" and "aside" change with the listing (cached with its row); "seller" and
# "similar" list other trucks, so every listing write can change them (cached apart, rebuilt by one reader).
DETAIL_FRAGMENTS = ("main", "aside")
RELATED_FRAGMENTS = ("seller", "similar")


def _render_fragments(names: tuple[str, ...], context: dict[str, Any]) -> dict[str, str]:
    return {name: render_to_string(f"marketplace/includes/listing_detail_{name}.html", context) for name in names}


def _main_fragments(listing: Listing, *, is_owner: bool, photos: list[Any]) -> dict[str, str]:
    """Gallery, specs and description; price comps and the truck's threads."""
    truck_threads: list[dict[str, Any]] = []
    if listing.truck_id:
        for items in call_hooks("truck_threads", listing.truck):
            truck_threads.extend(items or [])
    context = {
        "listing": listing,
        "photos": photos,
        "frame_number": listing.frame_number
        if (listing.show_full_frame_number or is_owner)
        else mask_frame_number(listing.frame_number),
        "comps": selectors.comps_for_listing(listing=listing) or {},
        "truck_threads": truck_threads,
    }
    return _render_fragments(DETAIL_FRAGMENTS, context)


def _related_fragments_now(listing: Listing) -> dict[str, str]:
    """The seller card (with the seller's other trucks) and similar trucks."""
    similar, other_listings = selectors.related_listings(listing=listing)
    context = {
        "listing": listing,
        "similar": similar,
        "other_listings": other_listings,
        "seller_activity": [
            entry
            for result in call_hooks("member_activity", [listing.seller_id])
            if (entry := (result or {}).get(listing.seller_id))
        ],
        "dealer": getattr(listing.seller, "dealer_profile", None),
    }
    return _render_fragments(RELATED_FRAGMENTS, context)


def _render_detail_fragments(listing: Listing, *, is_owner: bool, photos: list[Any]) -> dict[str, str]:
    """Every part of a listing page, rendered now (its seller's view, or a listing only moderators see)."""
    return {**_main_fragments(listing, is_owner=is_owner, photos=photos), **_related_fragments_now(listing)}


def _related_fragments(listing: Listing) -> dict[str, str]:
    """The seller card and similar trucks of a public listing, cached in region "marketplace.detail" under the
    listing's and its seller's tags and the searches' (any listing write can change the trucks they list).
    Single flight: after a write, one reader renders them again while the others get the last ones, so a busy
    listing page is not rebuilt by every reader for every write elsewhere."""

    return caching.get_or_build(
        "marketplace.detail",
        f"{listing.pk}:related",
        lambda: _related_fragments_now(listing),
        tags=[cache_tags.listing(listing.pk), cache_tags.member(listing.seller_id), page_cache.search_tag()],
        single_flight=True,
        local=True,
    )


LISTING_PRIVATE_FIELDS = ("frame_number",)  # never cached (the public sees it masked in the "main" part)


def _with_asker_names(questions: list[Question]) -> list[Question]:
    for question in questions:
        question.asker_name = question.asker.public_name  # type: ignore[attr-defined]
    return questions


def _listing_page_data(pk: int) -> dict[str, Any] | None:
    """What a public listing's page shows the same to every reader who is not its seller, cached in region
    "marketplace.detail" under the listing's tag (and, found while building, its seller's and its askers'):
    the listing's columns (not the frame number), the public questions with their askers' names, the cover
    for link previews and the parts that change with the listing (`_related_fragments` holds the others).
    None for a listing that is missing or not public (never cached: only its seller and moderators see it)."""

    def build() -> dict[str, Any] | None:
        listing = selectors.listing_get_for_detail(pk=pk)
        if listing is None or not listing.is_public:
            caching.dont_store()
            return None
        photos = photos_of(listing)
        if not all(photo.is_ready for photo in photos):  # a photo still processing shows when ready
            caching.dont_store()
        questions = list(listing.questions.all())
        caching.depends_on(
            cache_tags.member(listing.seller_id),
            *(cache_tags.member(q.asker_id) for q in questions),
        )
        og_image = photos[0].largest_url() if photos and photos[0].is_ready else ""
        return {
            "listing": snapshots.snapshot(listing, exclude=LISTING_PRIVATE_FIELDS),
            "questions": [[snapshots.snapshot(q), q.asker.public_name] for q in questions],
            "og_image": og_image,
            "json_ld": listing_json_ld_payload(listing, og_image),
            "fragments": _main_fragments(listing, is_owner=False, photos=photos),
        }

    return caching.get_or_build("marketplace.detail", str(pk), build, tags=[cache_tags.listing(pk)], local=True)


def _count_cached_view(request: AppHttpRequest, pk: int, slug: str) -> None:
    services.listing_record_view(listing_id=pk)  # only 200 pages are cached: the listing is public


@anonymous_page_cache(
    region="marketplace.page", query=page_cache.DETAIL_QUERY, statuses=(200, 400), on_hit=_count_cached_view
)
def listing_detail(request: AppHttpRequest, pk: int, slug: str) -> HttpResponse:
    viewer = request.user
    data = _listing_page_data(pk)
    listing: Listing | None = None
    if data is not None:
        listing = snapshots.restore(Listing, data["listing"], exclude=LISTING_PRIVATE_FIELDS)
    is_owner = listing is not None and viewer.is_authenticated and viewer.pk == listing.seller_id
    if data is None or listing is None or is_owner:  # seen only by its seller or moderators, or the seller's view
        listing = selectors.listing_get_for_detail(pk=pk, viewer=viewer)
        if listing is None:
            raise Http404("No such listing.")
        if not selectors.listing_visible_to(listing=listing, viewer=viewer):
            if listing.status == Listing.Status.REMOVED:  # a short public notice; its seller and moderators see it
                return moderation_gone(request, noun="listing")
            raise Http404("No such listing.")
        is_owner = viewer.is_authenticated and viewer.pk == listing.seller_id
        photos = photos_of(listing)
        fragments = _render_detail_fragments(listing, is_owner=is_owner, photos=photos)
        questions = _with_asker_names(list(listing.questions.all()))
        og_image = photos[0].largest_url() if photos and photos[0].is_ready else ""
        json_ld = listing_json_ld_payload(listing, og_image)
        is_favorite = bool(getattr(listing, "is_favorite", False))
    else:
        fragments = {**data["fragments"], **_related_fragments(listing)}
        questions = []
        for values, asker_name in data["questions"]:
            question = snapshots.restore(Question, values)
            question.asker_name = asker_name  # type: ignore[attr-defined]
            questions.append(question)
        og_image = data["og_image"]
        json_ld = data["json_ld"]
        is_favorite = bool(selectors.favorite_ids_for(viewer=viewer, listing_ids=[pk]))
    if slug != listing.slug:
        return HttpResponseRedirect(listing.get_absolute_url(), status=301)
    if not is_owner:
        services.listing_record_view(listing_id=listing.pk)
    else:
        listing.views_count += selectors.pending_views([listing.pk])[listing.pk]
    eligibility = import_eligibility(
        year_built=listing.year_built, month_built=listing.month_built, us_market=listing.us_market
    )
    viewer_zip = (request.GET.get("zip") or "").strip()
    viewer_state = ""
    zip_error = ""
    if viewer_zip:
        place = zip_lookup(viewer_zip)
        if place:
            viewer_state = place["state"]
        else:
            zip_error = f"“{viewer_zip}” is not a US ZIP code we know."
    elif viewer.is_authenticated:
        viewer_state = viewer.home_state or ""
    listing_outlook = registration_outlook(listing.state)
    viewer_outlook = registration_outlook(viewer_state) if viewer_state and viewer_state != listing.state else None
    context = {
        "listing": listing,
        "og_image": og_image,
        "json_ld": json_ld,
        "fragments": {name: mark_safe(html) for name, html in fragments.items()},  # noqa: S308 - our templates
        "is_owner": is_owner,
        "eligibility": eligibility,
        "listing_outlook": listing_outlook,
        "viewer_outlook": viewer_outlook,
        "viewer_state": viewer_state,
        "viewer_zip": viewer_zip,
        "zip_error": zip_error,
        "is_favorite": is_favorite,
        "questions": questions,
        "share_url": absolute_url(listing.get_absolute_url()),
        "buyers": selectors.listing_buyers(listing=listing) if is_owner and listing.truck_id else [],
        "removal": removal_in_force(listing) if listing.status == Listing.Status.REMOVED else None,
    }
    return render(request, "marketplace/listing_detail.html", cacheable_context(request, context))
