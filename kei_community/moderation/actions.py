"""The moderator verbs offered on a piece of content or a member, as actions (Wagtail style): each says
whether it applies now (``is_shown``, for the buttons) and runs one service function (``execute``).

The services check permissions and the rules themselves; an action only picks the service and turns
its result into the sentence the moderator reads. The queue, the content page, the member page and
the API all go through ``perform_on_target`` / ``perform_on_member``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from kei_community.moderation import services
from kei_community.moderation.models import Removal, Sanction
from kei_community.moderation.registry import HandledTarget, TargetHandlers, bulk_removable_models, handlers_for
from kei_community.users.permissions import SYSTEM


@dataclass(frozen=True)
class Situation(HandledTarget):
    """What decides which verbs apply: the content (if any), its removal, its owner and their suspension."""

    actor: Any
    obj: models.Model | None
    handlers: TargetHandlers | None
    removal: Removal | None
    owner: Any
    owner_suspension: Sanction | None
    open_reports: int

    @property
    def can_sanction_owner(self) -> bool:
        """Worth offering (the service still decides: a moderator can be suspended by staff only)."""
        owner, actor = self.owner, self.actor
        if owner is None or getattr(owner, "pk", None) is None or owner.is_staff or owner.is_superuser:
            return False
        return actor is SYSTEM or owner.pk != getattr(actor, "pk", None)


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    style: str
    is_shown: Callable[[Situation], bool]
    execute: Callable[..., str]


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _remove(s: Situation, *, reason: str, note: str, ends_at: datetime | None) -> str:
    assert s.obj is not None
    services.content_remove(actor=s.actor, target=s.obj, reason=reason, note=note)
    return f"The {s.noun} was removed; its owner was told why."


def _restore(s: Situation, *, reason: str, note: str, ends_at: datetime | None) -> str:
    assert s.obj is not None
    services.content_restore(actor=s.actor, target=s.obj, note=note or reason)
    return f"The {s.noun} was restored."


def _warn(s: Situation, *, reason: str, note: str, ends_at: datetime | None) -> str:
    services.member_warn(actor=s.actor, member=s.owner, reason=reason, about=s.obj, note=note)
    return f"{s.owner.public_name} was warned."


def _suspend(s: Situation, *, reason: str, note: str, ends_at: datetime | None) -> str:
    services.member_suspend(actor=s.actor, member=s.owner, reason=reason, ends_at=ends_at, about=s.obj, note=note)
    return f"{s.owner.public_name} is suspended."


def _unsuspend(s: Situation, *, reason: str, note: str, ends_at: datetime | None) -> str:
    services.member_unsuspend(actor=s.actor, member=s.owner, note=note or reason)
    return f"{s.owner.public_name}'s suspension was lifted."


def _remove_all(s: Situation, *, reason: str, note: str, ends_at: datetime | None, suspend: bool) -> str:
    result = services.member_content_remove(
        actor=s.actor, member=s.owner, reason=reason, suspend=suspend, ends_at=ends_at, about=s.obj, note=note
    )
    done = f"Removed {result.summary()} of {s.owner.public_name}"
    return done + (" and suspended them." if suspend else ".")


def _dismiss(s: Situation, *, reason: str, note: str, ends_at: datetime | None) -> str:
    assert s.obj is not None
    from django.contrib.contenttypes.models import ContentType

    closed = services.target_reports_close(
        actor=s.actor,
        content_type=ContentType.objects.get_for_model(s.obj),
        object_id=s.obj.pk,
        decision="dismiss",
        note=note or reason,
    )
    return f"{_plural(len(closed), 'report')} dismissed; the reporters were told: no action."


def _bulk_noun() -> str:
    nouns = [h.noun for m in bulk_removable_models() if (h := handlers_for(m)) is not None]
    return " and ".join(f"{n}s" for n in nouns) or "content"


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("remove", "Remove", "btn-danger", lambda s: s.removable and s.removal is None, _remove),
        Action(
            "remove_all_suspend",
            "Remove all their listings and suspend",
            "btn-danger",
            lambda s: s.can_sanction_owner,
            lambda s, **kw: _remove_all(s, suspend=True, **kw),
        ),
        Action(
            "remove_all",
            "Remove all their listings",
            "btn-outline-danger",
            lambda s: s.can_sanction_owner and s.obj is None,
            lambda s, **kw: _remove_all(s, suspend=False, **kw),
        ),
        Action("warn", "Warn the member", "btn-outline-dark", lambda s: s.can_sanction_owner, _warn),
        Action("suspend", "Suspend the member", "btn-outline-danger", lambda s: s.can_sanction_owner, _suspend),
        Action(
            "unsuspend",
            "Lift the suspension",
            "btn-outline-primary",
            lambda s: s.owner_suspension is not None and s.can_sanction_owner,
            _unsuspend,
        ),
        Action("restore", "Restore", "btn-outline-primary", lambda s: s.removal is not None, _restore),
        Action(
            "dismiss",
            "Dismiss the reports (no action)",
            "btn-outline-secondary",
            lambda s: s.open_reports > 0,
            _dismiss,
        ),
    )
}
TARGET_ACTION_NAMES = ("remove", "remove_all_suspend", "warn", "suspend", "unsuspend", "restore", "dismiss")
MEMBER_ACTION_NAMES = ("remove_all_suspend", "remove_all", "warn", "suspend", "unsuspend")


def shown(situation: Situation, names: tuple[str, ...]) -> list[Action]:
    return [ACTIONS[n] for n in names if ACTIONS[n].is_shown(situation)]


def perform(
    situation: Situation,
    name: str,
    *,
    names: tuple[str, ...],
    reason: str = "",
    note: str = "",
    ends_at: datetime | None = None,
) -> str:
    """Run one verb; ValidationError for a verb that does not apply here (the service checks the rest)."""
    action = ACTIONS.get(name) if name in names else None
    if action is None:
        raise ValidationError({"action": [f"Choose one of: {', '.join(names)}."]})
    needs_owner = name in ("remove_all_suspend", "remove_all", "warn", "suspend", "unsuspend")
    if needs_owner and situation.owner is None:
        raise ValidationError({"action": ["This content has no member to act on."]})
    if name == "remove" and not situation.removable:
        raise ValidationError({"action": ["This kind of content cannot be removed here."]})
    if name in ("restore", "dismiss") and situation.obj is None:
        raise ValidationError({"action": ["Choose the content to act on."]})
    return action.execute(situation, reason=reason, note=note, ends_at=ends_at)


def situation_for_state(actor: Any, state: Any) -> Situation:
    """From selectors.TargetState (the content page, the API) or selectors.ReportGroup (the queue)."""
    reports = getattr(state, "open_reports", None)
    if reports is None:
        reports = getattr(state, "reports", [])
    return Situation(
        actor=actor,
        obj=state.obj,
        handlers=state.handlers,
        removal=state.removal,
        owner=state.owner,
        owner_suspension=state.owner_suspension,
        open_reports=len(reports),
    )


def situation_for_member(actor: Any, overview: Any) -> Situation:
    return Situation(
        actor=actor,
        obj=None,
        handlers=None,
        removal=None,
        owner=overview.member,
        owner_suspension=overview.suspension,
        open_reports=0,
    )
