from __future__ import annotations

from celery import shared_task

from stategide import services


@shared_task(name="stategide.send_moderator_reminders")
def send_moderator_reminders() -> int:
    """Weekly reminder to moderators; idempotent (one reminder per moderator per week)."""
    return services.send_moderator_reminders()
