"""Input PostgreSQL refuses (NUL characters) never reaches it from the address: 400/404, not 500."""

from __future__ import annotations

import pytest
from django.test import Client

QUERIES = [
    "/api/v1/search/?q=a%00b",
    "/api/v1/forum/threads/?category=a%00",
    "/api/v1/forum/threads/?q=a%00",
    "/api/v1/forum/threads/?tag=a%00",
    "/api/v1/forum/threads/?state=T%00",
    "/api/v1/catalog/chassis-codes/?make=a%00",
    "/api/v1/catalog/chassis-codes/?q=a%00",
    "/api/v1/listings/?q=a%00",
    "/api/v1/listings/?make=a%00",
    "/search/?q=a%00",
    "/listings/?q=a%00",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", QUERIES)
def test_a_nul_character_in_the_query_string_is_a_400_on_postgresql(url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_nul_character_in_a_chassis_code_is_a_404_on_postgresql():
    response = Client(raise_request_exception=False).get("/api/v1/catalog/chassis-codes/DA%00/")
    assert response.status_code == 404
