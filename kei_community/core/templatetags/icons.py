"""`{% icon "bell" %}`: an icon from the vendored Bootstrap Icons sprite (static/vendor/bootstrap-icons/).

Decorative by default (aria-hidden; the text beside it says what it means). With a label the icon is
the only thing saying it: `{% icon "bell" label="Notifications" %}` gives it role="img" and a title.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.templatetags.static import static

from kei_community.core import sri

SPRITE = "vendor/bootstrap-icons/icons.svg"

register = template.Library()


@lru_cache(maxsize=1)
def _sprite_url_once() -> str:
    return static(SPRITE)


def sprite_url() -> str:
    return _sprite_url_once() if sri.immutable() else static(SPRITE)


@register.inclusion_tag("core/icon.html")
def icon(name: str, label: str = "", size: str = "1em", css: str = "") -> dict:
    return {"href": f"{sprite_url()}#{name}", "label": label, "size": size, "css": css}
