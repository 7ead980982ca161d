from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from kei_community.vehicles.models import GarageTruck


def garage_index(request: HttpRequest) -> HttpResponse:
    return render(request, "vehicles/garagetruck_list.html", {"trucks": []})


def truck_detail(request: HttpRequest, pk: int) -> HttpResponse:
    truck = get_object_or_404(GarageTruck.objects.select_related("owner", "chassis_code"), pk=pk)
    return render(request, "vehicles/garagetruck_detail.html", {"truck": truck})
