from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def repair_counters() -> dict[str, int]:
    """Nightly: recompute every denormalised forum counter (idempotent)."""
    from forum.services import counters_repair

    return counters_repair()
