"""Django settings for Acompaña.

Every setting comes from the environment (12-factor). The defaults are safe for
production; the local launcher (``make run``) and the test suite set the few
variables that relax them for plain-HTTP use on localhost.

Environment variables
---------------------
DJANGO_SECRET_KEY        required unless DJANGO_DEBUG=1 (the launcher writes one under var/)
DJANGO_DEBUG             "1" enables debug mode (never in production)
DJANGO_ALLOWED_HOSTS     comma-separated host names
DJANGO_CSRF_TRUSTED_ORIGINS comma-separated origins (https://acompana.example.gov.co)
ACOMPANA_HTTPS           "0" turns off secure cookies, HSTS and the SSL redirect (localhost only)
DATABASE_URL             postgres://... (the launcher sets it to the embedded server when absent)
REDIS_URL / CELERY_BROKER_URL  Celery broker; without one the filesystem transport is used
ACOMPANA_VAR_DIR         where local state lives (embedded database, media, broker); default ./var
EMAIL_URL-like settings: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
                         EMAIL_USE_TLS, DEFAULT_FROM_EMAIL; without EMAIL_HOST mail goes to a
                         file backend under var/mail.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SRC_DIR = Path(__file__).resolve().parent.parent  # src/acompana
BASE_DIR = SRC_DIR.parent.parent  # repository root
VAR_DIR = Path(os.environ.get("ACOMPANA_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("DJANGO_DEBUG", False)
TESTING = env_bool("ACOMPANA_TESTING", "pytest" in sys.modules)
HTTPS = env_bool("ACOMPANA_HTTPS", not TESTING)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-not-for-production-use-0123456789abcdef"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY no está definido. Defínalo en el entorno (el comando "
            "`make run` genera uno en var/secret_key)."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# The product's apps come first: their templates and Spanish catalogues take precedence over
# those of contrib apps (e.g. our "Log in" → "Ingresar", not auth's "Iniciar sesión").
INSTALLED_APPS = [
    "acompana.geo",
    "acompana.core",
    "acompana.registry",
    "acompana.catalog",
    "acompana.planning",
    "acompana.api",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "bootstrap",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]
if TESTING and importlib.util.find_spec("tests.sample_stage") is not None:
    # A stage that exists only for the tests (tests/sample_stage): it plugs into the platform
    # with this one line and nothing else (tests/test_plugins.py proves it). Commands run
    # outside the repository root (makemessages in an app folder) do not see it.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("acompana.planning") + 1, "tests.sample_stage")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "acompana.core.middleware.ProductLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "acompana.core.middleware.ActiveOrganizationMiddleware",
    "acompana.core.middleware.ConflictMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "acompana.config.urls"
WSGI_APPLICATION = "acompana.config.wsgi.application"

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
                "acompana.core.context_processors.organization",
            ],
        },
    }
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    raise ImproperlyConfigured(
        "DATABASE_URL no está definido. Use `make run` o `make test`, que inician una base de "
        "datos PostgreSQL embebida, o defina DATABASE_URL=postgres://usuario@servidor/base."
    )
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))  # hours
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "core/auth/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Acompaña"

SESSION_COOKIE_AGE = 60 * 60 * 10
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "es-co"
# One language: the product speaks es-CO whatever the browser asks for (DESIGN section 9);
# ProductLanguageMiddleware activates it for every request instead of LocaleMiddleware.
LANGUAGES = [("es-co", _("Español (Colombia)"))]
# Each app keeps its own catalogue in <app>/locale (no project-level LOCALE_PATHS).
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True
# Off: ids and years in templates must not become "1.234"; money uses explicit filters.
USE_THOUSAND_SEPARATOR = False

# --- Static and media ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag, not needed
SECURE_SSL_REDIRECT = HTTPS and env_bool("ACOMPANA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- E-mail --------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Acompaña <no-responder@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache (rate limits, shared by every web process) ---------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if TESTING:
    # each test process gets its own, so rate-limit counters never leak between tests
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "acompana_cache",
        }
    }

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
if not CELERY_BROKER_URL:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu keeps its exchange tables in ./control unless told: keep them under var/
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = TESTING or env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# --- Product settings ----------------------------------------------------------------------
ACOMPANA_PAGE_SIZE = 50
# The GOV.CO top bar of public pages (DESIGN section 7); empty hides it.
ACOMPANA_GOVCO_BAR = env_bool("ACOMPANA_GOVCO_BAR", True)
# Reverse proxies in front of the app: the client IP for rate limits is taken from
# X-Forwarded-For this many hops from the right (0: use REMOTE_ADDR, no proxy).
ACOMPANA_TRUSTED_PROXIES = int(os.environ.get("ACOMPANA_TRUSTED_PROXIES", "0"))
