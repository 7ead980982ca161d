from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> None:
    """Send immediate emails for these notifications according to each recipient's preference."""
    from kei_community.notifications.delivery import deliver

    deliver(notification_ids)
