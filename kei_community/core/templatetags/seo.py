"""Links and tags for sharing and search engines, every URL under SITE_URL (kei_community.core.public_url).

{% seo_meta %}                      canonical link, OpenGraph and Twitter card tags (the layout's default)
{% seo_meta title=t description=d image=photo_url type="product" path=obj.get_absolute_url %}
{% json_ld data %}                  schema.org JSON-LD from a dict (safe inside <script>)
{% absolute_url path as url %}      a path as an absolute URL under SITE_URL
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from kei_community.core.public_url import absolute_url as _absolute_url

register = template.Library()

DEFAULT_DESCRIPTION = "Buy, sell, build and register Japanese kei mini trucks in the United States."
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def absolute_url(path: str) -> str:
    return _absolute_url(str(path or "/"))


def canonical_for(request: Any, path: str = "") -> str:
    """The page's one URL: `path` if given, else the request's path with only a page number kept."""
    if path:
        return _absolute_url(path)
    if request is None:
        return _absolute_url("/")
    page = str(request.GET.get("page", ""))
    suffix = f"?page={page}" if page.isdigit() and page.lstrip("0") not in ("", "1") else ""
    return _absolute_url(request.path) + suffix


@register.inclusion_tag("core/seo_meta.html", takes_context=True)
def seo_meta(
    context: Any,
    title: str = "",
    description: str = "",
    image: str = "",
    type: str = "website",  # noqa: A002 - OpenGraph's own word
    path: str = "",
    noindex: bool = False,
) -> dict[str, Any]:
    request = context.get("request")
    return {
        "canonical": canonical_for(request, path),
        "title": title or context.get("page_title") or settings.SITE_NAME,
        "description": description or context.get("page_description") or DEFAULT_DESCRIPTION,
        "image": _absolute_url(image) if image else "",
        "type": type,
        "site_name": settings.SITE_NAME,
        "noindex": noindex,
    }


def json_ld_payload(data: dict[str, Any] | None) -> str:
    """`data` as JSON-LD text for a <script> element: <, > and & escaped so no text can close the tag
    ("" for no data). Reader-independent, so pages may cache it and wrap it per request (json_ld_script)."""
    if not data:
        return ""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)


@register.simple_tag(takes_context=True)
def json_ld_script(context: Any, payload: str) -> str:
    """<script type="application/ld+json"> around a json_ld_payload, with this request's CSP nonce."""
    if not payload:
        return ""
    from django.template.loader import render_to_string

    request = context.get("request")
    return render_to_string(
        "core/json_ld.html",
        {"payload": mark_safe(payload), "nonce": getattr(request, "csp_nonce", "")},  # noqa: S308 - escaped JSON
    )


@register.simple_tag(takes_context=True)
def json_ld(context: Any, data: dict[str, Any] | None) -> str:
    """<script type="application/ld+json"> with `data`; <, > and & escaped so no text can close the tag."""
    return json_ld_script(context, json_ld_payload(data))
