"""The state guide's registration outlook, through stategide.selectors only."""

from __future__ import annotations

from typing import Any

REGISTRABLE_STATUSES = ("road_legal", "restricted")


def registration_outlook(state_code: str | None) -> Any | None:
    if not state_code:
        return None
    try:
        from stategide.selectors import registration_outlook as _outlook
    except ImportError:  # the state guide is optional
        return None
    return _outlook(state_code)


def outlook_dict(outlook: Any | None) -> dict | None:
    if outlook is None:
        return None
    verified = getattr(outlook, "last_verified", None)
    return {
        "state_code": outlook.state_code,
        "state_name": outlook.state_name,
        "status": outlook.status,
        "status_label": outlook.status_label,
        "summary": outlook.summary,
        "last_verified": verified.isoformat() if verified else None,
        "confidence": getattr(outlook, "confidence", ""),
        "url": outlook.url,
    }


def state_allows_registration(state_code: str) -> bool:
    outlook = registration_outlook(state_code)
    return outlook is not None and outlook.status in REGISTRABLE_STATUSES
