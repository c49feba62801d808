"""Archipel settings: one module, read from the environment with safe local defaults.

A fresh checkout runs without any `.env` file (`make run` and the tests bring their own secret
key). Production sets at least SECRET_KEY (or SECRET_KEY_FILE), DATABASE_URL, REDIS_URL,
ALLOWED_HOSTS and SITE_SCHEME=https, with DEBUG off (the default); `manage.py check --deploy`
is then clean. Without a secret key the project refuses to start. Details: README
(configuration) and docs/ARCHITECTURE.md §8.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(env(name, str(default)))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def secret_key() -> str:
    """SECRET_KEY, else the contents of the file SECRET_KEY_FILE names (a systemd credential,
    a container secret, `make run`'s var/secret_key). There is no default: a key everyone
    knows would let anyone forge sessions and password-reset links."""
    key = env("SECRET_KEY", "").strip()
    path = env("SECRET_KEY_FILE", "").strip()
    if not key and path:
        try:
            key = Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE={path} cannot be read: {exc}") from exc
    if not key:
        raise ImproperlyConfigured(
            "No secret key: set SECRET_KEY, or SECRET_KEY_FILE to a file holding it. "
            "In development `make` generates one in var/secret_key and uses it; outside make, "
            "export SECRET_KEY_FILE=var/secret_key."
        )
    return key


SECRET_KEY = secret_key()
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", "")


def iban_keys() -> list[str]:
    """Fernet keys for the IBANs people give (incentives/iban.py): INCENTIVES_IBAN_KEYS, newest
    first; else keys derived from the secret key and its fallbacks, so that a deployment works
    without one more secret (a separate key is better: docs/incentives.md)."""
    given = envlist("INCENTIVES_IBAN_KEYS", "")
    if given:
        return given
    return [
        base64.urlsafe_b64encode(hashlib.sha256(b"archipel-iban:" + k.encode()).digest()).decode()
        for k in [SECRET_KEY, *SECRET_KEY_FALLBACKS]
    ]


INCENTIVES_IBAN_KEYS = iban_keys()
DEBUG = envbool("DEBUG", False)
# Every request must match a Domain row (the tenant middleware answers 404 otherwise), so the
# Host header is validated against the database rather than a static list.
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "*")
# Scheme and port used to build links between the public site and the territories.
SITE_SCHEME = env("SITE_SCHEME", "http")
SITE_PORT = env("SITE_PORT", "")  # port in links sent by e-mail, e.g. 8000 in development
HTTPS = SITE_SCHEME == "https"

# --- HTTPS (production: SITE_SCHEME=https). Behind a reverse proxy, uvicorn takes the scheme
# and the client's address from X-Forwarded-Proto / X-Forwarded-For when the connection comes
# from FORWARDED_ALLOW_IPS (loopback by default); SECURE_PROXY_SSL_HEADER is for a proxy that
# uvicorn does not trust but which always sets (never passes on) that header.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is a commitment the owner of each domain makes (hstspreload.org), not a default of
# the software: territories' domains belong to their authorities. Hence security.W021 below.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
if env("SECURE_PROXY_SSL_HEADER", ""):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + env("SECURE_PROXY_SSL_HEADER", "").upper().replace("-", "_"),
        "https",
    )

# --- Apps: django-tenants splits them between the public schema and the territory schemas.
SHARED_APPS = [
    "django_tenants",
    "core",
    "tenants",
    "matching",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.admin",
    "allauth",
    "allauth.account",
    "axes",  # failed sign-ins, counted across the archipel (accounts are shared)
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI files served by us, not from a CDN
    "channels",
    "provisioning",
    "demo",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "tenants.members",
    "themes",
    "trips",
    "solidarity",
    "observatory",
    "notifications",
    "interop",
    "trust",
    "incentives",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Territory"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "archipel.urls_public"
ROOT_URLCONF = "archipel.urls_territory"
TENANT_LIMIT_SET_CALLS = True
DEFAULT_NOT_FOUND_TENANT_VIEW = "tenants.views.unknown_host"
AUTH_USER_MODEL = "core.User"

MIDDLEWARE = [
    # /healthz, /readyz on any host; 503 + Retry-After when PostgreSQL is unreachable
    "core.availability.AvailabilityMiddleware",
    # gzip for text answers, static files included (core/compression.py): outside every
    # middleware that writes a body, WhiteNoise's included.
    "core.compression.TextCompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy, with a nonce per response
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Static files before the territory lookup: they need no database and no known host.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.hosts.TerritoryMiddleware",  # django-tenants, hosts normalised (core/hosts.py)
    # An external tile service named by the territory joins connect-src (docs/maps.md).
    "themes.middleware.ExternalMapTilesMiddleware",
    "core.inputs.InputMiddleware",  # unstorable text in query strings and forms: 400
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.SessionScopeMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tenants.members.middleware.MembershipMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into a page
]

# What /readyz checks (core.availability): each returns a short status or raises CheckFailed.
READINESS_CHECKS = [
    "core.availability.database_check",
    "core.availability.redis_check",
    "matching.graphs.graphs_check",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",  # CSP_NONCE, for the few inline <style> blocks
                "themes.context_processors.theme",
                "trips.context_processors.unread",
                "notifications.context_processors.unread",
                "interop.context_processors.partner_platforms",
            ],
        },
    }
]

# Every form's fields through core/templates/forms/field.html (checkbox before its label, help
# text under its input).
FORM_RENDERER = "core.forms.FormRenderer"

WSGI_APPLICATION = None
ASGI_APPLICATION = "archipel.asgi.application"

# --- Database: PostgreSQL + PostGIS only, one schema per territory.
DATABASE_URL = env("DATABASE_URL", "postgres://archipel:archipel@127.0.0.1:5432/archipel")
# Connections are kept between requests and websocket calls (Channels runs the consumers'
# database calls on one thread, which then reuses its connection instead of opening one per
# call); a broken one is replaced thanks to the health check.
def database(url: str) -> dict:
    settings = dj_database_url.parse(
        url, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    return settings | {"ENGINE": "django_tenants.postgresql_backend"}


DATABASES = {"default": database(DATABASE_URL)}
ORIGINAL_BACKEND = "django.contrib.gis.db.backends.postgis"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
# A streaming replica (the cluster's HAProxy read port, docs/operations.md) for reads that may
# lag: the observatory, exports, open data (core.replica.replica_reads). Its connection is put
# in the request's territory schema by django-tenants' set-tenant hook.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database(DATABASE_REPLICA_URL) | {"TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ("core.replica.ReplicaRouter", *DATABASE_ROUTERS)
EXTRA_SET_TENANT_METHOD_PATH = "core.replica.follow_tenant"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (tenant-aware keys), channel layer, Celery broker. Redis away is a degraded
# mode, not an outage (docs/operations.md): the cache fails open (django-redis ignores its
# errors: a miss, rate limits not counted), live features say they are unavailable, side
# effects wait in the outbox; every connection gives up within REDIS_TIMEOUT_S.
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
REDIS_TIMEOUT_S = float(env("REDIS_TIMEOUT_S", "2"))
# Past one machine: Redis under Sentinel ("host:port,host:port,…" and the master's name); the
# cache, presence, rate limits, channel layer and Celery all ask the Sentinels for the master.
REDIS_SENTINELS = [
    (host, int(port)) for host, port in (a.rsplit(":", 1) for a in envlist("REDIS_SENTINELS", ""))
]
REDIS_SENTINEL_MASTER = env("REDIS_SENTINEL_MASTER", "archipel")
REDIS_DB = int(env("REDIS_DB", "0"))


def redis_cache(url: str) -> dict:
    options = {
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_S,
        "SOCKET_TIMEOUT": REDIS_TIMEOUT_S,
    }
    if REDIS_SENTINELS:
        # django-redis' Sentinel client; the master only (a replica's reads may lag).
        url = [f"redis://{REDIS_SENTINEL_MASTER}/{REDIS_DB}?is_master=1"]
        options |= {
            "CLIENT_CLASS": "django_redis.client.SentinelClient",
            "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
            "SENTINELS": REDIS_SENTINELS,
            "SENTINEL_KWARGS": {"socket_timeout": REDIS_TIMEOUT_S},
        }
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": env("CACHE_PREFIX", "archipel"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "OPTIONS": options,
    }


def channel_layer(url: str) -> dict:
    # No read timeout: the layer's blocking reads wait on purpose.
    if REDIS_SENTINELS:
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        hosts = [{
            "sentinels": REDIS_SENTINELS, "master_name": REDIS_SENTINEL_MASTER, "db": REDIS_DB,
            "socket_connect_timeout": REDIS_TIMEOUT_S,
            "sentinel_kwargs": {"socket_timeout": REDIS_TIMEOUT_S},
            # A pooled connection to a master that is gone fails once: the command is sent
            # again on a new connection, to the master Sentinel names now.
            "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), 4),
            "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        }]  # fmt: skip
    else:
        hosts = [{"address": url, "socket_connect_timeout": REDIS_TIMEOUT_S}]
    # Redis pub/sub rather than channels-redis' list-based layer: a page's socket is there to
    # hear what happens while it is open (what it missed comes from the database when it comes
    # back), so the list layer's per-message bookkeeping (a blocking pop, its backup and clean-up
    # per message, group sets in Redis) buys nothing, and it halved the messages one node can
    # deliver (bench/realtime.py at 200 messages/s: p95 188 ms → 58 ms with compression off too;
    # README). Groups live in each process and are subscribed again after a Redis switch, and
    # then its sockets catch up from the database (core.channel_layer).
    return {
        "BACKEND": "core.channel_layer.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": hosts, "prefix": env("CACHE_PREFIX", "archipel")},
    }


CACHES = {"default": redis_cache(REDIS_URL)}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
CHANNEL_LAYERS = {"default": channel_layer(REDIS_URL)}
PRESENCE_REDIS_URL = REDIS_URL  # core.presence: who has a page open (core.redis.client)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_S
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT_S,
    "socket_timeout": REDIS_TIMEOUT_S,
    # A task taken by a worker that died comes back to the queue after this long.
    "visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT_S", 3600),
}
if REDIS_SENTINELS:
    CELERY_BROKER_URL = ";".join(f"sentinel://{h}:{p}/{REDIS_DB}" for h, p in REDIS_SENTINELS)
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "master_name": REDIS_SENTINEL_MASTER,
        "sentinel_kwargs": {"socket_timeout": REDIS_TIMEOUT_S},
    }
else:
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
# Tasks are acknowledged once done, and given back when their worker is lost: a killed worker's
# task runs again on another (the outbox's idempotency key keeps its effect single).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Run by the beat embedded in `make run`'s worker (scripts/serve.sh).
OUTBOX_SWEEP_S = envint("OUTBOX_SWEEP_S", 30)  # notifications.outbox: due rows, every territory
CELERY_BEAT_SCHEDULE = {
    "departure-reminders": {"task": "trips.send_reminders", "schedule": 300.0},
    "outbox": {"task": "notifications.sweep_outbox", "schedule": float(OUTBOX_SWEEP_S)},
}

# --- Identity and authentication (django-allauth, e-mail as login).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "tenants.members.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "tenants.members.adapter.AccountAdapter"
# Sign-in is not rate-limited by allauth: its failed-sign-in limit keys on the account alone
# (five wrong passwords from anywhere would lock the owner out too), and its limits live in
# Redis, whose lock fails closed when Redis is away. django-axes (below) limits failed sign-ins
# per account *and* client address, in PostgreSQL; allauth's other limits stay (sign-ups,
# password resets…).
ACCOUNT_RATE_LIMITS = {"login": None, "login_failed": None}
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions are per domain (no SESSION_COOKIE_DOMAIN): signing in on one territory does not sign
# you in on another, the same credentials simply work there too.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Failed sign-ins (django-axes). Five wrong passwords lock that account *from that
# address* for 15 minutes: the owner still signs in from anywhere else, and an attacker cannot
# lock anyone out. Counted in `public` (accounts are shared), so trying territory after
# territory does not reset the count. Kept: the attempts of the last 15 minutes (older ones go
# at the next sign-in); no log of successful sign-ins, no history of failures; the posted
# e-mail address is masked in the stored form data and in the logs.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"  # allauth's field name
AXES_USERNAME_CALLABLE = "tenants.members.signin.login_name"  # allauth's and the admin's
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"  # REMOTE_ADDR, IPv6 cut to /64
AXES_LOCKOUT_CALLABLE = "tenants.members.signin.locked_out"  # the sign-in page, 429
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "login", "csrfmiddlewaretoken"]
AXES_VERBOSE = False

# --- Content-Security-Policy (django-csp): our own origin only, no inline script or event
# handler anywhere; the few inline <style> blocks (a territory's colours) carry the response's
# nonce. Maps are drawn by Leaflet from our own data (no tiles); Swagger UI's stylesheet uses
# data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],  # fetch, htmx and the websockets (same host)
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features: only the position, asked when a person adds it to a ride's confirmation
# (js/confirm.js); everything else off.
PERMISSIONS_POLICY = {
    "geolocation": ["self"],
    **{
        feature: []
        for feature in (
            "accelerometer",
            "autoplay",
            "bluetooth",
            "browsing-topics",
            "camera",
            "display-capture",
            "encrypted-media",
            "gyroscope",
            "hid",
            "idle-detection",
            "magnetometer",
            "microphone",
            "midi",
            "payment",
            "publickey-credentials-get",
            "screen-wake-lock",
            "serial",
            "usb",
            "xr-spatial-tracking",
        )
    },
}

# --- E-mail: console in development, a directory when EMAIL_FILE_PATH is set, SMTP otherwise.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", "")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "core.mailspool.EmailBackend"  # one file per Message-ID
    if EMAIL_FILE_PATH
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Archipel <no-reply@archipel.localhost>")

# --- Internationalisation: French first, English available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# --- Static files: front-end packages come from npm (node_modules), never from a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/protomaps-leaflet", NODE_MODULES / "protomaps-leaflet" / "dist"),
    ("vendor/accessible-autocomplete", NODE_MODULES / "accessible-autocomplete" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Uploads: logos are small and stored in the territory's schema (reversibility).
LOGO_MAX_BYTES = envint("LOGO_MAX_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Calls to addresses a territory's admin typed (providers, partners' callbacks, the
# national registry; core/egress.py): never to loopback (unless allowed: development and
# tests, whose partners run on 127.0.0.1) nor to private, link-local or reserved addresses;
# https only outside DEBUG; answers cut past the size limit.
EGRESS_ALLOW_LOOPBACK = envbool("EGRESS_ALLOW_LOOPBACK", DEBUG)
EGRESS_HTTPS_ONLY = envbool("EGRESS_HTTPS_ONLY", not DEBUG)
EGRESS_MAX_RESPONSE_BYTES = envint("EGRESS_MAX_RESPONSE_BYTES", 2 * 1024 * 1024)

# --- API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API reads and writes JSON only (docs/api.md): no form bodies, whose flat fields
    # could not carry the nested objects the API takes, and no browsable HTML pages (the
    # schema's Swagger UI at /api/docs/ is the API's page).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.JSONParser",  # core/inputs.py: depth and unstorable characters are a 400
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",  # the error answers of each operation
    "DEFAULT_PAGINATION_CLASS": "core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Archipel API",
    "DESCRIPTION": "Territory-scoped API of the Archipel carpooling platform (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "LICENSE": {"name": "AGPL-3.0-or-later"},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Requests and responses apart: read-only fields are not asked for, required ones are.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "trips.models.Booking.Status",
        "RideStatusEnum": "trips.models.Offer.Status",
    },
    # Ids in paths are database ids (bigint); any other number is a 404.
    "PATH_CONVERTER_OVERRIDES": {
        "int": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# Debian 12 ships GDAL 3.6; GDAL is only used here on files the project ships or builds itself.
SILENCED_SYSTEM_CHECKS = [
    "gis.W001",
    "security.W021",  # HSTS preload: each domain owner's decision (SECURE_HSTS_PRELOAD)
]

# Road graphs built by `manage.py build_road_graph` (compact arrays, one file per graph).
GRAPH_DIR = Path(env("GRAPH_DIR", str(BASE_DIR / "var" / "graphs")))
