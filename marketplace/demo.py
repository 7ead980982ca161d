"""~60 demo listings across many states with generated photos (`manage.py seed_demo`, idempotent)."""

from __future__ import annotations

from typing import Any


def seed_listings(stdout: Any) -> None:
    stdout.write("Demo listings: not yet.")
