"""{% load gallery %}

{% photo_alt photo listing number total as alt %}
    A listing photo's alt text: the seller's own (Photo.alt), else "<listing title> — photo 3 of 12",
    so every image of the gallery, its thumbnails and its viewer says what it shows and where it is.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def photo_alt(photo: Any, listing: Any, number: int, total: int) -> str:
    own = (getattr(photo, "alt", "") or "").strip()
    if own:
        return own
    return f"{getattr(listing, 'title', '') or 'Kei truck'} — photo {number} of {total}"
