"""The site's URLs plus a demo owner that mounts the reusable photo views and API mixin."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.urls import include, path
from django.views.decorators.cache import cache_page
from rest_framework import routers, serializers, viewsets

from kei_community.core import views as core_views
from kei_community.media.api.views import PhotosViewSetMixin
from kei_community.media.views import handle_photo_action
from kei_community.urls import urlpatterns as site_urlpatterns
from kei_community.users.models import User


@login_required
def member_photos(request, pk):
    member = get_object_or_404(User, pk=pk)
    return handle_photo_action(
        request,
        member,
        can_edit=member.pk == request.user.pk,
        redirect_url=f"/test/members/{pk}/photos/",
        title="Member photos",
    )


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id"]


class MemberPhotosViewSet(PhotosViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.all()
    serializer_class = MemberSerializer

    def photos_can_edit(self, request, obj):
        return obj.pk == request.user.pk


router = routers.SimpleRouter()
router.register("test-members", MemberPhotosViewSet, basename="test-member")

urlpatterns = [
    path("test/members/<int:pk>/photos/", member_photos, name="test-member-photos"),
    # The home page behind the per-view cache: every hit reads and writes the cache.
    path("test/cached-home/", cache_page(60)(core_views.home), name="test-cached-home"),
    path("api/test/", include(router.urls)),
    *site_urlpatterns,
]
