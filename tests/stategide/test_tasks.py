import pytest

from kei_community.celery import app
from kei_community.notifications.models import Notification
from stategide import tasks

pytestmark = pytest.mark.django_db


def test_weekly_reminder_is_scheduled():
    entry = app.conf.beat_schedule["stategide-moderator-reminders"]
    assert entry["task"] == "stategide.send_moderator_reminders"


def test_reminder_task_notifies_moderators(moderator, tx):
    assert tasks.send_moderator_reminders.delay().get() == 1
    assert Notification.objects.filter(recipient=moderator, kind="guide_reminder").count() == 1
