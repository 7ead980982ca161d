"""sitemap.xml: a registry of sitemap sections, each app adding its own in `<app>/sitemaps.py`.

kei_community never imports marketplace, forum or stategide: like the admin's `admin.py`, each installed
app's `sitemaps.py` module is discovered (imported) the first time the sitemap is asked for, and calls

    from kei_community.core.sitemaps import PublicSitemap, register

    class ListingSitemap(PublicSitemap):
        def items(self): ...

    register("listings", ListingSitemap)

Every URL in the sitemap is under SITE_URL (PublicSitemap ignores the request's host and the Sites row).
"""

from __future__ import annotations

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.utils.module_loading import autodiscover_modules

from kei_community.core.public_url import public_site, site_scheme

_registry: dict[str, Sitemap] = {}
_discovered = False


class PublicSitemap(Sitemap):
    """A sitemap section whose URLs start with SITE_URL."""

    limit = 5000

    def get_urls(self, page: int | str = 1, site: Any = None, protocol: str | None = None) -> list[dict[str, Any]]:
        site_under_site_url: Any = public_site()  # stands in for a Site: only .domain is read
        return super().get_urls(page=page, site=site_under_site_url, protocol=site_scheme())


def register(section: str, sitemap: type[Sitemap] | Sitemap) -> None:
    _registry[section] = sitemap() if isinstance(sitemap, type) else sitemap


def sections() -> dict[str, Sitemap]:
    """Every registered section, in the order registered (core's own pages first)."""
    global _discovered
    if not _discovered:
        from kei_community.core import pages  # noqa: F401 - registers the site's own pages

        autodiscover_modules("sitemaps")
        _discovered = True
    return dict(_registry)
