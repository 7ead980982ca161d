"""The site's public address: every absolute URL (feeds, emails, the sitemap, canonical and OpenGraph links)
comes from settings.SITE_URL, never from the request's Host header or the Sites framework's default row.

    absolute_url("/listings/12-kei/")  -> "https://keicommunity.org/listings/12-kei/"
    rebase("http://example.com/forum/t/3-x/?a=1")  -> "https://keicommunity.org/forum/t/3-x/?a=1"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def site_url() -> str:
    """SITE_URL without a trailing slash ("https://keicommunity.org", or with a path prefix)."""
    return str(settings.SITE_URL).rstrip("/")


def absolute_url(path: str) -> str:
    """A path on this site ("/forum/") as an absolute URL under SITE_URL; an absolute URL is rebased."""
    if urlsplit(path).scheme:
        return rebase(path)
    if not path.startswith("/"):
        path = "/" + path
    return site_url() + path


def rebase(url: str) -> str:
    """The same path, query and fragment under SITE_URL (whatever host a request or Site row gave it)."""
    parts = urlsplit(url)
    base = urlsplit(site_url())
    return urlunsplit((base.scheme, base.netloc, base.path + (parts.path or "/"), parts.query, parts.fragment))


def site_domain() -> str:
    """What the Sites framework calls the domain: SITE_URL's host (and path prefix, if any)."""
    parts = urlsplit(site_url())
    return parts.netloc + parts.path


def site_scheme() -> str:
    return urlsplit(site_url()).scheme or "https"


@dataclass(frozen=True)
class PublicSite:
    """Stands in for django.contrib.sites' Site wherever a `site` is expected (allauth's `current_site`,
    sitemaps): its domain is SITE_URL's."""

    domain: str
    name: str

    def __str__(self) -> str:
        return self.domain


def public_site() -> PublicSite:
    return PublicSite(domain=site_domain(), name=str(settings.SITE_NAME))


def sync_site_row(**kwargs: Any) -> None:
    """post_migrate: the Sites framework's row (SITE_ID) carries SITE_URL's domain and the site's name, so
    anything that still asks django.contrib.sites (the admin's "View on site") agrees with SITE_URL."""
    from django.contrib.sites.models import Site

    using = kwargs.get("using", "default")
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": site_domain()[:100], "name": str(settings.SITE_NAME)[:50]}
    )
    Site.objects.clear_cache()
