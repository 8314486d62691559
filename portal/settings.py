"""Settings for the recommendations portal, read from the environment.

Development defaults are safe on a workstation. With DJANGO_ENV=production the portal refuses to
start unless SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL are set, and turns on every protection
that `manage.py check --deploy` looks for.
"""

import ipaddress
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import env_bool, env_choice, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", "development", {"development", "production"})
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("The environment variable ALLOWED_HOSTS must be set.")
    DATABASE_URL = env_str("DATABASE_URL", required=True)
    DEBUG = env_bool("DEBUG", False)
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")
else:
    # A fixed key is fine for a workstation; production refuses to start without its own.
    SECRET_KEY = env_str(
        "SECRET_KEY", "dev-only-insecure-key-8f3b2c1d9e7a6f5b4c3d2e1f0a9b8c7d6e5f4a3b"
    )
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
    DEBUG = env_bool("DEBUG", True)
    DATABASE_URL = env_str("DATABASE_URL")
    if DATABASE_URL is None:
        from portal.embedded_db import embedded_database_url

        DATABASE_URL = embedded_database_url(BASE_DIR)

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (postgres://…).")
# The planner's cost of a random page read. PostgreSQL's default (4) models spinning disks;
# on SSDs or a cached database 1.1 is the usual value. With 4 the planner chose a sequential
# scan for a search of a common word (a third of 100,000 items), which decompresses every
# row's search vectors: twice the buffers and time of the GIN bitmap scan it picks with 1.1.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    f"-c random_page_cost={env_float('DB_RANDOM_PAGE_COST', 1.1)}"
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "pgtrigger",
    "pghistory",
    "portal.apps.AxesConfig",  # django-axes, named in Chinese in the admin
    "csp",
    # The job queue, procrastinate (before the apps whose tasks it discovers in their tasks.py).
    "notifications.apps.JobQueueConfig",
    "recommendations",
    "imports",
    "bulk",
    "handling",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses a body above REQUEST_MAX_BYTES before anything reads it (portal/limits.py).
    "portal.limits.RequestSizeMiddleware",
    # Cuts off the SQL of a read request after READ_STATEMENT_TIMEOUT_MS (portal/timeouts.py).
    "portal.timeouts.ReadTimeoutMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Attaches the signed-in user and URL to every history row written during a request.
    "portal.middleware.HistoryMiddleware",
    # Must be last: it throttles failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "recommendations.context_processors.roles",
            ],
        },
    },
]

AUTH_USER_MODEL = "recommendations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "recommendations.auth.PortalBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A form refused by the CSRF check (a stale tab) gets a Chinese page with the text typed.
CSRF_FAILURE_VIEW = "recommendations.views.csrf.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Failed sign-ins are throttled per username and IP address together.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Addresses (or networks, 10.0.0.0/24) of the reverse proxies in front of gunicorn. Only a
# request from one of them has its X-Forwarded-For read for the client's address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address.") from None
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"

# The cache holds figures and rendered page bodies (recommendations/figures.py, pagecache.py).
# With REDIS_URL (several hosts) it is one Redis for every worker on every host, and sessions are
# read through it. Without it, production shares one cache between the workers of the host, in
# files (portal/hostcache.py): each page is rendered once per change for all workers, not once
# per worker, and a recycled worker starts warm. Each database has a directory of its own, so
# two portals on one host never read each other's pages. Sessions then stay in the database
# only: another host would not see a sign-out in this host's cache. Development (and the test
# suite, whose parallel runners each have a database of their own renamed after these settings
# are read) keeps a memory cache per process.
REDIS_URL = env_str("REDIS_URL")
CACHE_MAX_ENTRIES = env_int("CACHE_MAX_ENTRIES", 3000)
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif PRODUCTION:
    from portal.hostcache import default_location

    CACHES = {
        "default": {
            "BACKEND": "portal.hostcache.HostCache",
            "LOCATION": default_location(env_str("CACHE_DIR"), DATABASES["default"]),
            "OPTIONS": {"MAX_ENTRIES": CACHE_MAX_ENTRIES},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
            # Rendered page bodies are cached too (recommendations/pagecache.py); the default of
            # 300 entries would hold only a few hundred pages per worker.
            "OPTIONS": {"MAX_ENTRIES": CACHE_MAX_ENTRIES},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# No statement of a GET request runs longer than this (0: no limit); see portal/timeouts.py.
READ_STATEMENT_TIMEOUT_MS = env_int("READ_STATEMENT_TIMEOUT_MS", 10_000)

# A bulk action on more items than this runs as a background job with a progress page (bulk/);
# up to it, in the request (one chunk of workflow.BULK_CHUNK, a second or two). 0: always a job.
BULK_SYNC_MAX = env_int("BULK_SYNC_MAX", 200)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
# Production serves the collected, hashed files; development serves from the finders and
# keeps its own (empty) root so a production build lying around is never mixed in.
# STATIC_ROOT: a process that must not share the collected folder (the benchmark beside the
# launcher tests) gives its own; collectstatic rewrites the manifest in place.
STATIC_ROOT = Path(
    env_str("STATIC_ROOT", str(BASE_DIR / ("staticfiles" if PRODUCTION else ".local/static-dev")))
)
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development files come from the finders; the collected folder only needs to exist.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploaded files (signed answer letters) go through the default storage; they are never served
# as static files, only by a signed-in download view (handling/views.py).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / ".local" / "media")))
ANSWER_LETTER_MAX_BYTES = env_int("ANSWER_LETTER_MAX_MB", 10) * 1024 * 1024

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Request size limits, set on purpose (portal/limits.py explains who checks which):
# - the whole body, checked on its declared length before anything reads it: an answer letter
#   (ANSWER_LETTER_MAX_MB) with its form, or a batch of pages (IMPORT_MAX_PAGE_BYTES each), fits;
#   nginx's client_max_body_size in docs/deployment.md is the same figure;
REQUEST_MAX_BYTES = (
    env_int("REQUEST_MAX_MB", max(12, ANSWER_LETTER_MAX_BYTES // (1024 * 1024) + 2)) * 1024 * 1024
)
# - a form without files (the longest is a reply text or a bulk action's ids, far below);
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# - bulk actions post one checkbox per listed item;
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# - an uploaded file above this goes to a temporary file instead of the worker's memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest newspaper page the importer accepts (command and admin upload); a real page's
# text is under 100 KB, so anything far above is the wrong file.
IMPORT_MAX_PAGE_BYTES = env_int("IMPORT_MAX_PAGE_BYTES", 1024 * 1024)

# Security headers. Every asset is served locally, so the policy allows only 'self'.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
    }
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer may poll a backend over plain HTTP; a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    if env_bool("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The job queue: jobs live in PostgreSQL (procrastinate); `manage.py procrastinate worker` runs
# them (`make run` starts one beside the web server). A finished job is deleted: what matters of
# it (an e-mail's state, attempts, last error) is kept in the app's own rows.
PROCRASTINATE_WORKER_DEFAULTS = {"delete_jobs": "successful"}

# E-mail goes through the intranet's own SMTP server, only ever from a job (notifications/).
# A workstation usually has no server on localhost:25, where every e-mail would wait for one
# for ever: in development without EMAIL_HOST the e-mails are written as files instead
# (EMAIL_FILE_PATH), and their rows say so in the admin (notifications/mail.py). Production
# always uses SMTP; `check --deploy` warns while EMAIL_HOST is unset (notifications/checks.py).
EMAIL_HOST_SET = env_str("EMAIL_HOST") is not None
if PRODUCTION or EMAIL_HOST_SET:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / ".local" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS on the plain port
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the start (usually port 465)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "建议办理平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in e-mails: the address officials open the portal at.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
# The paper the pages come from, named on each article's 来源 line.
NEWSPAPER_NAME = env_str("NEWSPAPER_NAME", "《海淀报》")

# Demo accounts (one per role, passwords in the README) are created by `manage.py seed_portal`
# only in development and only when asked (`make run` asks); production never creates them.
DEMO_ACCOUNTS = env_bool("DEMO_ACCOUNTS", False)
if PRODUCTION and DEMO_ACCOUNTS:
    raise ImproperlyConfigured("DEMO_ACCOUNTS must be off in production.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    # The job worker says which job it starts and how it ended (INFO) unless told otherwise;
    # queuing a job (every request that notifies), loading the task list and the periodic
    # schedule say nothing.
    "loggers": {
        "procrastinate": {"level": env_str("JOB_LOG_LEVEL", "INFO")},
        "procrastinate.jobs": {"level": "WARNING"},
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
    },
}
