"""The site's URLs plus one moderator-only page, for tests of users.permissions."""

from django.http import HttpResponse
from django.urls import path

from kei_community.urls import handler400, handler403, handler404, handler500
from kei_community.urls import urlpatterns as site_urlpatterns
from kei_community.users.permissions import moderator_required


@moderator_required
def moderation_tool(request):  # type: ignore[no-untyped-def]
    return HttpResponse("moderation tool")


urlpatterns = [path("test-moderation-tool/", moderation_tool), *site_urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
