"""RSS and Atom feeds: latest threads, site-wide and per category."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from forum import selectors
from forum.models import Category, Thread
from kei_community.core.feeds import PublicUrlFeed


class LatestThreadsFeed(PublicUrlFeed):
    """Links under SITE_URL (PublicUrlFeed), never the Sites framework's domain."""

    title = "Kei Community forum: latest threads"
    description = "New threads in the Kei Community forum."

    def link(self) -> str:
        return reverse("forum:index")

    def items(self) -> list[Thread]:
        return list(
            selectors.thread_list(ordering="newest")
            .select_related(None)
            .select_related("author", "category")
            .prefetch_related(None)[:30]
        )

    def item_title(self, item: Thread) -> str:
        return item.title

    def item_description(self, item: Thread) -> str:
        return f"{item.category.name} · started by {item.author.public_name}"

    def item_author_name(self, item: Thread) -> str:
        return item.author.public_name

    def item_pubdate(self, item: Thread) -> Any:
        return item.created_at

    def item_updateddate(self, item: Thread) -> Any:
        return item.last_post_at


class LatestThreadsAtom(LatestThreadsFeed):
    feed_type = Atom1Feed
    subtitle = LatestThreadsFeed.description


class CategoryThreadsFeed(LatestThreadsFeed):
    def get_object(self, request: Any, slug: str) -> Category:  # type: ignore[override]
        category = selectors.category_get(slug)
        if category is None:
            raise Http404("No such category.")
        return category

    def title(self, obj: Category) -> str:  # type: ignore[override]
        return f"Kei Community forum: {obj.name}"

    def link(self, obj: Category) -> str:  # type: ignore[override]
        return obj.get_absolute_url()

    def description(self, obj: Category) -> str:  # type: ignore[override]
        return obj.description

    def items(self, obj: Category) -> list[Thread]:  # type: ignore[override]
        return list(
            selectors.thread_list(category=obj, ordering="newest")
            .select_related(None)
            .select_related("author", "category")
            .prefetch_related(None)[:30]
        )


class CategoryThreadsAtom(CategoryThreadsFeed):
    feed_type = Atom1Feed
    subtitle = "New threads in this category."
