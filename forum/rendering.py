"""Post markdown -> stored HTML: @mentions become profile links, then core's sanitising renderer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.html import strip_tags

from kei_community.core.markdown import render_markdown

# @[Display Name] (any name) or @Name (a one-word name). Not inside an e-mail address.
MENTION_RE = re.compile(r"(?<![\w@\[])@(?:\[([^\]\n]{1,60})\]|([A-Za-z0-9][A-Za-z0-9_.\-]{1,59}))")
LINK_RE = re.compile(r"https?://|www\.", re.IGNORECASE)
IMAGE_RE = re.compile(r"!\[")


@dataclass
class Rendered:
    html: str
    text: str
    mentioned: list = field(default_factory=list)  # User objects, in order of first mention
    links: int = 0
    images: int = 0


def _names(markdown: str) -> list[str]:
    names: list[str] = []
    for match in MENTION_RE.finditer(markdown or ""):
        name = (match.group(1) or match.group(2) or "").strip().rstrip(".-")
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names[:20]


def resolve_mentions(markdown: str) -> dict[str, Any]:
    """{lower-cased display name: User} for every mentioned name that is a member (one query)."""
    names = _names(markdown)
    if not names:
        return {}
    query = Q()
    for name in names:
        query |= Q(display_name__iexact=name)
    users = get_user_model().objects.filter(query, is_active=True).order_by("id")
    found: dict[str, Any] = {}
    for user in users:
        found.setdefault(user.display_name.lower(), user)
    return found


def render_post(markdown: str) -> Rendered:
    members = resolve_mentions(markdown)
    mentioned: list = []

    def link(match: re.Match) -> str:
        raw = match.group(1) or match.group(2) or ""
        name = raw.strip().rstrip(".-")
        user = members.get(name.lower())
        if user is None:
            return match.group(0)
        if user not in mentioned:
            mentioned.append(user)
        tail = raw[len(raw.rstrip(".-")) :] if match.group(2) else ""
        label = user.display_name.replace("[", "").replace("]", "")
        return f"[@{label}]({user.get_absolute_url()}){tail}"

    source = MENTION_RE.sub(link, markdown or "")
    html = render_markdown(source)
    text = " ".join(strip_tags(html).split())
    return Rendered(
        html=html,
        text=text,
        mentioned=mentioned,
        links=len(LINK_RE.findall(markdown or "")),
        images=len(IMAGE_RE.findall(markdown or "")),
    )


def quote_markdown(*, author_name: str, markdown: str) -> str:
    """The text the reply box starts with when a member quotes a post."""
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in (markdown or "").strip().splitlines())
    return f"> **@[{author_name}]** wrote:\n>\n{quoted}\n\n"
