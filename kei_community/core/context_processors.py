from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse

from kei_community.core import sri

# The layout's links and assets: reversed once per process instead of ~20 times per page.
NAV_URL_NAMES = {
    "home": "home",
    "listings": "marketplace:index",
    "forum": "forum:index",
    "states": "stategide:index",
    "search": "site-search",
    "notifications": "notifications:list",
    "settings": "users:settings",
    "email": "account_email",
    "mfa": "mfa_index",
    "moderation": "moderation:queue",
    "login": "account_login",
    "logout": "account_logout",
    "signup": "account_signup",
    "api_docs": "api:docs",
    "healthz": "healthz",
    "about": "about",
    "help": "help",
    "guidelines": "guidelines",
    "terms": "terms",
    "privacy": "privacy",
    "contact": "contact",
    "status": "status",
}
LAYOUT_ASSETS = {
    "favicon": "img/favicon.svg",
    "bootstrap_css": "vendor/bootstrap/bootstrap.min.css",
    "site_css": "css/site.css",
    "bootstrap_js": "vendor/bootstrap/bootstrap.bundle.min.js",
    "htmx_js": "vendor/htmx/htmx.min.js",
    "site_js": "js/site.js",
    "icons": "vendor/bootstrap-icons/icons.svg",
}
# The layout's scripts and stylesheets carry Subresource Integrity (an icon cannot).
LAYOUT_SRI = [key for key, path in LAYOUT_ASSETS.items() if path.endswith((".js", ".css"))]


@lru_cache(maxsize=1)
def layout_links() -> tuple[dict[str, str], dict[str, str]]:
    urls: dict[str, str] = {}
    for key, name in NAV_URL_NAMES.items():
        try:
            urls[key] = reverse(name)
        except NoReverseMatch:  # an app is not installed: its link is left out
            urls[key] = ""
    return urls, {key: static(path) for key, path in LAYOUT_ASSETS.items()}


def _layout_sri() -> dict[str, str]:
    return {key: sri.integrity(LAYOUT_ASSETS[key]) for key in LAYOUT_SRI}


_layout_sri_once = lru_cache(maxsize=1)(_layout_sri)


def layout_sri() -> dict[str, str]:
    """The layout's integrity values: once per process under the manifest storage (hashed names never
    change, like the URLs above), per request otherwise so an edited file is never blocked."""
    return _layout_sri_once() if sri.immutable() else _layout_sri()


def site(request: HttpRequest) -> dict:
    nav, assets = layout_links()
    user = getattr(request, "user", None)
    account_menu: object = ()
    if user is not None and user.is_authenticated:
        from kei_community.core.account_menu import menu_for

        account_menu = menu_for(user)
    return {
        "ACCOUNT_MENU": account_menu,
        "SITE_NAME": settings.SITE_NAME,
        "DEBUG": settings.DEBUG,
        "NAV": nav,
        "ASSETS": assets,
        "SRI": layout_sri(),
    }
