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
# Scheme and host of the platform as its users reach it (e.g. https://mahalla.example.uz): the links of a
# briefing written by the command line (`mahalla briefing`) point there; empty: paths on the server.
SITE_URL = os.environ.get("MAHALLA_SITE_URL", "").rstrip("/")
# Key of the hash that matches card numbers in cyber reports without keeping them (mahalla.cyber). Empty:
# derived from SECRET_KEY (development); production requires its own.
CYBER_CARD_HASH_KEY = os.environ.get("MAHALLA_CYBER_CARD_HASH_KEY", "")
# Public cyber report form: submissions accepted per client address per hour and per day.
CYBER_PUBLIC_LIMIT_PER_HOUR = int(os.environ.get("MAHALLA_CYBER_PUBLIC_LIMIT_PER_HOUR", "5"))
CYBER_PUBLIC_LIMIT_PER_DAY = int(os.environ.get("MAHALLA_CYBER_PUBLIC_LIMIT_PER_DAY", "20"))
# Cyber reference data (BIN table, protected brands, warning list) edited in the admin: seconds after which
# every server process reads it again (the process that saved a change reads it at once).
CYBER_REFERENCE_SECONDS = float(os.environ.get("MAHALLA_CYBER_REFERENCE_SECONDS", "60"))
# Loaded by `mahalla serve` once before it forks its processes (shared copy-on-write, not loaded again on
# each process's first request).
SERVE_WARM_UP = ["mahalla.cyber.classification.warm_up"]
# Pages `mahalla serve` requests once before it forks (URL configuration, views, templates and translations
# loaded once for all its processes).
SERVE_WARM_UP_PATHS = ["/cyber/report/", "/accounts/login/"]
DEBUG = env_bool("MAHALLA_DEBUG", False)
ALLOWED_HOSTS = env_list("MAHALLA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("MAHALLA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "mahalla.core.admin_site.MahallaAdminConfig",  # Django's admin under roles and territories
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
    "mahalla.core",
    "mahalla.audit",
    "mahalla.accounts",
    "mahalla.territory",
    "mahalla.incidents",
    "mahalla.analytics",
    "mahalla.roadmaps",
    "mahalla.officials",
    "mahalla.cases",
    "mahalla.coordination",
    "mahalla.cyber",
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
    # A bad parameter is a 400 with its message, never a server error.
    "mahalla.core.middleware.ApplicationErrorMiddleware",
]

# Django's form renderer on the same engine (mahalla/core/templates.py).
FORM_RENDERER = "mahalla.core.templates.FormRenderer"
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        # Django's, with each app's template tag library imported on its first {% load %}: DRF's pulled in
        # requests, PyYAML and psycopg before a server worker's first page (mahalla/core/templates.py).
        "BACKEND": "mahalla.core.templates.LazyLibrariesDjangoTemplates",
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
# The owner's connection (migrations, grants, backup and restore): mahalla/cli.py uses it for those
# commands. Empty: DATABASE_URL for everything (the owner runs the application too: not for production).
MIGRATE_DATABASE_URL = os.environ.get("MAHALLA_MIGRATE_DATABASE_URL", "")
AUDIT_CHAIN_KEY = os.environ.get("MAHALLA_AUDIT_KEY", "")
if DATABASE_URL:
    # Connections kept across requests (opening one costs a round trip and authentication), checked before
    # reuse so that a restarted database server costs one failed check, not a failed request.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("MAHALLA_DB_CONN_MAX_AGE", "600")),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "mahalla.sqlite3"),
            # Keep each server thread's connection: opening one (and its PRAGMAs) cost ~25 ms a request.
            "CONN_MAX_AGE": int(os.environ.get("MAHALLA_SQLITE_CONN_MAX_AGE", "600")),
            "CONN_HEALTH_CHECKS": True,
            # WAL lets the web read while an import or the daily run writes. A writer waits for the write
            # lock up to the busy timeout: an import holds it only for its merge (a million offences: 80 s
            # of wall time at load 23 on 2 cores), and a page's audit row should wait for it rather than
            # fail; 60 s failed 4 requests of 3,337 during that merge, hence 180 s
            # (docs/decisions/0002-imports-conflicts-and-bulk-load.md). Waiting costs no CPU.
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    f"PRAGMA busy_timeout={int(os.environ.get('MAHALLA_SQLITE_BUSY_TIMEOUT_MS', '180000'))};"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# models.W047: "SQLite does not support unique constraints with nulls distinct". The one such constraint
# (analytics.AggregateDayResult, one row per date and territory) is kept by the daily run, which replaces a
# date's rows in one transaction; the warning, printed by every command on SQLite, told users nothing to do.
SILENCED_SYSTEM_CHECKS = ["models.W047"]

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
# Evidence and imports are for the server's own account only (issue 9: they were world-readable).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# An upload larger than its limit is stopped while it arrives (mahalla/core/uploads.py).
UPLOAD_MAX_BYTES = int(os.environ.get("MAHALLA_UPLOAD_MAX_BYTES", str(2 * 1024**3)))
FILE_UPLOAD_HANDLERS = [
    "mahalla.core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
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
    "DEFAULT_SCHEMA_CLASS": "mahalla.core.schema.MahallaAutoSchema",
    "EXCEPTION_HANDLER": "mahalla.core.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mahalla API",
    "DESCRIPTION": "Crime-prevention analytics and casework at the level of the mahalla.",
    "VERSION": "0.1.0",
    # Applies the views' schema annotations, recorded at import (mahalla/core/api_schema.py), first.
    "DEFAULT_GENERATOR_CLASS": "mahalla.core.schema.MahallaSchemaGenerator",
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
        # One name per choice set: drf-spectacular makes one component of equal sets, so two names for one
        # set are a W002 error in `check --deploy` (import batches and daily runs; both kinds of alert).
        "RunStatusEnum": "mahalla.analytics.models.DailyRun.Status",
        "RoadmapStatusEnum": "mahalla.roadmaps.models.Roadmap.Status",
        "MeasureStatusEnum": "mahalla.roadmaps.models.Measure.Status",
        "AlertStatusEnum": "mahalla.analytics.models.Alert.Status",
        "AssignmentStatusEnum": "mahalla.officials.models.Assignment.Status",
        # Fields named "level", "source" and "method" with different choice sets.
        "TerritoryLevelEnum": "mahalla.roadmaps.models.TerritoryLevel",
        "OfficialLevelEnum": "mahalla.officials.models.OfficialLevel",
        "AggregateLevelEnum": "mahalla.analytics.models.AggregateLevel",
        "RoadmapSourceEnum": "mahalla.roadmaps.models.Roadmap.Source",
        "CyberReportSourceEnum": "mahalla.cyber.models.Source",
        "CyberMethodEnum": "mahalla.cyber.models.Method",
    },
}

# Background work: Huey on an embedded SQLite queue, or Redis when MAHALLA_REDIS_URL is set. Huey's Django
# app is not installed (its import loads every queue client): `mahalla run-huey` is the consumer, and a
# task's module is imported where the task is queued (mahalla/core/management/commands/run-huey.py).
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
    # WeasyPrint reports each step of every PDF at INFO ("Step 5 - Creating layout"): noise in a command's
    # output and in the server log.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# Social-prevention casework (mahalla.cases). The protection order's term changed in 2025 (new term
# unverified, DOMAIN.md section 6): a setting, 30 days by default. Retention: years after a person's last
# register entry ends before the record is anonymised. The Inson centres' intake endpoint (inside the
# deployment's network); empty means the referrals wait in the queue, visibly, until it is configured.
CASES_PROTECTION_ORDER_DAYS = int(os.environ.get("MAHALLA_CASES_PROTECTION_ORDER_DAYS", "30"))
CASES_PROTECTION_ORDER_MAX_DAYS = int(os.environ.get("MAHALLA_CASES_PROTECTION_ORDER_MAX_DAYS", "180"))
CASES_ORDER_EXPIRY_WARNING_DAYS = int(os.environ.get("MAHALLA_CASES_ORDER_EXPIRY_WARNING_DAYS", "5"))
CASES_RETENTION_YEARS = int(os.environ.get("MAHALLA_CASES_RETENTION_YEARS", "5"))
CASES_ESCALATION_MISSED_CHECKINS = int(os.environ.get("MAHALLA_CASES_ESCALATION_MISSED_CHECKINS", "2"))
CASES_INSON_URL = os.environ.get("MAHALLA_CASES_INSON_URL", "")
# The drug-network workbench's live detections (mahalla/links/stream.py): NATS JetStream server and the prefix
# of its subjects (PREFIX.detections, PREFIX.dead), stream and durable consumer.
MAHALLA_LINKS_NATS_URL = os.environ.get("MAHALLA_LINKS_NATS_URL", "nats://127.0.0.1:4222")
MAHALLA_LINKS_NATS_PREFIX = os.environ.get("MAHALLA_LINKS_NATS_PREFIX", "mahalla.links")
