"""`{% icon "bell" %}`: an icon from the vendored Bootstrap Icons sprite (static/vendor/bootstrap-icons/).

Decorative by default (aria-hidden; the text beside it says what it means). With a label the icon is
the only thing saying it: `{% icon "bell" label="Notifications" %}` gives it role="img" and a title.

The markup is core/icon.html. An icon depends only on its arguments and the release (the sprite's hashed
URL), so each one is rendered once per process and release and kept (not under DEBUG, where `make run`
edits templates): a signed-in page shows a dozen icons, and rendering each through an inclusion tag cost
more than the page's cache reads.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.safestring import SafeString

from kei_community.core import caching, sri

SPRITE = "vendor/bootstrap-icons/icons.svg"

register = template.Library()


@lru_cache(maxsize=1)
def _sprite_url_once() -> str:
    return static(SPRITE)


def sprite_url() -> str:
    return _sprite_url_once() if sri.immutable() else static(SPRITE)


def _render(name: str, label: str, size: str, css: str) -> SafeString:
    context = {"href": f"{sprite_url()}#{name}", "label": label, "size": size, "css": css}
    return SafeString(render_to_string("core/icon.html", context).strip())


@lru_cache(maxsize=512)
def _kept(release: str, name: str, label: str, size: str, css: str) -> SafeString:
    return _render(name, label, size, css)


@register.simple_tag
def icon(name: str, label: str = "", size: str = "1em", css: str = "") -> SafeString:
    if settings.DEBUG:
        return _render(name, str(label), str(size), str(css))
    return _kept(caching.release(), name, str(label), str(size), str(css))
