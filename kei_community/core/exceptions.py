"""Exceptions services raise that are neither a validation error nor a permission error."""

from __future__ import annotations


class RateLimited(Exception):
    """Too many attempts: the API answers 429 (with Retry-After), the site shows the message.

    ``retry_after`` is how many seconds until the caller may try again (an upper bound), or None.
    """

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
