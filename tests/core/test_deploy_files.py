"""The deployment files hold what docs/deploy.md promises (images cannot be built here: these checks and
`check-jsonschema --builtin-schema vendor.compose-spec compose.yaml` are what runs offline)."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
import yaml

from kei_community.core import healthcheck

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def test_compose_has_every_role(compose):
    assert {
        "web-a",
        "web-b",
        "worker-images",
        "worker-notifications",
        "beat",
        "migrate",
        "postgres",
        "redis-cache",
        "redis-broker",
        "minio",
        "proxy",
    } <= set(compose["services"])


def test_workers_consume_their_own_queues(compose):
    images = compose["services"]["worker-images"]["command"]
    notifications = compose["services"]["worker-notifications"]["command"]
    assert images[images.index("-Q") + 1] == "images"
    assert notifications[notifications.index("-Q") + 1].split(",") == ["notifications", "celery"]


def test_cache_and_broker_are_separate_redis_servers_with_their_eviction_policies(compose):
    env = compose["x-app"]["environment"]
    assert "redis-cache" in env["CACHE_URL"] and "redis-broker" in env["CELERY_BROKER_URL"]
    assert "allkeys-lru" in compose["services"]["redis-cache"]["command"]
    assert "noeviction" in compose["services"]["redis-broker"]["command"]


def test_no_node_shares_a_local_disk(compose):
    for name in ("web-a", "web-b", "worker-images", "worker-notifications", "beat"):
        assert not compose["services"][name].get("volumes"), name
    assert compose["x-app"]["environment"]["MEDIA_STORAGE"] == "s3"


def test_dockerfile_is_multi_stage_non_root_with_static_collected_and_a_healthcheck(dockerfile):
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and not users[-1].startswith(("root", "0"))
    assert "collectstatic" in dockerfile
    assert "kei_community.core.healthcheck" in re.search(r"^HEALTHCHECK.*(?:\n\s+.*)*", dockerfile, re.M).group(0)


def test_procfile_takes_bind_address_and_paths_from_the_environment():
    procfile = (ROOT / "Procfile").read_text()
    assert "127.0.0.1:" not in procfile and ".venv/bin/gunicorn" not in procfile
    assert "${BIND" in procfile and "${VENV_BIN" in procfile


def test_healthcheck_passes_against_a_live_node(live_server, monkeypatch):
    monkeypatch.setenv("PORT", str(live_server.thread.port))
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
    assert healthcheck.main() == 0


def test_healthcheck_fails_when_nothing_answers(monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("PORT", str(port))
    assert healthcheck.main() == 1
