"""The pages every real site has: About, Help, Community guidelines, Terms, Privacy, Contact, Status,
plus robots.txt and sitemap.xml. Content lives in templates (core/pages/*.html)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.sitemaps.views import sitemap as sitemap_section_view
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from kei_community.core import sitemaps
from kei_community.core.client_ip import rate_limit_ident
from kei_community.core.forms import ContactForm
from kei_community.core.models import ContactMessage
from kei_community.core.public_url import absolute_url
from kei_community.core.services import RateLimited, contact_limits, contact_message_send
from kei_community.core.sitemaps import PublicSitemap

# name -> (template, title, description); every one is in the sitemap.
STATIC_PAGES: dict[str, tuple[str, str, str]] = {
    "about": ("core/pages/about.html", "About", "Who runs Kei Community and what it is for."),
    "help": (
        "core/pages/help.html",
        "Help: buying a kei truck in the US",
        "The 25-year rule, the EPA's 21-year rule, import papers, title, registration and insurance.",
    ),
    "guidelines": (
        "core/pages/guidelines.html",
        "Community guidelines",
        "How to list, post and talk to each other on Kei Community, and what moderators remove.",
    ),
    "terms": ("core/pages/terms.html", "Terms of use", "The terms of using Kei Community."),
    "privacy": ("core/pages/privacy.html", "Privacy", "What Kei Community keeps about you, why, and for how long."),
}


def _static_page(name: str) -> Any:
    template, title, description = STATIC_PAGES[name]

    @require_GET
    @cache_control(public=True, max_age=300)
    def view(request: HttpRequest) -> HttpResponse:
        return render(request, template, {"page_title": title, "page_description": description})

    view.__name__ = name
    return view


about = _static_page("about")
help_page = _static_page("help")
guidelines = _static_page("guidelines")
terms = _static_page("terms")
privacy = _static_page("privacy")


def contact(request: HttpRequest) -> HttpResponse:
    member = request.user if request.user.is_authenticated else None
    form = ContactForm(request.POST or None, member=member)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                contact_message_send(
                    sender=member,
                    client_ident=rate_limit_ident(request),
                    topic=data["topic"],
                    subject=data["subject"],
                    body=data["body"],
                    email=data.get("email", ""),
                    name=data.get("name", ""),
                )
            except RateLimited as exc:
                form.add_error(None, exc)
                status = 429
            except ValidationError as exc:
                form.add_error(None, exc)
                status = 400
            else:
                messages.success(request, "Thank you: your message reached the moderators. They answer by email.")
                return redirect("contact")
        else:
            status = 400
    per_address, per_member = contact_limits()
    return render(
        request,
        "core/pages/contact.html",
        {"form": form, "member": member, "per_member": per_member, "per_address": per_address},
        status=status,
    )


@never_cache
def contact_message(request: HttpRequest, pk: int) -> HttpResponse:
    """One contact message, for moderators (the queue links here)."""
    from kei_community.users.permissions import check_moderator

    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    try:
        check_moderator(request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None
    message = ContactMessage.objects.select_related("sender").filter(pk=pk).first()  # <id:pk>: already an int
    if message is None:
        raise Http404("No such message.")
    return render(request, "core/pages/contact_message.html", {"message": message})


@never_cache
def status(request: HttpRequest) -> HttpResponse:
    """/healthz for people: what works now, in words."""
    from kei_community.core.views import _check_broker, _check_cache, _check_database

    checks = [
        ("Pages and accounts", "database", _check_database()),
        ("Speed (page cache)", "cache", _check_cache()),
        ("Emails, photos and alerts (background jobs)", "broker", _check_broker()),
    ]
    usable = checks[0][2] == "ok"
    overall = "ok" if usable and all(state != "down" for _, _, state in checks) else ("degraded" if usable else "down")
    return render(
        request,
        "core/pages/status.html",
        {"checks": checks, "overall": overall},
        status=200 if usable else 503,
    )


@require_GET
@cache_control(public=True, max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/robots.txt",
        {
            "sitemap_url": absolute_url(reverse("sitemap")),
            "allow_all": not getattr(settings, "ROBOTS_DISALLOW_ALL", False),
        },
        content_type="text/plain; charset=utf-8",
    )


@require_GET
@cache_control(public=True, max_age=3600)
def sitemap_index(request: HttpRequest) -> HttpResponse:
    entries = []
    for section, site_map in sitemaps.sections().items():
        pages = site_map.paginator.num_pages
        for page in range(1, pages + 1):
            url = absolute_url(reverse("sitemap-section", args=[section]))
            entries.append(url if page == 1 else f"{url}?p={page}")
    return render(request, "core/sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


@require_GET
@cache_control(public=True, max_age=3600)
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    found = sitemaps.sections()
    if section not in found:
        raise Http404("No such sitemap.")
    page = request.GET.get("p", "1")
    if not page.isdigit():
        raise Http404("No such sitemap page.")
    return sitemap_section_view(
        request, sitemaps={section: found[section]}, section=section, template_name="core/sitemap.xml"
    )


class PagesSitemap(PublicSitemap):
    """The home page and the site's own pages."""

    changefreq = "monthly"

    def items(self) -> list[str]:
        return ["home", "contact", *STATIC_PAGES]

    def location(self, item: str) -> str:
        return reverse(item)


sitemaps.register("pages", PagesSitemap)
