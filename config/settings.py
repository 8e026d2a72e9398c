"""Territorial Radar settings: one module, configured by environment variables.

Local defaults are safe and need nothing: with no DATABASE_URL the project uses its own
PostGIS cluster in .pgdata/ (started by `make run` / `make test`).
"""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import database_from_url, envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", True)
_DEV_SECRET = "django-insecure-local-development-only-never-in-production"
SECRET_KEY = envstr("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
PORT = envint("PORT", 8000)
SITE_URL = envstr("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "django_tasks_db",
    # The project's own apps, lowest layer first (see README, "Layout").
    "common",
    "territories",
    "initiatives",
    "opendata",
    "radar",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.CompressionMiddleware",
    "config.middleware.RequestBodyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.AdminContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.db_router.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "radar.middleware.ResultPendingMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # In production whitenoise serves the collected, compressed, hashed static files (before
    # the compression middleware: they are compressed already).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site frame (base.html, the error pages) belongs to no app.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.site",
            ],
        },
    },
]

# The embedded default: the project's own PostGIS cluster (see scripts/localpg.sh).
LOCAL_PG_PORT = envint("RADAR_PG_PORT", 54329)
DATABASE_URL = envstr("DATABASE_URL", f"postgis://radar@127.0.0.1:{LOCAL_PG_PORT}/radar")
# Parallel plans make short queries slower on small machines (a vector tile at z12: 0.8 ms,
# 29.5 ms with a parallel plan on 2 cores): off for every connection of the web processes by
# default; a task worker may raise it (DATABASE_PARALLEL_WORKERS=2). -1 keeps the server's.
DATABASE_PARALLEL_WORKERS = envint("DATABASE_PARALLEL_WORKERS", 0)


def _database(url: str) -> dict:
    database = database_from_url(url)
    if DATABASE_PARALLEL_WORKERS >= 0:
        setting = f"-c max_parallel_workers_per_gather={DATABASE_PARALLEL_WORKERS}"
        options = database["OPTIONS"]
        options["options"] = f"{options.get('options', '')} {setting}".strip()
    return database


DATABASES = {"default": _database(DATABASE_URL)}
# An optional read replica for the public reads (config/db_router.py, docs/scaling.md).
DATABASE_REPLICA_URL = envstr("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = _database(DATABASE_REPLICA_URL) | {"TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A database cache, so that rate limits and cached radar results hold across server processes.
# Two tables, so that neither can evict the other (a database cache culls a third of its
# entries when full): the default one holds the radar's results, rate limits and figures;
# "tiles" holds rendered map tiles, many and cheap to render again.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "radar_cache",
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 50_000)},
    },
    "tiles": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "radar_tile_cache",
        "OPTIONS": {"MAX_ENTRIES": envint("TILE_CACHE_MAX_ENTRIES", 20_000)},
    },
}

# Login throttling (django-axes) on every login form (admin, moderation, institutions): after
# 5 failures for one account, or from one address, within 15 minutes, that account or that
# address is locked out for 15 minutes (429 and a page saying so). An administrator lifts a
# lockout in the admin ("Access attempts") or with `manage.py axes_reset_username <name>` /
# `axes_reset_ip <address>` / `axes_reset`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "config.views.login_locked_out"
AXES_CLIENT_IP_CALLABLE = "initiatives.clients.client_address"
AXES_USERNAME_FORM_FIELD = "username"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.storage.StaticStorage"
        )
    },
}

# Bodies larger than this are refused before any view sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MAX_REQUEST_BYTES", 256 * 1024)
# Resident submissions (form and API) per client address, counted in the shared cache.
SUBMISSION_RATE_LIMIT = envstr("SUBMISSION_RATE_LIMIT", "10/hour")
# "Retrouver mon lien": requests per client address, and new links sent per e-mail address.
LINK_RECOVERY_RATE_LIMIT = envstr("LINK_RECOVERY_RATE_LIMIT", "5/hour")
LINK_RECOVERY_PER_ADDRESS_LIMIT = envstr("LINK_RECOVERY_PER_ADDRESS_LIMIT", "3/day")

# E-mail: the console locally; SMTP as soon as EMAIL_HOST is set.
_email_host = envstr("EMAIL_HOST", "")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": envint("EMAIL_PORT", 587),
                "username": envstr("EMAIL_HOST_USER", ""),
                "password": envstr("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", True),
                # A hanging mail server holds a task worker this long, never a web worker.
                "timeout": envint("EMAIL_TIMEOUT", 10),
            },
        }
        if _email_host
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}
# Development and browser tests: write each e-mail as a file in this folder instead.
if _email_folder := envstr("EMAIL_FILE_PATH", ""):
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": _email_folder},
    }
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Radar territorial <radar@localhost>")
# Every e-mail is sent by the task worker; a failed one is tried again after 30 s, 1 min,
# 2 min… (doubling, at most an hour apart) until EMAIL_RETRY_ATTEMPTS attempts have failed:
# about two hours with the defaults. The moderators' queue then says so.
EMAIL_RETRY_ATTEMPTS = envint("EMAIL_RETRY_ATTEMPTS", 9)
EMAIL_RETRY_BASE_SECONDS = envint("EMAIL_RETRY_BASE_SECONDS", 30)
# A pending e-mail whose task was lost (a worker killed mid-send) is enqueued again after this.
EMAIL_STALLED_AFTER_SECONDS = envint("EMAIL_STALLED_AFTER_SECONDS", 120)

# Background work (e-mails, the radar's recomputation) runs in a separate worker process:
# `manage.py run_worker` (see README). Tasks are rows of the database (django-tasks-db).
TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email", "radar", "imports"],
    }
}

# Production hardening: on by default whenever DEBUG is off.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies stand before the app: the client address for rate limits is then
# taken from X-Forwarded-For (0: REMOTE_ADDR only).
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 0)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The territory this instance serves: initiatives must lie inside it.
RADAR_SERVED_TERRITORY = {
    "level": envstr("RADAR_SERVED_LEVEL", "departement"),
    "code": envstr("RADAR_SERVED_CODE", "33"),
}
# The radar's results are computed by the task worker, never by a request: after published
# initiatives change, one recomputation runs this many seconds after the first change of a
# burst, and sees every change made meanwhile.
RADAR_RECOMPUTE_DELAY_SECONDS = envint("RADAR_RECOMPUTE_DELAY_SECONDS", 5)
# Distances and areas are computed in a metric projection (Lambert-93 for metropolitan France).
RADAR_METRIC_SRID = envint("RADAR_METRIC_SRID", 2154)
# Seed of every Monte Carlo of the radar (scan replications, Gi* permutations, Fisher test):
# the same data give the same results; the results report it. The default is
# radar.analysis.randomness.DEFAULT_SEED (not imported here: it would load NumPy at start-up).
RADAR_RANDOM_SEED = envint("RADAR_RANDOM_SEED", 20261127)
if RADAR_RANDOM_SEED < 0:
    raise ImproperlyConfigured("RADAR_RANDOM_SEED must be a whole number >= 0")

MAP_TILE_URL = envstr("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
# The default attribution is shown translated on the maps (territories.templatetags.maps).
MAP_TILE_ATTRIBUTION_DEFAULT = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
MAP_TILE_ATTRIBUTION = envstr("MAP_TILE_ATTRIBUTION", MAP_TILE_ATTRIBUTION_DEFAULT)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (44.83, -0.58),
    "DEFAULT_ZOOM": 9,
    "MIN_ZOOM": 5,
    "MAX_ZOOM": 18,
    "TILES": [("OpenStreetMap", MAP_TILE_URL, {"attribution": MAP_TILE_ATTRIBUTION})],
    "RESET_VIEW": False,
}


def _tile_origin(url: str) -> str:
    """Where the map tiles come from, for the Content-Security-Policy ({s} subdomains too)."""
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0].replace("{s}.", "*.").replace("{s}", "*")
    return f"{scheme}://{host}"


# Scripts only from this site (and django-leaflet's nonce'd map set-up); no plugin, no frame.
# Inline style attributes stay allowed: Leaflet and the admin write them.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", _tile_origin(MAP_TILE_URL)],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CSP_ADMIN = {**SECURE_CSP, "script-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
# The embeddable map (/integrer/carte/) is the only page other sites may frame: the origins
# allowed to (CSP frame-ancestors sources, comma-separated; "*" for any site). Every other
# page stays X-Frame-Options DENY and frame-ancestors 'none'.
EMBED_FRAME_ANCESTORS = envlist("EMBED_FRAME_ANCESTORS", ["*"])

OPEN_DATA_LICENCE = {
    "name": envstr("OPEN_DATA_LICENCE_NAME", "Licence Ouverte / Open Licence 2.0 (Etalab)"),
    "url": envstr(
        "OPEN_DATA_LICENCE_URL", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    ),
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": [
        "common.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": None,
    # A radar analysis that cannot be computed answers 422 with its reason (radar.failures).
    "EXCEPTION_HANDLER": "radar.failures.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Territorial Radar API",
    "DESCRIPTION": (
        "Open data on local collaborative initiatives. No personal data.\n\n"
        "Errors come in the request's language (Accept-Language: fr by default, or en). A "
        "query parameter given empty, or a single-valued one given twice, is refused (400, "
        "naming it); list parameters may repeat. Text may not hold NUL characters. The radar's "
        "analyses answer 202 with Retry-After while a result is being computed."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"ActorTypeEnum": "initiatives.choices.ActorType"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.schema.query_strings_are_not_empty",
    ],
}

LOGIN_URL = "admin:login"

# Debian 12's GDAL is 3.6 (gis.W001 wants 3.9+ to block file and network access from
# malicious spatial references). Django's GDAL here only transforms our own geometries;
# files from outside are read by pyogrio, which bundles GDAL 3.12.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    # django-axes says "BEGIN" in every process and more at INFO; failures and lockouts are
    # warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}
