"""A Celery app for tests/services/test_beat.py: the project's SingleBeatScheduler with one job a second.

Its messages go to a queue nobody consumes (``beat_probe``), so the test can count them in Redis and read
which beat process sent each one (the ``origin`` header).
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kei_community.settings")
django.setup()

from celery import Celery  # noqa: E402
from django.conf import settings  # noqa: E402

app = Celery("beat_probe", broker=settings.CELERY_BROKER_URL)
app.conf.beat_scheduler = "kei_community.core.beat:SingleBeatScheduler"
app.conf.beat_schedule = {
    "probe-every-second": {"task": "beat_probe.tick", "schedule": 1.0, "options": {"queue": "beat_probe"}}
}
