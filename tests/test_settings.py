"""The settings module under DJANGO_ENV=production, in fresh interpreters (settings load once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "test-" + "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "kei.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
}
SETTINGS_VARS = [
    *PRODUCTION_ENV,
    "DJANGO_DEBUG",
    "TESTING",
    "DJANGO_BEHIND_TLS_PROXY",
    "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser layer while Chromium runs
]
DUMP = "import json, kei_community.settings as s; print(json.dumps({k: getattr(s, k, None) for k in %r}, default=str))"


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS and not k.startswith("PYTEST")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def _settings(names: list[str], **env: str) -> dict:
    result = _run(["-c", DUMP % (names,)], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("missing", list(PRODUCTION_ENV)[1:])
def test_production_without_a_required_variable_stops_naming_it(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr


def test_production_settings_are_locked_down():
    names = [
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER", "ACCOUNT_EMAIL_VERIFICATION", "MODERATION_REQUIRES_MFA", "DATABASES",
        "CACHES", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "ALLOWED_HOSTS", "EMAIL_BACKEND",
    ]  # fmt: skip
    s = _settings(names, **PRODUCTION_ENV)
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is s["CSRF_COOKIE_SECURE"] is s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"
    assert s["MODERATION_REQUIRES_MFA"] is True
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert s["CACHES"]["default"]["BACKEND"] == "kei_community.core.cache.FailOpenRedisCache"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False
    assert s["CELERY_BROKER_URL"] == PRODUCTION_ENV["REDIS_URL"]
    assert s["ALLOWED_HOSTS"] == ["kei.example"]
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_behind_a_tls_proxy_trusts_x_forwarded_proto():
    s = _settings(["SECURE_PROXY_SSL_HEADER"], **PRODUCTION_ENV, DJANGO_BEHIND_TLS_PROXY="true")
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_development_defaults_need_no_variables():
    names = ["DEBUG", "DATABASES", "CELERY_TASK_ALWAYS_EAGER", "EMAIL_BACKEND", "MODERATION_REQUIRES_MFA", "CACHES"]
    s = _settings(names, DATABASE_URL="", REDIS_URL="")
    assert s["DEBUG"] is True
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is True
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert s["MODERATION_REQUIRES_MFA"] is False
    assert s["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


MESSAGE_FLOOD_SETTINGS = ["MESSAGE_RATE_PER_MINUTE", "MESSAGE_RATE_PER_DAY", "NOTIFICATIONS_EMAIL_BURST_MINUTES"]


def test_message_rate_limits_and_email_bursts_are_on_in_production():
    s = _settings(MESSAGE_FLOOD_SETTINGS, **PRODUCTION_ENV)
    assert s == {"MESSAGE_RATE_PER_MINUTE": 10, "MESSAGE_RATE_PER_DAY": 200, "NOTIFICATIONS_EMAIL_BURST_MINUTES": 10}


def test_message_rate_limits_and_email_bursts_are_off_under_make_run():
    s = _settings(MESSAGE_FLOOD_SETTINGS, DATABASE_URL="", REDIS_URL="")
    assert s == {"MESSAGE_RATE_PER_MINUTE": 0, "MESSAGE_RATE_PER_DAY": 0, "NOTIFICATIONS_EMAIL_BURST_MINUTES": 0}


def test_check_deploy_passes_with_every_production_variable():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
