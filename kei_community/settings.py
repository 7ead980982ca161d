"""The one settings module, driven by environment variables (see .env.example).

DJANGO_ENV=development (default, `make run` and tests): SQLite under var/,
in-process Celery, local-memory cache, console email.
DJANGO_ENV=production: every secret and service comes from the environment and
a missing one stops start-up with a message naming it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from kei_community.media.storage_config import media_public_origin, media_storages

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(str(BASE_DIR / ".env"))
# Local files of this process: the SQLite default, collected static files, filesystem media defaults.
VAR_DIR = Path(env.str("VAR_DIR", default="") or BASE_DIR / "var")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"
TESTING = "pytest" in sys.modules or env.bool("TESTING", default=False)


def required(name: str) -> str:
    """Read a variable production cannot run without; fail start-up naming it."""
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production (see .env.example).")
    return value


# --- Core -------------------------------------------------------------------
if PRODUCTION:
    SECRET_KEY = required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = [h.strip() for h in required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
    DEBUG = env.bool("DJANGO_DEBUG", default=False)
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
    DEBUG = env.bool("DJANGO_DEBUG", default=not TESTING)

SITE_NAME = "Kei Community"
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django_htmx",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Shared parts (never import the three apps below).
    "kei_community.core",
    "kei_community.users",
    "kei_community.vehicles",
    "kei_community.media",
    "kei_community.notifications",
    "kei_community.moderation",
    # The three product apps.
    "stategide",
    "marketplace",
    "forum",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy, Cross-Origin-Resource-Policy, no Server header; above WhiteNoise so static files get them.
    "kei_community.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL (%00) in the path is a 404, in the query string a 400 (PostgreSQL cannot compare text holding NUL).
    "kei_community.core.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "kei_community.users.middleware.ModerationMfaMiddleware",
    "kei_community.core.db_router.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "kei_community.urls"
WSGI_APPLICATION = "kei_community.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kei_community.core.context_processors.site",
                "kei_community.notifications.context_processors.unread",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
if PRODUCTION:
    DATABASES = {"default": env.db_url_config(required("DATABASE_URL"))}
else:
    # An empty DATABASE_URL (as `make test-fast` passes) means the embedded SQLite default too.
    DATABASES = {
        "default": env.db_url_config(env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    }
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections matter even for a local file: a new connection re-reads the schema and
    # starts with a cold page cache, which cost a signed-in page about 4 ms. WAL lets the server read
    # while in-process tasks write.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_SERVER_SIDE_BINDING", default=True
):
    # Server-side binding lets psycopg prepare a statement after PREPARE_THRESHOLD runs on a
    # connection: the planner then skips the ~0.5 ms it spends on each small per-page query. Turn it
    # off (DATABASE_SERVER_SIDE_BINDING=false) behind a transaction-pooling PgBouncer.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", env.int("DATABASE_PREPARE_THRESHOLD", default=5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# An optional streaming replica for reads that tolerate a little lag (kei_community/core/db_router.py).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["kei_community.core.db_router.ReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=15)  # read your own writes
DATABASE_REPLICA_RETRY_SECONDS = env.int("DATABASE_REPLICA_RETRY_SECONDS", default=30)  # after a failure

# --- Redis: cache and broker ------------------------------------------------
REDIS_URL = required("REDIS_URL") if PRODUCTION else env.str("REDIS_URL", default="")
# The cache may live on a Redis of its own (CACHE_URL, maxmemory-policy allkeys-lru: evicting cached pages is
# fine, evicting queued tasks is not); unset, it is REDIS_URL's server (one Redis, as under `make serve`).
CACHE_URL = env.str("CACHE_URL", default="") or REDIS_URL

if CACHE_URL:
    CACHES = {
        "default": {
            # Fails open on every Redis error: an outage or a full Redis reads as a miss, never a 500.
            "BACKEND": "kei_community.core.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="kei"),
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "kei_community.core.cache.TagAwareLocMemCache", "LOCATION": "kei"}}
# After a Redis error the cache is skipped for this many seconds (per process): one timeout, not one per call.
CACHE_RETRY_SECONDS = env.int("CACHE_RETRY_SECONDS", default=5)
# Each process also keeps whole pages it stored or read (anonymous pages: core.page_cache) in its own memory,
# at most this many bytes, served after one MGET of their tags' versions (core.caching; 0: no local copies).
CACHE_LOCAL_BYTES = env.int("CACHE_LOCAL_BYTES", default=32 * 1024 * 1024)
# A local copy checked less than this long ago is served without the MGET (micro-caching): an anonymous page is
# then at most this far behind a tag fired by another process (a tag fired by this process: never). 0: always check.
CACHE_LOCAL_TRUST_MS = env.int("CACHE_LOCAL_TRUST_MS", default=250)
# A process sends the listing page views it served to the cache once it holds this many, or the oldest is this
# old (marketplace.services.views_counter): one INCRBY per listing instead of a Redis round trip per view.
LISTING_VIEWS_BUFFER = env.int("LISTING_VIEWS_BUFFER", default=20)
LISTING_VIEWS_BUFFER_SECONDS = env.float("LISTING_VIEWS_BUFFER_SECONDS", default=2.0)
# The cache layer's regions (kei_community.core.caching) and their TTLs in seconds. Tags make a change show
# at once; a TTL bounds what no tag covers ("3 hours ago", expiry, a write racing a rebuild). See docs/caching.md.
CACHE_REGIONS = {
    "marketplace.page": 60,  # anonymous /listings/ and listing pages, whole
    "marketplace.search": 60,  # a search's matches: ids, distances, facets, ranges
    "marketplace.results": 60,  # a results page without its cards: facets, map, form, page of ids
    "marketplace.card": 60 * 60,  # one listing's result card
    "marketplace.detail": 60,  # a listing page's reader-independent parts and row
    "marketplace.comps": 10 * 60,  # price comps per chassis family and year band
    "forum.page": 10 * 60,  # anonymous forum index, category and thread pages, whole
    "forum.data": 10 * 60,  # the reader-independent data and markup of those pages
    "guide.page": 60 * 60,  # anonymous state guide pages, whole
    "guide.data": 60 * 60,  # outlooks (listing pages, forum banners) and the maps
}
# Regions never read nor stored: names, comma-separated, or "*" for every region. The benchmarks' "cold" mode
# serves with CACHE_REGIONS_DISABLED=* (pages as every reader would get them right after a write).
CACHE_REGIONS_DISABLED = env.list("CACHE_REGIONS_DISABLED", default=[])

# The broker may be a Redis of its own (CELERY_BROKER_URL, with maxmemory-policy noeviction: a broker must
# never lose a message to eviction); unset, it is REDIS_URL's server.
BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_BROKER_URL = BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Eager exactly when no broker is configured (Saleor's rule).
CELERY_TASK_ALWAYS_EAGER = not BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = not BROKER_URL
# Three queues, so a burst of photos never delays email: `images` (photo processing and its sweeper),
# `notifications` (every email and notification fan-out) and `celery` (the rest: listing expiry, alerts'
# matching, reminders). A worker started without -Q consumes all three (`make worker`);
# `make worker-images` and `make worker-notifications` consume one role each (the latter also `celery`).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [Queue("celery"), Queue("images"), Queue("notifications")]
CELERY_TASK_ROUTES = {
    "kei_community.media.tasks.*": {"queue": "images"},
    "kei_community.notifications.tasks.*": {"queue": "notifications"},
    "marketplace.tasks.notify_price_drop": {"queue": "notifications"},
    "marketplace.tasks.saved_search_alerts_for_listing": {"queue": "notifications"},
    "marketplace.tasks.send_saved_search_digests": {"queue": "notifications"},
    "marketplace.tasks.send_expiry_reminders": {"queue": "notifications"},
}
# Beat runs its periodic jobs exactly once however many beat processes are started: the one holding
# a lock in the broker's Redis sends them; the others wait and take over within BEAT_LOCK_SECONDS when it
# stops. The schedule is kept in memory (no local schedule file).
CELERY_BEAT_SCHEDULER = "kei_community.core.beat:SingleBeatScheduler"
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=60)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = False  # opted into per idempotent task
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=300_000)  # KiB
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2, "max_retries": 1}
CELERY_TIMEZONE = "UTC"
# Each app adds its periodic jobs here (beat runs them in production).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# --- Auth and accounts (django-allauth) -------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    # Both load the user with the header's moderator flag and unread count (one query).
    "kei_community.users.backends.ModelBackend",
    "kei_community.users.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory" if PRODUCTION else "optional")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_SIGNUP_FORM_CLASS = "kei_community.users.forms.SignupProfileForm"
ACCOUNT_ADAPTER = "kei_community.users.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Kei Community] "
ACCOUNT_RATE_LIMITS = (
    {}
    if TESTING and not PRODUCTION
    else {
        "login_failed": "10/m/ip,5/5m/key",
        "signup": "20/m/ip",
        "confirm_email": "1/3m/key",
        "reset_password": "20/m/ip,5/m/key",
    }
)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# Moderators and staff must enrol in TOTP before using moderation tools.
MODERATION_REQUIRES_MFA = env.bool("MODERATION_REQUIRES_MFA", default=PRODUCTION)

# --- Email ------------------------------------------------------------------
if PRODUCTION:
    EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
    vars().update(EMAIL_CONFIG)
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kei Community <noreply@keicommunity.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Chicago"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Photos (kei_community/media/storage_config.py, docs/media.md): STORAGES["default"] holds the public
# renditions, STORAGES["private"] the originals (never public). MEDIA_STORAGE=filesystem keeps them under
# MEDIA_ROOT (served by the proxy at MEDIA_URL) and PRIVATE_MEDIA_ROOT (never served); MEDIA_STORAGE=s3 puts
# them in two buckets. The database keeps file names; URLs are built when a page is rendered.
MEDIA_URL = "/media/"
# (An empty variable, as .env.example has them, means the default.)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default="") or VAR_DIR / "media")
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default="") or VAR_DIR / "private")
# A moderator's presigned link to an original is valid this long.
PHOTO_ORIGINAL_URL_SECONDS = env.int("PHOTO_ORIGINAL_URL_SECONDS", default=60)
_media = {
    "backend": env.str("MEDIA_STORAGE", default="") or "filesystem",
    "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=""),
    "public_bucket": env.str("AWS_STORAGE_BUCKET_NAME", default=""),
    "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default=""),
}
try:
    _media_storages = media_storages(
        **_media,
        private_bucket=env.str("AWS_PRIVATE_BUCKET_NAME", default=""),
        access_key=env.str("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env.str("AWS_SECRET_ACCESS_KEY", default=""),
        region=env.str("AWS_S3_REGION_NAME", default=""),
        original_url_seconds=PHOTO_ORIGINAL_URL_SECONDS,
    )
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
# Where rendition URLs point when that is not the site itself (the CSP's img-src allows it).
MEDIA_PUBLIC_ORIGIN = media_public_origin(**_media)
STORAGES = {
    **_media_storages,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security ---------------------------------------------------------------
# Sessions are read from the cache (Redis in production) and written through to the database, so a
# signed-in page does not pay a session query; a cache outage falls back to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
# How many proxies of our own sit in front of the app (load balancer, nginx...). Each appends the address
# it saw to X-Forwarded-For, so the Nth address from the right is the client's. 0 (the default): the header
# is ignored and REMOTE_ADDR is the client. Every throttle and rate limit reads the address through
# kei_community.core.client_ip (see docs/security.md).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # The container's and the load balancer's health checks call /healthz over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Nothing is allowed unless a directive below lists it (docs/production.md). The site loads its own
# scripts and stylesheets (with Subresource Integrity) and images (Bootstrap's and Swagger UI's
# icons and the TOTP QR code are data: URIs); htmx and Swagger UI fetch from the site. No fonts,
# frames, media, workers, manifest or plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        # NONCE is django-csp's sentinel: replaced by 'nonce-<random>' on pages that use request.csp_nonce.
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", *([MEDIA_PUBLIC_ORIGIN] if MEDIA_PUBLIC_ORIGIN else [])],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# Powerful browser features the site never uses, off for its pages and anything they embed
# (kei_community.core.middleware). Each name is one Chromium recognises (an unknown name is a console
# warning). WebAuthn is not among MFA_SUPPORTED_TYPES, so publickey-credentials-* are off too; the
# recovery-codes page copies to the clipboard, hence clipboard-write for the site itself.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "captured-surface-control",
        "clipboard-read",
        "compute-pressure",
        "digital-credentials-get",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "identity-credentials-get",
        "idle-detection",
        "interest-cohort",
        "keyboard-map",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "otp-credentials",
        "payment",
        "picture-in-picture",
        "private-state-token-issuance",
        "private-state-token-redemption",
        "publickey-credentials-create",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "speaker-selection",
        "storage-access",
        "sync-xhr",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
} | {"clipboard-write": ["self"]}
if "webauthn" in MFA_SUPPORTED_TYPES:  # allauth's security-key sign-in and registration would need them
    PERMISSIONS_POLICY |= {"publickey-credentials-get": ["self"], "publickey-credentials-create": ["self"]}
# Another site's page cannot embed or fetch-as-subresource anything we serve (pages, API, static, photos).
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first so a request without credentials gets 401 + WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "kei_community.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "kei_community.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "kei_community.core.api.errors.exception_handler",
    # DRF's throttles keyed on kei_community.core.client_ip (never on X-Forwarded-For as sent).
    "DEFAULT_THROTTLE_CLASSES": [
        "kei_community.core.api.throttling.AnonRateThrottle",
        "kei_community.core.api.throttling.UserRateThrottle",
    ],
    # The same trust for any stock DRF throttle (its get_ident reads NUM_PROXIES).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="10000/hour" if TESTING else "120/minute"),
        "user": env.str("API_THROTTLE_USER", default="10000/hour" if TESTING else "600/minute"),
        "auth_token": env.str("API_THROTTLE_TOKEN", default="10000/hour" if TESTING else "10/minute"),
    },
}
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Kei Community API",
    "DESCRIPTION": "Marketplace, forum and state guide for Japanese kei trucks in the US.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is vendored (static/vendor/swagger-ui) and its page carries the CSP nonce
    # (templates/drf_spectacular/swagger_ui.html): no CDN at run time.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": False},
    # Several models have a `status`; name each enum so the schema (and check --deploy) has no W001.
    # An app that exposes another `status` choice set in its API adds a line here.
    "ENUM_NAME_OVERRIDES": {
        "PhotoStatusEnum": "kei_community.media.models.Photo.Status",
        "ReportStatusEnum": "kei_community.moderation.models.Report.Status",
        "StateStatusEnum": "stategide.models.Status",
        "ReactionKindEnum": "forum.models.Reaction.Kind",
        "CitationKindEnum": "stategide.models.Citation.Kind",
        "LawEventKindEnum": "stategide.models.LawEvent.Kind",
    },
}

# --- New-account limits (used by every app through kei_community.moderation) --
# On by default in production, off under `make run` so the demo is not held up.
NEW_ACCOUNT_LIMITS_ENABLED = env.bool("NEW_ACCOUNT_LIMITS_ENABLED", default=PRODUCTION)
NEW_ACCOUNT_AGE_DAYS = env.int("NEW_ACCOUNT_AGE_DAYS", default=7)
REPORTS_TO_HIDE = env.int("REPORTS_TO_HIDE", default=3)

# --- Photos -------------------------------------------------------------------
PHOTO_MAX_BYTES = env.int("PHOTO_MAX_BYTES", default=15 * 1024 * 1024)
PHOTO_MAX_PIXELS = env.int("PHOTO_MAX_PIXELS", default=40_000_000)
PHOTO_MAX_PER_OBJECT = env.int("PHOTO_MAX_PER_OBJECT", default=24)
PHOTO_MAX_ATTEMPTS = env.int("PHOTO_MAX_ATTEMPTS", default=3)
# A worker processing a photo holds a lease on it, renewed between renditions; the sweeper (beat, every
# PHOTO_SWEEP_INTERVAL_SECONDS) hands a photo whose lease ran out (its worker died) to another worker.
# A photo is found within lease + interval of its worker's death (docs/operations.md#photo-pipeline).
PHOTO_CLAIM_LEASE_SECONDS = env.int("PHOTO_CLAIM_LEASE_SECONDS", default=60)
PHOTO_SWEEP_INTERVAL_SECONDS = env.int("PHOTO_SWEEP_INTERVAL_SECONDS", default=30)

# --- Benchmarks ---------------------------------------------------------------
# Mounts /bench/baseline/ (a short HttpResponse through the same middleware).
BENCH_ENABLED = env.bool("BENCH_ENABLED", default=False)

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- notifications and moderation ----------------------------------------------
# Per-day caps for accounts younger than NEW_ACCOUNT_AGE_DAYS (when NEW_ACCOUNT_LIMITS_ENABLED).
NEW_ACCOUNT_DAILY_CAPS = {
    "post": env.int("NEW_ACCOUNT_CAP_POSTS", default=10),
    "thread": env.int("NEW_ACCOUNT_CAP_THREADS", default=3),
    "listing": env.int("NEW_ACCOUNT_CAP_LISTINGS", default=2),
    "message": env.int("NEW_ACCOUNT_CAP_MESSAGES", default=10),
    "link": env.int("NEW_ACCOUNT_CAP_LINKS", default=5),
    "image": env.int("NEW_ACCOUNT_CAP_IMAGES", default=20),
}
# Daily digest of notifications set to "daily digest" goes out at this hour (UTC).
NOTIFICATIONS_DIGEST_HOUR_UTC = env.int("NOTIFICATIONS_DIGEST_HOUR_UTC", default=14)
# Immediate emails: attempts before a row is marked failed, and how old a claim must be before the
# sweeper treats its sender as crashed and re-enqueues the row.
NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = env.int("NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_EMAIL_CLAIM_TIMEOUT_MINUTES = env.int("NOTIFICATIONS_EMAIL_CLAIM_TIMEOUT_MINUTES", default=10)
# Bursts (messages): after one email of such a kind, the member's next ones wait this long and go out
# together as one "N new messages" email. 0 = one email each. On in production; off under `make run`
# (tasks run in-process there and no beat runs to back up the delayed email).
NOTIFICATIONS_EMAIL_BURST_MINUTES = env.float("NOTIFICATIONS_EMAIL_BURST_MINUTES", default=10 if PRODUCTION else 0)
# Per-member message rate limits (every member, on top of the new-account cap). 0 = off.
# On in production, off under `make run` (docs/operations.md, "Messages").
MESSAGE_RATE_PER_MINUTE = env.int("MESSAGE_RATE_PER_MINUTE", default=10 if PRODUCTION else 0)
MESSAGE_RATE_PER_DAY = env.int("MESSAGE_RATE_PER_DAY", default=200 if PRODUCTION else 0)

# --- marketplace ------------------------------------------------------------------
LISTING_TTL_DAYS = env.int("LISTING_TTL_DAYS", default=60)  # active listings expire after this; reminder 5 days before
LISTING_MAX_ACTIVE_PER_SELLER = env.int("LISTING_MAX_ACTIVE_PER_SELLER", default=50)
# Processed photos a listing needs before it is published (marketplace.services.publish_problems); 0: none.
LISTING_MIN_READY_PHOTOS = env.int("LISTING_MIN_READY_PHOTOS", default=1)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "ListingStatusEnum": "marketplace.models.Listing.Status",
        "ListingDriveEnum": "marketplace.models.Listing.Drive",
        "ChassisDriveEnum": "kei_community.vehicles.models.Drive",
    }
)
