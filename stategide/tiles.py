"""US tile map layout: (row, column) of each jurisdiction in a 8 x 11 grid."""

from __future__ import annotations

from typing import Any

from stategide.models import Status

TILE_POSITIONS: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (0, 10),
    "WI": (1, 5), "VT": (1, 9), "NH": (1, 10),
    "WA": (2, 0), "ID": (2, 1), "MT": (2, 2), "ND": (2, 3), "MN": (2, 4), "IL": (2, 5), "MI": (2, 6),
    "NY": (2, 8), "MA": (2, 9),
    "OR": (3, 0), "NV": (3, 1), "WY": (3, 2), "SD": (3, 3), "IA": (3, 4), "IN": (3, 5), "OH": (3, 6),
    "PA": (3, 7), "NJ": (3, 8), "CT": (3, 9), "RI": (3, 10),
    "CA": (4, 0), "UT": (4, 1), "CO": (4, 2), "NE": (4, 3), "MO": (4, 4), "KY": (4, 5), "WV": (4, 6),
    "VA": (4, 7), "MD": (4, 8), "DE": (4, 9),
    "AZ": (5, 1), "NM": (5, 2), "KS": (5, 3), "AR": (5, 4), "TN": (5, 5), "NC": (5, 6), "SC": (5, 7),
    "DC": (5, 8),
    "OK": (6, 3), "LA": (6, 4), "MS": (6, 5), "AL": (6, 6), "GA": (6, 7),
    "HI": (7, 0), "TX": (7, 3), "FL": (7, 8),
}  # fmt: skip

SHORT_LABELS = {
    Status.ROAD_LEGAL: "Legal",
    Status.RESTRICTED: "Limits",
    Status.FARM_OR_OFFROAD_ONLY: "Farm",
    Status.NOT_ALLOWED: "No",
    Status.UNCLEAR: "?",
}


def tiles_for(items: list[Any]) -> list[dict[str, Any]]:
    """items: StatePage objects (with published_revision) or RegistrationOutlook objects."""
    tiles = []
    for item in items:
        code = getattr(item, "code", None) or item.state_code
        if code not in TILE_POSITIONS:
            continue
        if hasattr(item, "published_revision"):
            status = item.published_revision.status if item.published_revision else Status.UNCLEAR
            name, url = item.name, item.get_absolute_url()
        else:
            status, name, url = item.status, item.state_name, item.url
        row, col = TILE_POSITIONS[code]
        tiles.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "status": status,
                "status_label": Status(status).label,
                "short": SHORT_LABELS[Status(status)],
                "row": row,
                "col": col,
            }
        )
    return tiles


def legend() -> list[dict[str, str]]:
    return [{"status": s.value, "label": s.label, "short": SHORT_LABELS[s]} for s in Status]
