"""The project's one paginator: `page` and `page_size` are whole numbers, anything else is a 400."""

from __future__ import annotations

import re
from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from kei_community.core.public_url import rebase

MAX_PAGE_SIZE = 100
_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def query_int(request: Request, name: str, *, minimum: int = 1, maximum: int | None = None) -> int | None:
    """A positive whole-number query parameter, None when absent or empty; a 400 in the error shape otherwise."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    value = int(raw) if _WHOLE_NUMBER.fullmatch(raw) else None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        limits = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise ValidationError({name: [f"Use a whole number {limits}."]})
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`: M from 1 to 100 (default 20). A value that is not a whole number in range is
    refused with 400; a page past the last one is a 404 ("Invalid page.")."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings: tuple[str, ...] = ()

    def get_page_size(self, request: Request) -> int:
        size = query_int(request, self.page_size_query_param, maximum=self.max_page_size)
        return size if size is not None else int(self.page_size or 20)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return query_int(request, self.page_query_param) or 1

    # `next` and `previous` are absolute URLs under SITE_URL (kei_community.core.public_url), never the Host
    # header the client sent.
    def get_next_link(self) -> str | None:
        link = super().get_next_link()
        return rebase(link) if link else None

    def get_previous_link(self) -> str | None:
        link = super().get_previous_link()
        return rebase(link) if link else None

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for param in params:
            param["schema"]["minimum"] = 1
            if param["name"] == self.page_size_query_param:
                param["schema"]["maximum"] = self.max_page_size
                param["description"] = f"Results per page, 1 to {self.max_page_size} (default {self.page_size})."
            else:
                param["description"] = "A page number from 1; a page past the last one is a 404."
        return params
