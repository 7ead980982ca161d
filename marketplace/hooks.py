"""Providers registered in MarketplaceConfig.ready() (home page, site search, garage, moderation)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from marketplace import services
from marketplace.models import Listing, Message, Question


def listing_photos_can_manage(actor: Any, listing: Listing) -> bool:
    """The seller manages a listing's photos (the rule every listing write checks), whoever uploaded them.
    Registered with kei_community.media.registry."""
    return services.is_seller(actor, listing)


def _card(listing: Listing) -> dict:
    place = ", ".join(p for p in (listing.city, listing.state) if p)
    return {
        "title": listing.title,
        "url": listing.get_absolute_url(),
        "subtitle": f"${listing.price:,} · {place}" + (" · SOLD" if listing.status == Listing.Status.SOLD else ""),
    }


def home_sections(request: Any) -> dict:
    """The home page's newest listings: as the marketplace's photo cards (the search's card template, cached
    per listing, with the favourite button for a signed-in reader), and as a plain list."""
    from django.middleware.csrf import get_token
    from django.utils.safestring import mark_safe

    from marketplace.cards import render_cards
    from marketplace.selectors import favorite_ids_for, newest_listings

    listings = newest_listings(limit=6)
    viewer = getattr(request, "user", None)
    signed_in = bool(viewer is not None and viewer.is_authenticated)
    cards = render_cards(
        listings,
        viewer=viewer,
        favorite_ids=favorite_ids_for(viewer=viewer, listing_ids=[obj.pk for obj in listings]),
        next_url=request.get_full_path(),
        csrf_token=get_token(request) if signed_in else "",
    )
    html = render_to_string("marketplace/includes/home_listings.html", {"cards": cards}) if cards else ""
    return {
        "newest_listings": [_card(obj) for obj in listings],
        "newest_listing_cards": mark_safe(html),  # noqa: S308 - our templates; card values escaped
    }


SEARCH_HIT_FIELDS = ("id", "title", "slug", "price", "city", "state")


def site_search(query: str, limit: int) -> dict:
    """Hook "site_search": the newest `limit` listings of the listings page's keyword search for `query`
    (the same search, and cache, as /listings/?q=...), its total ("1,000+" when a PostgreSQL keyword total
    is capped) and the link to see them all."""
    from urllib.parse import urlencode

    from django.http import QueryDict

    from marketplace.filters import parse_search_params
    from marketplace.selectors import listing_search

    url = reverse("marketplace:index") + "?" + urlencode({"q": query})
    params, _ = parse_search_params(QueryDict(urlencode({"q": query})))
    found = listing_search(params=params, page_size=limit, page_qs=Listing.objects.only(*SEARCH_HIT_FIELDS))
    return {
        "label": "Listings",
        "noun": "listing",
        "results": [
            {"title": o.title, "url": o.get_absolute_url(), "snippet": f"${o.price:,} · {o.city}, {o.state}"}
            for o in found.listings
        ],
        "count": found.total,
        "count_capped": found.total_capped,
        "more_url": url,
    }


def truck_listings(truck: Any) -> list[dict]:
    """Hook "truck_listings": the truck's public listings (active, sale pending, sold) in two queries.

    "title", "url", "subtitle" for cards; "kind", "date" (published), "author" / "author_url" (the
    seller), "price", "status", "sold", "sold_at" and "sold_price" (None unless the seller recorded it)
    for the garage page's history timeline.
    """
    from django.db.models import prefetch_related_objects

    from marketplace.selectors import listings_for_truck

    listings = listings_for_truck(truck=truck)
    prefetch_related_objects(listings, "seller")
    return [
        {
            **_card(obj),
            "kind": "listing",
            "date": obj.published_at or obj.created_at,
            "author": obj.seller.public_name,
            "author_url": obj.seller.get_absolute_url(),
            "price": obj.price,
            "status": obj.status,
            "sold": obj.status == Listing.Status.SOLD,
            "sold_at": obj.sold_at if obj.status == Listing.Status.SOLD else None,
            "sold_price": obj.sold_price if obj.status == Listing.Status.SOLD else None,
        }
        for obj in listings
    ]


def describe_listing(listing: Listing) -> dict:
    return {
        "title": listing.title,
        "url": listing.get_absolute_url(),
        "app": "marketplace",
        "excerpt": Truncator(strip_tags(listing.description_html)).chars(200),
    }


def describe_question(question: Question) -> dict:
    return {
        "title": f"Question on “{question.listing.title}”",
        "url": question.get_absolute_url(),
        "app": "marketplace",
        "excerpt": Truncator(question.body).chars(200),
    }


def describe_message(message: Message) -> dict:
    """A private message, for moderators (the queue shows its text) and its sender's notice."""
    listing = message.conversation.listing
    return {
        "title": f"Message about “{listing.title}”",
        "url": listing.get_absolute_url(),
        "app": "marketplace",
        "excerpt": Truncator(message.body).chars(300),
    }


def held_listings_queue() -> list[dict]:
    held = Listing.objects.filter(held_for_review=True, status=Listing.Status.ACTIVE).select_related("seller")[:100]
    return [
        {
            "app": "marketplace",
            "kind": "First listing of a new account",
            "title": obj.title,
            "url": reverse("marketplace:listing-review", args=[obj.pk]),
            "created_at": obj.published_at or obj.created_at,
            "author": obj.seller.public_name,
        }
        for obj in held
    ]


def profile_section(member: Any) -> str:
    from marketplace.selectors import listing_public_qs

    listings = list(listing_public_qs().filter(seller=member).order_by("-published_at")[:5])
    if not listings:
        return ""
    return render_to_string(
        "marketplace/includes/listing_profile_section.html", {"listings": listings, "member": member}
    )


def state_listing_counts() -> dict[str, int]:
    """Hook "state_listing_counts": active listings per US state, in one query (the state guide's
    verification queue ranks states by them)."""
    from django.db.models import Count

    rows = (
        Listing.objects.filter(status=Listing.Status.ACTIVE)
        .exclude(state="")
        .values("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["state"]: row["n"] for row in rows}
