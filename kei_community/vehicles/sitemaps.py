"""The kei truck catalog's section of sitemap.xml (kei_community.core.sitemaps discovers this module)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from kei_community.core.sitemaps import PublicSitemap, register
from kei_community.vehicles.models import ChassisCode


class CatalogSitemap(PublicSitemap):
    """The chassis catalog, whole and by make."""

    changefreq = "monthly"

    def items(self) -> list[str]:
        makes = ChassisCode.objects.order_by("make").values_list("make", flat=True).distinct()
        return ["", *makes]

    def location(self, item: str) -> str:
        url = reverse("vehicles:catalog")
        return f"{url}?{urlencode({'make': item})}" if item else url


register("catalog", CatalogSitemap)
