"""`{{ "stategide"|app_name }}` -> "State guide": an app's human name (its AppConfig.verbose_name) wherever a
page would otherwise show the internal label (the moderation queue's filter and rows)."""

from __future__ import annotations

from django import template
from django.apps import apps

register = template.Library()


@register.filter
def app_name(label: object) -> str:
    text = str(label or "")
    try:
        return str(apps.get_app_config(text).verbose_name)
    except LookupError:
        return text
