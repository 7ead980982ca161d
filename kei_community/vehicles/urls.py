from django.urls import path

from kei_community.vehicles import views

app_name = "vehicles"
urlpatterns = [
    path("", views.garage_index, name="index"),
    path("<int:pk>/", views.truck_detail, name="truck-detail"),
]
