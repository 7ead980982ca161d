"""Japanese frame numbers: `<chassis code>-<serial>`, 9–12 characters, no check digit, not a VIN."""

from __future__ import annotations

import re

_DASHES = re.compile(r"[\s_‐-―−ー－/.]+")
_PATTERN = re.compile(r"^([A-Z0-9]{2,8})-(\d{4,8})$")


def normalize_frame_number(value: str) -> str:
    """Upper-case, one ASCII dash between chassis code and serial."""
    value = (value or "").strip().upper()
    value = _DASHES.sub("-", value).strip("-")
    if value and "-" not in value:
        # "DA63T123456" -> "DA63T-123456" when a trailing serial is obvious.
        match = re.match(r"^([A-Z]+\d+[A-Z]+)(\d{4,8})$", value)
        if match:
            value = f"{match.group(1)}-{match.group(2)}"
    return value


def frame_prefix(value: str) -> str:
    return normalize_frame_number(value).split("-", 1)[0]


def frame_number_warnings(value: str, *, known_codes: set[str] | None = None) -> list[str]:
    """Loose checks: warnings only, never a blocking error."""
    value = normalize_frame_number(value)
    if not value:
        return []
    warnings = []
    if not _PATTERN.match(value):
        warnings.append("Frame numbers usually look like DA63T-123456 (chassis code, dash, serial).")
    elif not 9 <= len(value) <= 13:
        warnings.append("Frame numbers are usually 9 to 12 characters long.")
    if known_codes is not None and frame_prefix(value) not in known_codes:
        warnings.append(f"“{frame_prefix(value)}” is not a chassis code in our catalog; please double-check.")
    return warnings


def mask_frame_number(value: str) -> str:
    """Show the chassis code and the last two digits: DA63T-****56."""
    value = normalize_frame_number(value)
    if "-" not in value:
        return value[:3] + "*" * max(len(value) - 3, 0)
    code, serial = value.split("-", 1)
    return f"{code}-{'*' * max(len(serial) - 2, 0)}{serial[-2:]}"
