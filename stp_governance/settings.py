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
    "django.contrib.sitemaps",
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
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "mozilla_django_oidc",
    "core",
    "bodies",
    "delegation",
    "decisions",
    "risks",
    "meetings",
    "composition",
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
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, from STATIC_ROOT (collectstatic)
    "core.middleware.DatabaseAvailabilityMiddleware",  # before anything that queries
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.two_factor.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestHistoryMiddleware",
    "core.middleware.NoStoreForAuthenticatedMiddleware",
    "axes.middleware.AxesMiddleware",
]
if ZEAL:
    MIDDLEWARE.insert(0, "zeal.middleware.zeal_middleware")  # each request checked on its own

# Access follows this model (core.access): the core names it here instead of importing a domain app.
REGISTRY_TENANT_MODEL = "bodies.Partnership"

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
# A process holds at most one connection per thread: gunicorn's sync workers (one thread each,
# stp_governance/gunicorn.conf.py) keep the count to the number of processes.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default="postgres:///stp_governance"),
        conn_max_age=int(env_str("DB_CONN_MAX_AGE", default="60")),
        conn_health_checks=True,
    )
}
# Who holds a connection, in pg_stat_activity (web, worker), unless DATABASE_URL names it.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
    "application_name", env_str("DB_APPLICATION_NAME", default="stp-governance")
)
# Behind PgBouncer in transaction mode a server-side cursor (.iterator()) cannot outlive its transaction.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
)
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("The registry runs on PostgreSQL only (DATABASE_URL=postgres://...).")
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", default="test_stp_governance")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions are read from the cache, written through to the database. The cache is the shared
# Redis ("sessions" below), so a session ended (on the sessions page, or by deactivating the
# account) is gone for every web process at once, not only the one that ended it.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

# Single sign-on (OpenID Connect, mozilla-django-oidc): on when OIDC_RP_CLIENT_ID is set. README
# "Single sign-on and two-factor authentication" gives the values for Microsoft Entra ID.
OIDC_ENABLED = bool(env_str("OIDC_RP_CLIENT_ID", default=""))
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", default="NHS.net (Microsoft)")
# Accounts are matched by verified email; with OIDC_CREATE_USERS a first sign-in makes an
# account with no role. OIDC_GROUP_ROLES maps a group claim's values to roles:
# "<group id>=<partnership slug>:<role>,...".
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USERS", default=False)
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_GROUP_ROLES = env_str("OIDC_GROUP_ROLES", default="")
# Some providers (Entra ID) do not send email_verified: trust their emails only when told to.
OIDC_TRUST_UNVERIFIED_EMAIL = env_bool("OIDC_TRUST_UNVERIFIED_EMAIL", default=False)
OIDC_MFA_AMR_VALUES = env_list("OIDC_MFA_AMR_VALUES", default=["mfa", "otp", "hwk", "swk", "fido"])
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
# Match the ID token's signing key by its key id (a provider with one key may sign without one).
OIDC_VERIFY_KID = env_bool("OIDC_VERIFY_KID", default=True)
OIDC_STORE_ID_TOKEN = False
OIDC_ALLOW_UNSECURED_JWT = False
OIDC_AUTHENTICATION_CALLBACK_URL = "sso-callback"
LOGIN_REDIRECT_URL_FAILURE = "/sign-in/?sso=failed"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("core.oidc.RegistryOIDCBackend")

# Two-factor authentication (django-otp: TOTP and recovery codes). Registry administrators must
# use it, and the secretariat of a partnership whose policy says so; the admin needs it too.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", default="STP Governance Registry")
INVITATION_DAYS = int(env_str("INVITATION_DAYS", default="7"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["stp_governance.formats"]  # one date format everywhere (issue 17)
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# WhiteNoise serves what collectstatic wrote (compressed copies too), in development as in production.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
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
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.RegistryAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Accounts read and write as their roles allow; anyone reads the public records (core/publication.py).
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.AccountOrPublicRead"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.permissions.PublicReadThrottle"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api.filters.RegistrySearchFilter",
        "core.api.filters.RegistryOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.RegistryPagination",
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # JSON only, nesting and numbers bounded (api/parsers.py); bodies up to DATA_UPLOAD_MAX_MEMORY_SIZE.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.RegistryJSONParser"],
    "DEFAULT_THROTTLE_RATES": {},
    # The client's address: REMOTE_ADDR, or with N trusted proxies in front the address the Nth
    # saw, from X-Forwarded-For (a client's own X-Forwarded-For is never trusted otherwise).
    "NUM_PROXIES": int(env_str("NUM_PROXIES", default="0")),
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
        "ExportKindEnum": "core.models.Export.Kind",
        "AgendaPackStatusEnum": "meetings.models.AgendaPack.Status",
        "MinutesStatusEnum": "meetings.models.Minutes.Status",
        "ActionStatusEnum": "meetings.models.Action.Status",
        "DelegateOfficeEnum": "delegation.models.Delegation.Office",
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
# Changing a password checks the old one through the same lockout. Failed API token
# authentications and password reset requests are counted in the shared cache
# (core/ratelimit.py); over a rate, 429 with Retry-After.
RATE_LIMITS = {
    "auth_failure_address": env_str("RATE_AUTH_FAILURE_ADDRESS", default="20/hour"),
    "auth_failure_key_prefix": env_str("RATE_AUTH_FAILURE_KEY_PREFIX", default="10/hour"),
    "password_reset_address": env_str("RATE_PASSWORD_RESET_ADDRESS", default="10/hour"),
    "password_reset_email": env_str("RATE_PASSWORD_RESET_EMAIL", default="3/hour"),
    # Anonymous readers of the public site, its feeds, open data and public API, per client address.
    "public_address": env_str("RATE_PUBLIC_ADDRESS", default="600/minute"),
}
PUBLIC_CACHE_SECONDS = 300  # Cache-Control max-age of the public site's pages and files
PASSWORD_RESET_TIMEOUT = 3600  # a reset link works for an hour

# Caches. "throttle" holds the counts above; every web process must share it, so it is Redis
# (CACHE_URL, by default the broker's server), falling back to each process's memory while
# Redis cannot be reached. Sessions are cached there too (the database keeps them all the same).
CACHE_URL = env_str("CACHE_URL", default=REDIS_URL)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "core.cache.FailoverRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "stp",
    },
    "sessions": {
        "BACKEND": "core.cache.FailoverRedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "stp-session",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {"core.security": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Celery: Redis as the broker. Work is written to an outbox table in the same transaction as the
# change that causes it and published after commit (core/outbox.py); task state lives in
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
# The longest countdown any task uses (a retry's backoff cap, core/tasks.py). The visibility
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
# Leases on job rows (core/leases.py): a running job not heard from for JOB_LEASE_SECONDS,
# or a queued one not started within JOB_QUEUED_SECONDS, is sent again by the sweep (beat, every
# LEASE_SWEEP_SECONDS), or failed once EXPORT_MAX_ATTEMPTS are spent. An export reports progress
# (and so renews its lease) at least every JOB_LEASE_SECONDS / 4.
JOB_LEASE_SECONDS = float(env_str("JOB_LEASE_SECONDS", default="120"))
JOB_QUEUED_SECONDS = float(env_str("JOB_QUEUED_SECONDS", default="900"))
LEASE_SWEEP_SECONDS = float(env_str("LEASE_SWEEP_SECONDS", default="30"))
EXPORT_MAX_ATTEMPTS = int(env_str("EXPORT_MAX_ATTEMPTS", default="4"))
# For tests and demonstrations only: a pause after each progress report, to catch an export midway.
EXPORT_PROGRESS_PAUSE_SECONDS = float(env_str("EXPORT_PROGRESS_PAUSE_SECONDS", default="0"))
CELERY_BEAT_SCHEDULE = {
    "dispatch-outbox": {"task": "core.tasks.dispatch_outbox", "schedule": OUTBOX_DISPATCH_SECONDS},
    "sweep-expired-leases": {
        "task": "core.tasks.sweep_expired_leases",
        "schedule": LEASE_SWEEP_SECONDS,
    },
    "daily-reminders": {
        "task": "core.tasks.send_daily_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    "nightly-checks": {
        "task": "composition.tasks.run_nightly_checks",
        "schedule": crontab(hour=2, minute=15),
    },
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
# The licence stated on exports and open data (the registry's records transcribe public documents).
OPEN_DATA_LICENCE = env_str(
    "OPEN_DATA_LICENCE",
    default="Open Government Licence v3.0 (https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)",
)

# Export files: written by the worker, served only through the access-checked download views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))

# -- The meeting cycle (meetings/, README "Meetings") --------------------------------------------
# Papers: PDF, Word, Excel and PowerPoint, checked by their content, up to this size.
PAPER_MAX_BYTES = int(env_str("PAPER_MAX_BYTES", default=str(50 * 1024 * 1024)))
# Papers and packs go through Django's default storage: the filesystem under MEDIA_ROOT unless
# PAPER_STORAGE=s3, an S3-compatible store through django-storages (AWS_STORAGE_BUCKET_NAME,
# AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; needs boto3 installed).
if env_str("PAPER_STORAGE", default="filesystem") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME", default=""),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
# Key decisions are published this many days before the meeting where the body requires notice.
KEY_DECISION_NOTICE_DAYS = 28
