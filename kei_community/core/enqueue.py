"""Enqueue a Celery task of the project's app by its registered name, so services never import their app's `tasks` module.

Tasks call services; services enqueue through here. The task object is looked up in the app's registry when the
message is sent (`Signature.delay` uses the registered task's `apply_async`, so eager mode and task options such as
queues still apply). Task names are the dotted paths Celery gives `@shared_task` functions, or their `name=`.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kei_community.celery import app


def send(name: str, *args: Any, **kwargs: Any) -> Any:
    """Send the task now; broker errors propagate to the caller (which decides whether the sweeper retries)."""
    if name not in app.tasks:
        # Task modules are discovered lazily; a web process may not have imported this one yet. Sending by name
        # alone would skip eager mode and the task's own options.
        app.loader.import_default_modules()
    return app.signature(name, args=args, kwargs=kwargs).delay()


def send_on_commit(name: str, *args: Any, **kwargs: Any) -> None:
    """Send the task once the current transaction commits (immediately outside one)."""
    transaction.on_commit(lambda: send(name, *args, **kwargs))
