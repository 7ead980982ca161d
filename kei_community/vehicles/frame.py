"""Japanese frame numbers: `<chassis code>-<serial>`, 9–12 characters, no check digit, not a VIN."""

from __future__ import annotations

import re

_DASHES = re.compile(r"[\s_‐-―−ー－/.]+")
_PATTERN = re.compile(r"^([A-Z0-9]{2,8})-(\d{4,8})$")
# A 17-character VIN (ISO 3779: no I, O or Q), with letters and digits.
_VIN = re.compile(r"^(?=.*\d)(?=.*[A-Z])[A-HJ-NPR-Z0-9]{17}$")
VIN_WARNING = (
    "That looks like a 17-character VIN. Japanese kei trucks have a frame number instead (e.g. DA63T-123456), "
    "stamped on the frame and written on the export certificate; please check the truck's papers."
)


def looks_like_vin(value: str) -> bool:
    """17 letters and digits as a VIN has them (spaces and dashes ignored)."""
    return bool(_VIN.match(_compact(value)))


def _compact(value: str) -> str:
    return _DASHES.sub("", (value or "").strip().upper()).replace("-", "")


def normalize_frame_number(value: str) -> str:
    """Upper-case, one ASCII dash between chassis code and serial."""
    value = (value or "").strip().upper()
    if looks_like_vin(value):  # kept whole: a VIN is not a chassis code and a serial
        return _compact(value)
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
    if looks_like_vin(value):
        return [VIN_WARNING]
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
