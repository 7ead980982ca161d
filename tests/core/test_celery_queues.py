"""Photos, notifications and the rest go to separate queues; a worker started without -Q consumes all."""

from __future__ import annotations

import pytest

from kei_community.celery import app


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("kei_community.media.tasks.process_photo", "images"),
        ("kei_community.media.tasks.sweep_photos", "images"),
        ("kei_community.notifications.tasks.deliver_notifications", "notifications"),
        ("kei_community.notifications.tasks.send_digest", "notifications"),
        ("marketplace.tasks.saved_search_alerts_for_listing", "notifications"),
        ("marketplace.tasks.expire_listings", "celery"),
        ("forum.tasks.repair_counters", "celery"),
    ],
)
def test_task_goes_to_its_queue(task, queue):
    assert app.amqp.router.route({}, task)["queue"].name == queue


def test_worker_without_q_consumes_every_queue():
    assert set(app.amqp.queues) >= {"celery", "images", "notifications"}


def test_beat_uses_the_single_beat_scheduler():
    assert app.conf.beat_scheduler == "kei_community.core.beat:SingleBeatScheduler"
