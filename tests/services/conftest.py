"""Real PostgreSQL, Redis and an in-thread Celery worker consuming from Redis."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings

from tests.conftest import require_or_skip


def _postgres_configured() -> bool:
    return django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _redis_reachable() -> bool:
    url = django_settings.REDIS_URL
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/services/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.services)


@pytest.fixture(autouse=True)
def _require_real_services() -> None:
    require_or_skip(
        _postgres_configured(),
        "service tests need PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/kei (make test-services)",
    )
    require_or_skip(_redis_reachable(), "service tests need Redis: set REDIS_URL=redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def celery_worker_real():
    """A real Celery worker thread consuming from the Redis broker in REDIS_URL."""
    if not (_postgres_configured() and _redis_reachable()):
        yield None
        return
    from celery.contrib.testing.worker import start_worker

    from kei_community.celery import app

    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def live_worker(celery_worker_real, settings):  # type: ignore[no-untyped-def]
    """Use in a test to have tasks run on the real worker (use transaction=True DB access)."""
    from kei_community.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    return celery_worker_real


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    """The schemathesis contract's counts (tests/services/test_api_contract.py), printed even when it passes."""
    import sys

    module = sys.modules.get("tests.services.test_api_contract")
    for who, counts in getattr(module, "COUNTS", {}).items():
        figures = ", ".join(f"{k} {v}" for k, v in counts.items())
        terminalreporter.write_line(f"API contract ({who}): {figures}")
