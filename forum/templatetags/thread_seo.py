"""`{% thread_json_ld thread %}`: schema.org DiscussionForumPosting JSON-LD for a thread page."""

from __future__ import annotations

from typing import Any

from django import template

from kei_community.core.public_url import absolute_url
from kei_community.core.templatetags.seo import json_ld

register = template.Library()


def thread_data(thread: Any, *, first_post: Any = None, image: str = "") -> dict[str, Any]:
    url = absolute_url(thread.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "DiscussionForumPosting",
        "headline": thread.title,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": thread.created_at.isoformat(),
        "author": {
            "@type": "Person",
            "name": thread.author.public_name,
            "url": absolute_url(thread.author.get_absolute_url()),
        },
        "articleSection": thread.category.name,
        "interactionStatistic": {
            "@type": "InteractionCounter",
            "interactionType": "https://schema.org/CommentAction",
            "userInteractionCount": max(int(getattr(thread, "post_count", 1) or 1) - 1, 0),
        },
    }
    if thread.last_post_at:
        data["dateModified"] = thread.last_post_at.isoformat()
    body = getattr(first_post, "body", "") if first_post is not None else ""
    if body:
        data["text"] = body[:1000]
    if image:
        data["image"] = absolute_url(image)
    return data


@register.simple_tag(takes_context=True)
def thread_json_ld(context: Any, thread: Any, first_post: Any = None, image: str = "") -> str:
    return json_ld(context, thread_data(thread, first_post=first_post, image=image))
