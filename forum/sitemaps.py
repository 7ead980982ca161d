"""The forum's sections of sitemap.xml (kei_community.core.sitemaps discovers this module)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from forum.models import Category, Thread
from kei_community.core.sitemaps import PublicSitemap, register


class CategorySitemap(PublicSitemap):
    changefreq = "daily"

    def items(self) -> QuerySet[Category]:
        return Category.objects.only("id", "slug", "last_post_at").order_by("position", "id")

    def lastmod(self, item: Category) -> Any:
        return item.last_post_at


class ThreadSitemap(PublicSitemap):
    """Every thread a visitor can read (not hidden), latest activity first."""

    changefreq = "daily"

    def items(self) -> QuerySet[Thread]:
        return (
            Thread.objects.filter(is_hidden=False)
            .only("id", "slug", "last_post_at", "created_at")
            .order_by("-last_post_at", "-id")
        )

    def lastmod(self, item: Thread) -> Any:
        return item.last_post_at or item.created_at


register("forum", CategorySitemap)
register("threads", ThreadSitemap)
