"""Settings shared by every environment. Each value that differs between deployments comes from the
environment; `.env.example` documents all of them."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("MAHALLA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("MAHALLA_SECRET_KEY", "")
DEBUG = env_bool("MAHALLA_DEBUG", False)
ALLOWED_HOSTS = env_list("MAHALLA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("MAHALLA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "mahalla.core",
    "mahalla.audit",
    "mahalla.accounts",
    "mahalla.territory",
    "mahalla.incidents",
    "mahalla.analytics",
    "mahalla.roadmaps",
    "mahalla.officials",
    "mahalla.links",
    "mahalla.web",
    "mahalla.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's SessionMiddleware, saving an active session at most every SESSION_REFRESH_SECONDS.
    "mahalla.core.sessions.InactivityRefreshSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mahalla.core.middleware.SecurityHeadersMiddleware",
    "mahalla.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Embedded SQLite under var/ unless DATABASE_URL names the production PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "mahalla.sqlite3"),
            # Keep each server thread's connection: opening one (and its PRAGMAs) cost ~25 ms a request.
            "CONN_MAX_AGE": int(os.environ.get("MAHALLA_SQLITE_CONN_MAX_AGE", "600")),
            "CONN_HEALTH_CHECKS": True,
            # WAL lets the web read while an import or the daily run writes.
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["mahalla.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Lock-out after repeated failed logins (per username and per client address).
LOGIN_FAILURE_LIMIT = int(os.environ.get("MAHALLA_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("MAHALLA_LOGIN_LOCKOUT_MINUTES", "15"))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("MAHALLA_LOGIN_FAILURE_LIMIT_PER_ADDRESS", "20"))

# Sessions expire after inactivity and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("MAHALLA_SESSION_SECONDS", str(8 * 3600)))
TOKEN_SECONDS = int(os.environ.get("MAHALLA_TOKEN_SECONDS", str(SESSION_COOKIE_AGE)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The age counts from the last activity, but the session row is rewritten at most every
# SESSION_REFRESH_SECONDS (mahalla.core.sessions), not on every request: a write per page serialised the
# SQLite writers under load (docs/decisions/0003-sessions-and-worker-processes.md).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = int(os.environ.get("MAHALLA_SESSION_REFRESH_SECONDS", "300"))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Single sign-on through OpenID Connect, off unless configured.
OIDC_ENABLED = env_bool("MAHALLA_OIDC_ENABLED", False)
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.insert(0, "mahalla.accounts.oidc.MahallaOIDCBackend")
    OIDC_RP_CLIENT_ID = os.environ["MAHALLA_OIDC_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ["MAHALLA_OIDC_CLIENT_SECRET"]
    OIDC_RP_SIGN_ALGO = os.environ.get("MAHALLA_OIDC_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["MAHALLA_OIDC_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["MAHALLA_OIDC_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["MAHALLA_OIDC_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("MAHALLA_OIDC_JWKS_ENDPOINT", "")

LANGUAGE_CODE = os.environ.get("MAHALLA_LANGUAGE", "uz")
LANGUAGES = [("uz", _("Uzbek (Latin)")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "mahalla" / "locale"]
TIME_ZONE = "Asia/Tashkent"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "mahalla.accounts.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mahalla.core.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mahalla API",
    "DESCRIPTION": "Crime-prevention analytics and casework at the level of the mahalla.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The map of the API is for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Served from our own static files: police networks are air-gapped.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI would otherwise ask validator.swagger.io to check the schema: no request leaves the server.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Two choice sets share the field name "kind"; name each so that clients get stable enum names.
    "ENUM_NAME_OVERRIDES": {
        "RegionKindEnum": "mahalla.territory.models.Region.Kind",
        "DistrictKindEnum": "mahalla.territory.models.District.Kind",
    },
}

# Background work: Huey on an embedded SQLite queue, or Redis when MAHALLA_REDIS_URL is set.
REDIS_URL = os.environ.get("MAHALLA_REDIS_URL", "")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "mahalla",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "mahalla",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }

# One cache for all of `mahalla serve`'s processes (it forks several, docs/decisions/0003): a territory's
# prepared page data and map are built once per analysis run, not once per process, and rate limits count
# across processes. Files under var/ need no server; entries are keyed by run, so nothing goes stale.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("MAHALLA_CACHE_DIR") or str(VAR_DIR / "cache"),
        # 209 districts and 14 regions, their maps, in three languages.
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MAHALLA_LOG_LEVEL", "INFO")},
}

# The drug-network workbench's live detections (mahalla/links/stream.py): NATS JetStream server and the prefix
# of its subjects (PREFIX.detections, PREFIX.dead), stream and durable consumer.
MAHALLA_LINKS_NATS_URL = os.environ.get("MAHALLA_LINKS_NATS_URL", "nats://127.0.0.1:4222")
MAHALLA_LINKS_NATS_PREFIX = os.environ.get("MAHALLA_LINKS_NATS_PREFIX", "mahalla.links")
