from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "stategide/index.html")


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("Coming soon.", status=404)


index_csv = detail = history = diff = propose = watch = verify = protect = revision_detail = review = rollback = _todo
