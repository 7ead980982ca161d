"""The site's URLs plus a demo owner that mounts the reusable photo views and API mixin."""

from __future__ import annotations

from django.apps import apps
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
        redirect_url=f"/test/members/{pk}/photos/",
        title="Member photos",
    )


@login_required
def any_owner_photos(request, label, pk):
    """The reusable photo views mounted for any owner type (e.g. vehicles.garagetruck): the view itself
    must ask the owning app's registered check."""
    owner = get_object_or_404(apps.get_model(label), pk=pk)
    return handle_photo_action(request, owner, redirect_url=request.path, title="Photos")


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id"]


class MemberPhotosViewSet(PhotosViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = User.objects.all()
    serializer_class = MemberSerializer


router = routers.SimpleRouter()
router.register("test-members", MemberPhotosViewSet, basename="test-member")

urlpatterns = [
    path("test/members/<int:pk>/photos/", member_photos, name="test-member-photos"),
    path("test/photos/<str:label>/<int:pk>/", any_owner_photos, name="test-any-owner-photos"),
    # The home page behind the per-view cache: every hit reads and writes the cache.
    path("test/cached-home/", cache_page(60)(core_views.home), name="test-cached-home"),
    path("api/test/", include(router.urls)),
    *site_urlpatterns,
]
