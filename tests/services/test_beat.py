"""Beat runs each periodic job once even when started on two machines (two real `celery beat` processes
sharing one Redis), and the second takes over when the first dies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kei_community.core.beat import LOCK_KEY

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "beat_probe"
LOCK_SECONDS = 3


def _redis():
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL)


def _start_beat() -> subprocess.Popen:
    env = dict(os.environ, BEAT_LOCK_SECONDS=str(LOCK_SECONDS), PYTHONPATH=str(ROOT))
    env.pop("TESTING", None)
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "tests.services.beat_probe", "beat", "--loglevel=warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _origins(r) -> Counter:
    """Which process sent each queued probe message (Celery's `origin` header: gen<pid>@host)."""
    return Counter(json.loads(raw)["headers"]["origin"].split("@")[0] for raw in r.lrange(QUEUE, 0, -1))


def _stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=15)


@pytest.fixture
def beats():  # type: ignore[no-untyped-def]
    r = _redis()
    r.delete(QUEUE, LOCK_KEY)
    procs = [_start_beat(), _start_beat()]
    yield r, procs
    for proc in procs:
        _stop(proc, signal.SIGKILL)
    r.delete(QUEUE, LOCK_KEY)


def test_two_beats_send_each_job_once(beats):
    r, procs = beats
    time.sleep(8)
    sent = _origins(r)
    assert len(sent) == 1, f"more than one beat sent jobs: {sent}"
    assert 4 <= sum(sent.values()) <= 10  # one job a second, from one process


def test_the_other_beat_takes_over_when_the_leader_dies(beats):
    r, procs = beats
    time.sleep(5)
    (leader,) = _origins(r)
    by_pid = {f"gen{p.pid}": p for p in procs}
    _stop(by_pid[leader], signal.SIGKILL)  # no chance to release the lock
    r.delete(QUEUE)
    time.sleep(LOCK_SECONDS + 5)
    sent = _origins(r)
    assert leader not in sent
    assert len(sent) == 1 and sum(sent.values()) >= 2, sent
