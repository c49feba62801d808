"""Archipel settings: one module, read from the environment with safe local defaults.

A fresh checkout runs without any `.env` file; production sets at least SECRET_KEY,
DATABASE_URL, REDIS_URL and DEBUG=0.
"""

import os
from pathlib import Path

import dj_database_url
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


SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = envbool("DEBUG", False)
# Every request must match a Domain row (the tenant middleware answers 404 otherwise), so the
# Host header is validated against the database rather than a static list.
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "*")
# Scheme and port used to build links between the public site and the territories.
SITE_SCHEME = env("SITE_SCHEME", "http")
SITE_PORT = env("SITE_PORT", "")  # port in links sent by e-mail, e.g. 8000 in development

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
    "core.hosts.TerritoryMiddleware",  # django-tenants, hosts normalised (core/hosts.py)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
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
                "themes.context_processors.theme",
                "trips.context_processors.unread",
                "notifications.context_processors.unread",
                "interop.context_processors.partner_platforms",
            ],
        },
    }
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "archipel.asgi.application"

# --- Database: PostgreSQL + PostGIS only, one schema per territory.
DATABASE_URL = env("DATABASE_URL", "postgres://archipel:archipel@127.0.0.1:5432/archipel")
# Connections are kept between requests and websocket calls (Channels runs the consumers'
# database calls on one thread, which then reuses its connection instead of opening one per
# call); a broken one is replaced thanks to the health check.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
    )
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
ORIGINAL_BACKEND = "django.contrib.gis.db.backends.postgis"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache (tenant-aware keys), channel layer, Celery broker.
REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_PREFIX", "archipel"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": env("CACHE_PREFIX", "archipel")},
    }
}
PRESENCE_REDIS_URL = REDIS_URL  # core.presence: who has a page open
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
# Run by the beat embedded in `make run`'s worker (scripts/serve.sh).
CELERY_BEAT_SCHEDULE = {
    "departure-reminders": {"task": "trips.send_reminders", "schedule": 300.0},
}

# --- Identity and authentication (django-allauth, e-mail as login).
AUTHENTICATION_BACKENDS = [
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
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- E-mail: console in development, a directory when EMAIL_FILE_PATH is set, SMTP otherwise.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", "")
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
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
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Uploads: logos are small and stored in the territory's schema (reversibility).
LOGO_MAX_BYTES = envint("LOGO_MAX_BYTES", 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

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
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Road graphs built by `manage.py build_road_graph` (compact arrays, one file per graph).
GRAPH_DIR = Path(env("GRAPH_DIR", str(BASE_DIR / "var" / "graphs")))
