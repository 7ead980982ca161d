from django.urls import path

from kei_community.core.api import views

urlpatterns = [
    path("search/", views.SiteSearchView.as_view(), name="search"),
]
