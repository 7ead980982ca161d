"""Security headers Django's SecurityMiddleware does not send.

- `Permissions-Policy` from PERMISSIONS_POLICY: each powerful browser feature the site does not use
  is switched off for the page and everything it embeds.
- `Cross-Origin-Resource-Policy` from CROSS_ORIGIN_RESOURCE_POLICY (`same-origin`): another site's
  page cannot load our responses (pages, API, photos, static files) as a subresource.
- No `Server` header from the application (gunicorn's own is removed by gunicorn.conf.py).

It sits just below SecurityMiddleware and above WhiteNoise, so static files get the headers too.
A response that already carries one of the headers keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse


def permissions_policy_header(policy: Mapping[str, Sequence[str]]) -> str:
    """`{"camera": [], "fullscreen": ["self"]}` -> `camera=(), fullscreen=(self)`.

    An allowlist item is `self` or an origin such as `https://maps.example` (quoted in the header).
    """
    directives = []
    for feature, allowlist in policy.items():
        items = [item if item in ("self", "*") else f'"{item}"' for item in allowlist]
        directives.append(f"{feature}=*" if items == ["*"] else f"{feature}=({' '.join(items)})")
    return ", ".join(directives)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.headers = {
            "Permissions-Policy": permissions_policy_header(getattr(settings, "PERMISSIONS_POLICY", {})),
            "Cross-Origin-Resource-Policy": getattr(settings, "CROSS_ORIGIN_RESOURCE_POLICY", ""),
        }

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for name, value in self.headers.items():
            if value:
                response.headers.setdefault(name, value)
        if "Server" in response.headers:
            del response.headers["Server"]
        return response


class RefuseNulCharactersMiddleware:
    """A NUL character (`%00`) in the address is refused before any view runs.

    PostgreSQL cannot hold or compare text containing NUL: a search for `?q=a%00` made the driver raise (a 500 on
    the site's search, the listing search and a dozen API reads). Forms and API serializers already refuse NUL in
    bodies (Django's and DRF's CharField); this covers what views read from the URL: a NUL in the path is a 404
    (nothing has such an id or code), in the query string a 400 (in the API's error shape under /api/).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path:
            raise Http404("No such page.")
        names = sorted(
            {name for name, values in request.GET.lists() if "\x00" in name or any("\x00" in v for v in values)}
        )
        if names:
            message = "Remove the NUL character (%00) from this value."
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": f"{names[0]}: {message}", "errors": {name: [message] for name in names}}, status=400
                )
            raise BadRequest(message)
        return self.get_response(request)
