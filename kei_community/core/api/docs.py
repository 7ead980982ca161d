"""The API's Swagger UI page, under the site's Cross-Origin-Opener-Policy.

drf-spectacular answers its Swagger page with `Cross-Origin-Opener-Policy: unsafe-none` so that
Swagger UI's OAuth2 pop-up can talk back to its opener; SecurityMiddleware only sets COOP when a
response has none, so the page went without isolation. This API signs in with a token or the
session, never through an OAuth2 pop-up: the page gets the site's policy
(SECURE_CROSS_ORIGIN_OPENER_POLICY, `same-origin`) like every other page.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class ApiDocsView(SpectacularSwaggerView):
    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        # Without drf-spectacular's header, SecurityMiddleware sends SECURE_CROSS_ORIGIN_OPENER_POLICY.
        del response.headers["Cross-Origin-Opener-Policy"]
        return response
