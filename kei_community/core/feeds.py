"""RSS/Atom feeds whose links are under SITE_URL (django.contrib.syndication would use the Sites row)."""

from __future__ import annotations

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils.feedgenerator import SyndicationFeed

from kei_community.core.public_url import absolute_url, rebase


class PublicUrlFeed(Feed):
    """A Feed whose channel link, self link, item links and GUIDs all start with SITE_URL."""

    def get_feed(self, obj: Any, request: HttpRequest) -> SyndicationFeed:
        feed = super().get_feed(obj, request)
        feed.feed["link"] = rebase(feed.feed["link"])
        feed.feed["feed_url"] = absolute_url(request.path)
        if "://" in str(feed.feed.get("id") or ""):  # Atom's <id>: the channel link unless a feed_guid is set
            feed.feed["id"] = rebase(feed.feed["id"])
        for item in feed.items:
            item["link"] = rebase(item["link"])
            if item.get("unique_id") and "://" in item["unique_id"]:
                item["unique_id"] = rebase(item["unique_id"])
        return feed
