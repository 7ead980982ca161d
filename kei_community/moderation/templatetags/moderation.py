from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from kei_community.moderation.forms import MEMBER_REASONS
from kei_community.moderation.registry import handlers_for

register = template.Library()


@register.simple_tag
def report_form_context(target: Any) -> dict:
    """What moderation/report_form.html needs for one target (no query: content types are cached)."""
    if target is None or handlers_for(target) is None:
        return {"reportable": False}
    ct = ContentType.objects.get_for_model(target)
    return {
        "reportable": True,
        "action": reverse("moderation:report", kwargs={"content_type_id": ct.pk, "object_id": target.pk}),
        "uid": f"{ct.pk}-{target.pk}",
        "reasons": MEMBER_REASONS,
    }
