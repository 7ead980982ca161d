"""The state guide's section of sitemap.xml (kei_community.core.sitemaps discovers this module)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from kei_community.core.sitemaps import PublicSitemap, register
from stategide.models import StatePage


class StateGuideSitemap(PublicSitemap):
    """The guide's index, how it is written, and one page per state and DC."""

    changefreq = "weekly"

    def items(self) -> list[Any]:
        pages: QuerySet[StatePage] = StatePage.objects.only("id", "code", "updated_at").order_by("name")
        return ["stategide:index", "stategide:about", *pages]

    def location(self, item: Any) -> str:
        return reverse(item) if isinstance(item, str) else item.get_absolute_url()

    def lastmod(self, item: Any) -> Any:
        return None if isinstance(item, str) else item.updated_at


register("states", StateGuideSitemap)
