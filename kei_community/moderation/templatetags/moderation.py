from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

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
        "moderate": reverse("moderation:object", kwargs={"content_type_id": ct.pk, "object_id": target.pk}),
        "uid": f"{ct.pk}-{target.pk}",
        "reasons": MEMBER_REASONS,
    }


@register.simple_tag(takes_context=True)
def suspension_notice(context: dict) -> SafeString:
    """The notice a suspended member sees on every page (reason and end). No query for anyone else:
    the page's user carries ``active_suspension_id`` (users.selectors.user_with_header_state)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return mark_safe("")  # noqa: S308 - empty
    if getattr(user, "active_suspension_id", None) is None:  # request.user is a lazy object: getattr
        return mark_safe("")  # noqa: S308 - empty
    from kei_community.moderation.sanctions import ends_in_words, suspension_in_force

    suspension = suspension_in_force(user)
    if suspension is None:
        return mark_safe("")  # noqa: S308 - empty
    html = render_to_string(
        "moderation/suspension_notice.html", {"suspension": suspension, "until": ends_in_words(suspension)}
    )
    return mark_safe(html)  # noqa: S308 - rendered by a template (autoescaped)


@register.inclusion_tag("moderation/moderator_tools.html", takes_context=True)
def moderator_tools(context: dict, target: Any) -> dict:
    """For moderators only (nothing, and no query, for anyone else): the content's state and the verbs
    that apply, as a compact form on the content's own page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or target is None or user is None or not getattr(user, "is_authenticated", False):
        return {"show": False}
    if not user.is_moderator:
        return {"show": False}
    from kei_community.moderation import actions, selectors
    from kei_community.moderation.forms import ModerationActionForm

    ct = ContentType.objects.get_for_model(target)
    state = selectors.target_state(content_type=ct, object_id=target.pk)
    if state is None:
        return {"show": False}
    situation = actions.situation_for_state(user, state)
    url = reverse("moderation:object", kwargs={"content_type_id": ct.pk, "object_id": target.pk})
    return {
        "show": True,
        "state": state,
        "url": url,
        "actions": actions.shown(situation, actions.TARGET_ACTION_NAMES),
        "form": ModerationActionForm(),
        "next": request.get_full_path(),
        "uid": f"tools-{ct.pk}-{target.pk}",
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
