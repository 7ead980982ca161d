"""Celery app: broker from REDIS_URL; tasks run in-process (eager) when it is unset."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kei_community.settings")

app = Celery("kei_community")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
