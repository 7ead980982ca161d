"""The site's URLs plus pages that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from kei_community.urls import handler400, handler403, handler404, handler500
from kei_community.urls import urlpatterns as site_urlpatterns


def boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("deliberate failure for the 500 page test")


def forbidden(request):  # type: ignore[no-untyped-def]
    raise PermissionDenied("Only the owner can change this listing.")


urlpatterns = [
    path("test-boom/", boom),
    path("api/v1/test-boom/", boom),
    path("test-forbidden/", forbidden),
    *site_urlpatterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
