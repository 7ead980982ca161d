"""schema.org JSON-LD for a listing page (a Vehicle with its Offer), so shared links and search results show
the truck, its price and whether it is still for sale: `listing_json_ld_payload` is cached with the page's
data (marketplace.views.detail._listing_page_data) and wrapped per request by `{% json_ld_script json_ld %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from kei_community.core.public_url import absolute_url
from kei_community.core.templatetags.seo import json_ld_payload

register = template.Library()

AVAILABILITY = {
    "active": "https://schema.org/InStock",
    "pending": "https://schema.org/LimitedAvailability",
    "sold": "https://schema.org/SoldOut",
}


def listing_data(listing: Any, image: str = "") -> dict[str, Any]:
    url = absolute_url(listing.get_absolute_url())
    vehicle: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Vehicle",
        "name": listing.title,
        "url": url,
        "brand": {"@type": "Brand", "name": listing.make},
        "model": listing.model or None,
        "vehicleModelDate": str(listing.year_built),
        "bodyType": "Kei truck",
        "color": listing.colour or None,
        "description": (listing.description or "")[:500] or None,
        "offers": {
            "@type": "Offer",
            "price": listing.price,
            "priceCurrency": "USD",
            "url": url,
            "availability": AVAILABILITY.get(listing.status, "https://schema.org/Discontinued"),
            "itemCondition": "https://schema.org/UsedCondition",
            "seller": {"@type": "Person", "name": listing.seller.public_name},
            "areaServed": {"@type": "State", "name": listing.state} if listing.state else None,
        },
    }
    if listing.odometer_km is not None:
        vehicle["mileageFromOdometer"] = {"@type": "QuantitativeValue", "value": listing.odometer_km, "unitCode": "KMT"}
    if image:
        vehicle["image"] = absolute_url(image)
    vehicle["offers"] = {k: v for k, v in vehicle["offers"].items() if v is not None}
    return {k: v for k, v in vehicle.items() if v is not None}


def listing_json_ld_payload(listing: Any, image: str = "") -> str:
    """The listing's JSON-LD text (reader-independent: cached with the listing page's data)."""
    return json_ld_payload(listing_data(listing, image))


@register.simple_tag
def listing_share_title(listing: Any) -> str:
    return f"{listing.title} — ${listing.price:,}"


@register.simple_tag
def listing_share_description(listing: Any) -> str:
    where = ", ".join(part for part in (listing.city, listing.state) if part)
    truck = " ".join(str(part) for part in (listing.year_built, listing.make, listing.model) if part)
    return f"{truck} for sale{' in ' + where if where else ''}: ${listing.price:,}. {settings.SITE_NAME}"
