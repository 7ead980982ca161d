from django.urls import path

from kei_community.media.api import views

urlpatterns = [
    path("photos/<id:pk>/", views.PhotoDetailView.as_view(), name="photo-detail"),
    path("me/avatar/", views.AvatarView.as_view(), name="avatar"),
]
