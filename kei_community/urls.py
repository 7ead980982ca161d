from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView

from kei_community.core import pages
from kei_community.core import views as core_views
from kei_community.core.api.docs import ApiDocsView

api_v1: list[URLPattern | URLResolver] = [
    path("", include("kei_community.users.api.urls")),
    path("", include("kei_community.notifications.api.urls")),
    path("", include("kei_community.media.api.urls")),
    path("", include("kei_community.moderation.api.urls")),
    path("", include("kei_community.vehicles.api.urls")),
    path("", include("stategide.api.urls")),
    path("", include("marketplace.api.urls")),
    path("", include("forum.api.urls")),
    path("", include("kei_community.core.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("search/", core_views.site_search, name="site-search"),
    path("about/", pages.about, name="about"),
    path("help/", pages.help_page, name="help"),
    path("guidelines/", pages.guidelines, name="guidelines"),
    path("terms/", pages.terms, name="terms"),
    path("privacy/", pages.privacy, name="privacy"),
    path("contact/", pages.contact, name="contact"),
    path("contact/messages/<id:pk>/", pages.contact_message, name="contact-message"),
    path("status/", pages.status, name="status"),
    path("robots.txt", pages.robots_txt, name="robots"),
    path("sitemap.xml", pages.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", pages.sitemap_section, name="sitemap-section"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("kei_community.users.urls")),
    path("notifications/", include("kei_community.notifications.urls")),
    path("photos/", include("kei_community.media.urls")),
    path("moderation/", include("kei_community.moderation.urls")),
    path("garage/", include("kei_community.vehicles.urls")),
    path("states/", include("stategide.urls")),
    path("listings/", include("marketplace.urls")),
    path("messages/", include("marketplace.messages_urls")),
    path("forum/", include("forum.urls")),
    path("api/v1/", include((api_v1, "api"))),
]

if settings.BENCH_ENABLED:
    urlpatterns.append(path("bench/baseline/", core_views.bench_baseline, name="bench-baseline"))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "kei_community.core.views.error_400"
handler403 = "kei_community.core.views.error_403"
handler404 = "kei_community.core.views.error_404"
handler500 = "kei_community.core.views.error_500"
