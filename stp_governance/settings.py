"""Settings for the STP Governance Registry.

Everything that differs between machines comes from the environment. The defaults are
safe for production (DEBUG off, secure cookies, HSTS); `DEBUG=1` turns on development
mode, which `make run` and `make test` set.
"""

import importlib.util
from pathlib import Path

import dj_database_url
import pghistory
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from stp_governance.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "development-only-secret-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "pghistory.admin",  # before the admin, so change forms link to each record's history
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "guardian",
    "pgtrigger",
    "pghistory",
    "django_htmx",
    "csp",
    "stp_governance",
    "bodies",
    "delegation",
    "decisions",
    "risks",
]

# N+1 detection (django-zeal, a development dependency): in development and tests every request
# is watched; a relation loaded once per row is logged, and raises in tests (tests/conftest.py).
ZEAL = DEBUG and env_bool("ZEAL", default=True) and importlib.util.find_spec("zeal") is not None
if ZEAL:
    INSTALLED_APPS.append("zeal")
    ZEAL_RAISE = env_bool("ZEAL_RAISE", default=False)
    # A relation loaded for five records in one request is a loop over rows; two or three loads
    # at one line are a form with two fields of the same kind, or a service locking a row.
    ZEAL_NPLUSONE_THRESHOLD = 5
    ZEAL_ALLOWLIST = [
        # Recording ratifications locks each one and its decision, once per ratification written
        # (an admin inline of several): a lock per write, on purpose (decisions.services).
        {"model": "decisions.Decision", "field": "get*"},
        {"model": "decisions.Ratification", "field": "get*"},
    ]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "stp_governance.middleware.DatabaseAvailabilityMiddleware",  # before anything that queries
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "stp_governance.middleware.RequestHistoryMiddleware",
    "stp_governance.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
]
if ZEAL:
    MIDDLEWARE.insert(0, "zeal.middleware.zeal_middleware")  # each request checked on its own

ROOT_URLCONF = "stp_governance.urls"
WSGI_APPLICATION = "stp_governance.wsgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

# PostgreSQL only: the registry relies on exclusion constraints, range types and
# triggers. DATABASE_URL wins; otherwise the local server over its socket.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default="postgres:///stp_governance"),
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", default="60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("The registry runs on PostgreSQL only (DATABASE_URL=postgres://...).")
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", default="test_stp_governance")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions are read from the cache, written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # The NHS design system, installed from the npm registry by `make install`.
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
    # htmx, from the npm registry too: pages poll for background work's progress and enhance forms with it.
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]

REDIS_URL = env_str("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Audit: every governed model is tracked by database triggers (insert, update, delete),
# so bulk operations and raw SQL are captured too; event tables are append-only.
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_APPEND_ONLY = True
# Reads change nothing, so they need no audit context (and skip its cost).
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PGHISTORY_ADMIN_MODEL = "pghistory.MiddlewareEvents"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "stp_governance.api.schema.RegistryAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "stp_governance.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "stp_governance.api.filters.RegistrySearchFilter",
        "stp_governance.api.filters.RegistryOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "stp_governance.api.pagination.RegistryPagination",
    "DEFAULT_RENDERER_CLASSES": [
        "stp_governance.api.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "stp_governance.api.exceptions.exception_handler",
    # JSON only, nesting and numbers bounded (api/parsers.py); bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE.
    "DEFAULT_PARSER_CLASSES": ["stp_governance.api.parsers.RegistryJSONParser"],
    "DEFAULT_THROTTLE_RATES": {},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATE_INPUT_FORMATS": ["iso-8601"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "STP Governance Registry API",
    "DESCRIPTION": (
        "The governance of NHS health and care partnerships: partnerships, organisations, "
        "bodies, terms of reference, appointments. Every record carries an ETag; writes "
        "need If-Match. Another partnership's records answer 404."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "MatterCategoryEnum": "delegation.models.Matter.Category",
        "RoleCategoryEnum": "bodies.models.TermsOfReferenceRole.Category",
        "ProposalCategoryEnum": "delegation.models.ApprovalRoute.Category",
        "PowerEnum": "delegation.models.Power",
        "ReservedPowerEnum": "delegation.models.ReservedPower",
        "RiskBandEnum": "risks.models.Band",
        "EscalationResponseEnum": "risks.models.RiskEscalation.Response",
        "EscalationAnswerEnum": "risks.models.RiskEscalation.ANSWERS",
        "MeetingFrequencyEnum": "bodies.models.TermsOfReference.Frequency",
        "DecisionOutcomeEnum": "decisions.models.Decision.Outcome",
        "RatificationOutcomeEnum": "decisions.models.Ratification.Outcome",
        "RatificationAnswerEnum": "decisions.models.Ratification.ANSWERS",
        "ExportKindEnum": "stp_governance.models.Export.Kind",
    },
}

# Security baseline. Production defaults; development mode relaxes only what needs HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = []

# CSP: no inline script or style without the request's nonce (added when a page uses it).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

# Brute-force protection: five failed logins lock the username from that address for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {"stp_governance.security": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Celery: Redis as the broker. Work is written to an outbox table in the same transaction as the
# change that causes it and published after commit (stp_governance/outbox.py); task state lives in
# the database (exports, deliveries, notifications), so results are not stored.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Publishing never hangs a request: short timeouts, one attempt (the outbox keeps what failed).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The longest countdown any task uses (a retry's backoff cap, stp_governance/tasks.py). The visibility
# timeout is longer, so a delayed task is never delivered twice.
TASK_RETRY_BACKOFF_MAX = int(env_str("TASK_RETRY_BACKOFF_MAX", default="600"))
WEBHOOK_RETRY_BASE_SECONDS = float(env_str("WEBHOOK_RETRY_BASE_SECONDS", default="30"))
WEBHOOK_RETRY_MAX_SECONDS = int(env_str("WEBHOOK_RETRY_MAX_SECONDS", default="3600"))
WEBHOOK_MAX_ATTEMPTS = int(env_str("WEBHOOK_MAX_ATTEMPTS", default="10"))
WEBHOOK_TIMEOUT_SECONDS = float(env_str("WEBHOOK_TIMEOUT_SECONDS", default="10"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 6 * 3600,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
    "max_retries": 0,  # publishing: one connection attempt, no sleeping between retries
}
CELERY_TIMEZONE = TIME_ZONE
OUTBOX_DISPATCH_SECONDS = float(env_str("OUTBOX_DISPATCH_SECONDS", default="5"))
CELERY_BEAT_SCHEDULE = {
    "dispatch-outbox": {"task": "stp_governance.tasks.dispatch_outbox", "schedule": OUTBOX_DISPATCH_SECONDS},
    "daily-reminders": {
        "task": "stp_governance.tasks.send_daily_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    "nightly-checks": {"task": "delegation.tasks.run_nightly_checks", "schedule": crontab(hour=2, minute=15)},
}

# Reminders: terms of reference due for review within this many days; ratifications due this many
# days after the decision; meetings whose notice is due this many days before they start.
REMINDER_REVIEW_WINDOW_DAYS = 30
RATIFICATION_DUE_DAYS = int(env_str("RATIFICATION_DUE_DAYS", default="56"))
MEETING_NOTICE_DAYS = int(env_str("MEETING_NOTICE_DAYS", default="7"))

# Email: Django's backend, configured by the environment (the console in development).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", default="25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="STP Governance Registry <registry@localhost>")
# Absolute links in emails and webhooks.
SITE_URL = env_str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Export files: written by the worker, served only through the access-checked download views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
