from django.urls import path

from kei_community.vehicles import views

app_name = "vehicles"
urlpatterns = [
    path("", views.garage_index, name="index"),
    path("catalog/", views.catalog, name="catalog"),
    path("new/", views.truck_create, name="truck-create"),
    path("<id:pk>/", views.truck_detail, name="truck-detail"),
    path("<id:pk>/edit/", views.truck_edit, name="truck-edit"),
    path("<id:pk>/delete/", views.truck_delete, name="truck-delete"),
]
