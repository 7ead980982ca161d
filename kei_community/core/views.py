from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

from kei_community.core.registry import call_hooks
from kei_community.core.stopwords import too_common

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    context: dict = {}
    for block in call_hooks("home_sections", request):
        context.update(block)
    return render(request, "core/home.html", context)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:
        logger.error("healthz: database unavailable: %s", exc)
        return "down"


def _check_cache() -> str:
    # The cache fails open, so probe the client directly to report the truth.
    try:
        backend = cache._cache if hasattr(cache, "_cache") else None  # RedisCache client
        if backend is not None and hasattr(backend, "get_client"):
            backend.get_client(write=True).ping()
        else:
            cache.set("healthz", "1", 5)
        return "ok"
    except Exception as exc:
        logger.warning("healthz: cache unavailable: %s", exc)
        return "down"


def _check_broker() -> str:
    if not settings.REDIS_URL:
        return "eager"
    try:
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except Exception as exc:
        logger.warning("healthz: broker unavailable: %s", exc)
        return "down"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "cache": _check_cache(), "broker": _check_broker()}
    usable = checks["database"] == "ok"
    body = {"status": "ok" if usable and "down" not in checks.values() else ("degraded" if usable else "down")}
    body.update(checks)
    return JsonResponse(body, status=200 if usable else 503)


def bench_baseline(request: HttpRequest) -> HttpResponse:
    """The benchmarks' yardstick: a short response through the same middleware."""
    return HttpResponse("ok")


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(detail: str, status: int) -> JsonResponse:
    """The API's one error shape, for errors raised outside DRF views (unknown URLs, crashes)."""
    return JsonResponse({"detail": detail, "errors": {}}, status=status)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error("Bad request.", 400)
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(str(exception or "") or "You do not have permission to do this.", 403)
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error("Not found.", 404)
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return _api_error("Server error. It has been logged; please try again in a moment.", 500)
    # No request context: the 500 page must render even when the database is what failed.
    try:
        return HttpResponseServerError(render_to_string("500.html"))
    except Exception:  # a broken template must not hide the original error behind another
        logger.exception("500.html failed to render")
        return HttpResponseServerError("<h1>Server error</h1><p>Please try again in a moment.</p>")


def site_search(request: HttpRequest) -> HttpResponse:
    """The header's search box: one query across every app that registers a "site_search" hook."""
    query = request.GET.get("q", "").strip()[:200]
    groups: list[dict] = []
    if error := too_common(query):  # every app's full-text search would leave each word out and find nothing
        return render(request, "core/search.html", {"query": query, "groups": groups, "error": error}, status=400)
    if query:
        for result in call_hooks("site_search", query, 10):
            groups.append(result)
    return render(request, "core/search.html", {"query": query, "groups": groups})
