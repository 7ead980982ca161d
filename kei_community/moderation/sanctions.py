"""Suspensions in force, and the one check every member write makes: ``check_not_suspended(user)``.

Apps call it from the permission helper their writes already share (the marketplace's seller check and
its create/message/question services, the forum's ``_require_member``), so a suspended member can read
but cannot list, edit, publish, post, reply, react, message, ask or upload photos until the suspension
ends or a moderator lifts it.

The signed-in user loaded for a page (``users.selectors.user_with_header_state``) carries
``active_suspension_id``: for them the check costs no query unless they are suspended.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import dateformat, timezone

from kei_community.moderation.models import Sanction

_NOT_LOADED = object()


def suspensions_in_force(*, now: Any = None) -> QuerySet[Sanction]:
    now = now or timezone.now()
    return Sanction.objects.filter(kind=Sanction.Kind.SUSPENSION, lifted_at__isnull=True).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )


def suspended_member_ids() -> QuerySet[Any, Any]:
    """Ids of members suspended now, as a subquery: ``.exclude(seller_id__in=suspended_member_ids())``."""
    return suspensions_in_force().values("member_id")


def suspension_in_force(user: Any) -> Sanction | None:
    """The member's suspension in force now, or None (no query for a page's user who is not suspended)."""
    pk = getattr(user, "pk", None)
    if pk is None or not getattr(user, "is_authenticated", False):
        return None
    annotated = getattr(user, "active_suspension_id", _NOT_LOADED)  # request.user is a lazy object: getattr
    if annotated is None:
        return None
    qs = suspensions_in_force().filter(member_id=pk)
    if isinstance(annotated, int):
        qs = qs.filter(pk=annotated)
    return qs.order_by("-created_at", "-id").first()


def ends_in_words(suspension: Sanction) -> str:
    if suspension.ends_at is None:
        return "until a moderator lifts it"
    return "until " + dateformat.format(timezone.localtime(suspension.ends_at), "M j, Y, H:i T")


def suspension_message(suspension: Sanction) -> str:
    return (
        f"Your account is suspended {ends_in_words(suspension)}. Reason: {suspension.reason} "
        "You can still read the site, but you cannot list, post, message, react or upload photos until then."
    )


def check_not_suspended(user: Any) -> None:
    """Raise PermissionDenied (the reason and the end date in its message) if ``user`` is suspended now."""
    suspension = suspension_in_force(user)
    if suspension is not None:
        raise PermissionDenied(suspension_message(suspension))
