"""Celery tasks of moderation. Thin: the work is in services."""

from __future__ import annotations

from celery import shared_task

from kei_community.moderation import services

# How often the beat runs the sweep: the longest a suspension that ran out by itself keeps the member's
# listings out of cached searches and pages.
SUSPENSION_SWEEP_SECONDS = 60


@shared_task(ignore_result=True)
def end_expired_suspensions() -> int:
    """Beat job (every SUSPENSION_SWEEP_SECONDS): suspensions that ran out get what a lift fires."""
    return services.suspensions_end_expired()
