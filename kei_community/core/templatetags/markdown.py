from django import template
from django.utils.safestring import SafeString, mark_safe

from kei_community.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Render member markdown; the output is sanitised by nh3, so it is safe to mark."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3
