"""The marketplace's sections of sitemap.xml (kei_community.core.sitemaps discovers this module)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from kei_community.core.sitemaps import PublicSitemap, register
from marketplace.models import DealerProfile, Listing
from marketplace.selectors import listing_public_qs


class ListingSitemap(PublicSitemap):
    """Every listing search shows (active and sale pending), newest change first."""

    changefreq = "daily"

    def items(self) -> QuerySet[Listing]:
        return listing_public_qs().only("id", "slug", "title", "updated_at").order_by("-updated_at", "-id")

    def lastmod(self, item: Listing) -> Any:
        return item.updated_at


class MarketplacePagesSitemap(PublicSitemap):
    changefreq = "daily"

    def items(self) -> list[str]:
        return ["marketplace:index", "marketplace:prices"]

    def location(self, item: str) -> str:
        return reverse(item)


class DealerSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[DealerProfile]:
        return DealerProfile.objects.only("id", "slug").order_by("id")


register("marketplace", MarketplacePagesSitemap)
register("listings", ListingSitemap)
register("dealers", DealerSitemap)
