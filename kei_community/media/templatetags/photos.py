"""{% load photos %}

{% photo_picture photo sizes="(min-width: 768px) 50vw, 100vw" alt="..." css_class="..." %}
    The placeholder (an <img> with the tiny data URI) until the photo is ready, then a
    <picture> with a WebP srcset and a JPEG fallback.
{% photo_cover obj sizes=... alt=... %}
    The cover photo of any object with a `photos` GenericRelation (uses its prefetch
    cache, so `prefetch_related("photos")` keeps lists at constant queries); a neutral
    "No photo" box when there is none.
{% avatar member size %}
    The member's avatar (a photo owned by the User) as a round image, or their initial.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()

DEFAULT_SIZES = "(min-width: 992px) 50vw, 100vw"


def picture_context(
    photo: Any, *, sizes: str = DEFAULT_SIZES, alt: str | None = None, css_class: str = "", loading: str = "lazy"
) -> dict[str, Any]:
    items = photo.sorted_renditions() if photo is not None else []
    ready = photo is not None and photo.is_ready and bool(items)
    return {
        "photo": photo,
        "ready": ready,
        "alt": alt if alt is not None else (getattr(photo, "alt", "") or ""),
        "sizes": sizes,
        "css_class": css_class,
        "loading": loading,
        "webp_srcset": ", ".join(f"{v['webp']} {w}w" for w, v in items if v.get("webp")),
        "jpeg_srcset": ", ".join(f"{v['jpeg']} {w}w" for w, v in items if v.get("jpeg")),
        "fallback": items[min(1, len(items) - 1)][1] if items else None,
        "fallback_width": items[min(1, len(items) - 1)][0] if items else None,
        "fallback_height": items[min(1, len(items) - 1)][1].get("height") if items else None,
    }


@register.simple_tag
def photo_picture(
    photo: Any, sizes: str = DEFAULT_SIZES, alt: str | None = None, css_class: str = "", loading: str = "lazy"
) -> SafeString:
    if photo is None:
        return SafeString("")
    ctx = picture_context(photo, sizes=sizes, alt=alt, css_class=css_class, loading=loading)
    return SafeString(render_to_string("media/photo_picture.html", ctx))


def cover_of(obj: Any) -> Any:
    """The cover photo of obj (first photo if none is marked), from the prefetch cache when present."""
    from kei_community.media.selectors import PHOTO_LIST, photos_of

    if getattr(obj, "photos", None) is None and getattr(obj, PHOTO_LIST, None) is None:
        return None
    items = photos_of(obj)
    if not items:
        return None
    return next((p for p in items if p.is_cover), items[0])


@register.simple_tag
def photo_cover(
    obj: Any, sizes: str = DEFAULT_SIZES, alt: str | None = None, css_class: str = "", loading: str = "lazy"
) -> SafeString:
    photo = cover_of(obj)
    if photo is None:
        return SafeString(render_to_string("media/photo_none.html", {"css_class": css_class}))
    return photo_picture(
        photo,
        sizes=sizes,
        alt=alt if alt is not None else (photo.alt or str(obj)),
        css_class=css_class,
        loading=loading,
    )


@register.simple_tag
def avatar(member: Any, size: int = 48) -> SafeString:
    from kei_community.media.selectors import avatar_for

    photo = avatar_for(member)
    name = getattr(member, "public_name", "") or str(member)
    try:
        size = int(size)
    except (TypeError, ValueError):
        size = 48
    ctx = {
        "photo": photo,
        "ready": bool(photo and photo.is_ready),
        "src": photo.url_for(size * 2) if photo and photo.is_ready else (photo.placeholder if photo else ""),
        "name": name,
        "initial": (name[:1] or "?").upper(),
        "size": size,
    }
    return SafeString(render_to_string("media/avatar.html", ctx))


@register.inclusion_tag("media/photo_manager.html", takes_context=True)
def photo_manager(context: Any, owner: Any, action_url: str, max_photos: int | None = None) -> dict[str, Any]:
    """Embed the photo manager for `owner`, posting to `action_url` (a view calling handle_photo_action)."""
    from kei_community.media.views import manager_context

    ctx = manager_context(owner=owner, action_url=action_url, max_photos=max_photos)
    ctx["request"] = context.get("request")
    ctx["csrf_token"] = context.get("csrf_token")
    return ctx
