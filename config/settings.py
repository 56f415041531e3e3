"""Imena settings, read from the environment through typed helpers.

Safe local defaults: SQLite in the data folder, DEBUG off unless asked for.
PostgreSQL is used when ``DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be an integer, not {value!r}"
        ) from None


def envsecret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME or from the file named by NAME_FILE."""
    path = os.getenv(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as e:
            raise ImproperlyConfigured(
                f"{name}_FILE: cannot read {path}: {e}"
            ) from None
    return os.getenv(name, default)


DEBUG = envbool("DEBUG", "False")
DATA_DIR = Path(os.getenv("IMENA_DATA_DIR", str(BASE_DIR / "data")))
# The fallback serves commands and the development server only: the WSGI
# application (gunicorn, `imena serve`, runserver) refuses to start on it, or on
# the placeholder of .env.example, when DEBUG is off (imena.core.deploy).
DEVELOPMENT_SECRET_KEY = "imena-local-development-key-change-me"
EXAMPLE_SECRET_KEYS = (DEVELOPMENT_SECRET_KEY, "change-me-to-a-long-random-string")
SECRET_KEY = envsecret("SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = [
    h for h in os.getenv("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
# The public address (e.g. https://imena.example.org) for absolute links such as
# the OpenRosa download URLs; empty: taken from each request.
SITE_ROOT = os.getenv("SITE_ROOT", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "imena.core",
    "imena.accounts",
    "imena.audit",
    "imena.burials",
    "imena.evidence",
    "imena.journals",
    "imena.exhumations",
    "imena.missing",
    "imena.dna",
    "imena.identification",
    "imena.reports",
    "imena.odk",
    "imena.families",
    "imena.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which would read (and so accept) the whole body.
    "imena.core.middleware.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "imena.accounts.language.UserLanguageMiddleware",
    "imena.core.middleware.IdleTimeoutMiddleware",
    "imena.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Innermost: sees a view's exception before the others answer.
    "imena.core.middleware.ConflictMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "imena.core.context_processors.imena",
            ],
        },
    }
]


# Every SQLite database, by path or by URL, gets the same safeguards: writers
# wait for the lock instead of failing, a transaction takes the write lock when
# it begins (no upgrade deadlock), and readers do not block the writer (WAL).
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def _databases() -> dict[str, Any]:
    url = os.getenv("DATABASE_URL", "").strip()
    if not url:
        return {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.getenv("SQLITE_PATH", str(DATA_DIR / "imena.sqlite3")),
                "OPTIONS": dict(SQLITE_OPTIONS),
                "TEST": {"NAME": os.getenv("SQLITE_TEST_PATH") or None},
            }
        }
    import dj_database_url

    if not url.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ImproperlyConfigured(
            "DATABASE_URL must start with postgres://, postgresql:// or sqlite://"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except Exception as e:  # dj_database_url raises several types
        raise ImproperlyConfigured(f"DATABASE_URL cannot be parsed: {e}") from None
    if "sqlite" in str(config.get("ENGINE")):
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        config["CONN_MAX_AGE"] = 0
    elif not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database")
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "burials:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "imena.accounts.validators.StrengthValidator"},
]

# Login lock-out (django-axes): after IMENA_LOGIN_FAILURE_LIMIT wrong passwords
# (or ODK app tokens) for one username, that username is refused for
# IMENA_LOGIN_COOLOFF_MINUTES, from every address.
AXES_FAILURE_LIMIT = envint("IMENA_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("IMENA_LOGIN_COOLOFF_MINUTES", "15") / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that a lock-out not keyed on the address can be dodged by
# changing User-Agent or cookies; keyed on the username alone, it cannot, and
# rotating addresses does not help either. Locking whole addresses would lock
# every office behind one NAT after a few typing mistakes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Lock-out records are not edited in Django admin (every admin change is audited or
# read-only); an administrator lifts a lock-out with `imena axes_reset_username NAME`.
AXES_ENABLE_ADMIN = False

LANGUAGE_CODE = "en"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Kyiv"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("IMENA_STATIC_ROOT", str(DATA_DIR / "static")))
# Compressed (gzip, Brotli when available) and hashed copies made by
# collectstatic, served by WhiteNoise with far-future cache headers.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# A name missing from the manifest (collectstatic not run) gives the plain name,
# not an error page: `imena serve` always collects first.
WHITENOISE_MANIFEST_STRICT = False
MEDIA_ROOT = DATA_DIR / "media"
EVIDENCE_ROOT = Path(os.getenv("IMENA_EVIDENCE_ROOT", str(DATA_DIR / "evidence")))

# Uploads stream to temporary files on disk past 2.5 MB; the largest accepted
# evidence file and journal file are settings, not constants in code.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
IMENA_MAX_EVIDENCE_BYTES = envint("IMENA_MAX_EVIDENCE_BYTES", str(4 * 1024**3))
# An orthophoto (GeoTIFF, PNG or JPEG) of a site; its pixels are also capped by
# Pillow's decompression-bomb limit (about 89 million pixels).
IMENA_MAX_ORTHOPHOTO_BYTES = envint("IMENA_MAX_ORTHOPHOTO_BYTES", str(512 * 1024**2))
# The audit chain's HMAC key, never stored in the database (#19 row 2). Unset:
# a public development key (a deploy check warns). Old keys keep verifying.
IMENA_AUDIT_KEY = envsecret("IMENA_AUDIT_KEY")
IMENA_AUDIT_PREVIOUS_KEYS = envsecret("IMENA_AUDIT_PREVIOUS_KEYS", "")
IMENA_AUDIT_ANCHOR_DIR = Path(
    os.getenv("IMENA_AUDIT_ANCHOR_DIR", str(DATA_DIR / "audit-anchors"))
)
IMENA_MAX_JOURNAL_BYTES = envint("IMENA_MAX_JOURNAL_BYTES", str(50 * 1024**2))
IMENA_MAX_SUBMISSION_BYTES = envint("IMENA_MAX_SUBMISSION_BYTES", str(100 * 1024**2))
IMENA_MAX_PROFILE_BYTES = envint("IMENA_MAX_PROFILE_BYTES", str(20 * 1024**2))
IMENA_MAX_PHOTO_BYTES = envint("IMENA_MAX_PHOTO_BYTES", str(25 * 1024**2))
IMENA_MAX_PFIF_BYTES = envint("IMENA_MAX_PFIF_BYTES", str(20 * 1024**2))
# Web uploads of journals import in a background thread and show progress.
IMENA_IMPORT_IN_BACKGROUND = envbool("IMENA_IMPORT_IN_BACKGROUND", "True")
IMENA_FAMILY_SEARCH_RATE = os.getenv("IMENA_FAMILY_SEARCH_RATE", "10/h")
# All clients together (empty: no overall limit).
IMENA_FAMILY_SEARCH_GLOBAL_RATE = os.getenv("IMENA_FAMILY_SEARCH_GLOBAL_RATE", "1000/h")
# Behind a reverse proxy: the header holding the client address (e.g.
# X-Forwarded-For; its last address is used). Empty: REMOTE_ADDR. Set it only
# when the proxy always sets the header, or clients could choose their address.
IMENA_CLIENT_IP_HEADER = os.getenv("IMENA_CLIENT_IP_HEADER", "")
# Identification safeguards: a proposal below this posterior, or without a primary
# identifier (DNA LR at least IMENA_PRIMARY_DNA_LR, or a dental or fingerprint
# comparison recorded as identifying), needs a written justification and an explicit
# confirmation by the second examiner; without a primary identifier it is presumptive.
IMENA_PROPOSE_MIN_POSTERIOR = float(os.getenv("IMENA_PROPOSE_MIN_POSTERIOR", "0.99"))
IMENA_PRIMARY_DNA_LR = float(os.getenv("IMENA_PRIMARY_DNA_LR", "1e6"))
# The identification worker (`imena identification update --loop`): a body that
# new reports move by less than this (their share of its posterior mass, which
# bounds how far any of its posteriors can move) keeps its last result until
# the worker is idle, when it computes it exactly again (docs/identification.md,
# "Deferred bodies"). 0: every update exact at once.
IMENA_UPDATE_DEFER_BELOW = float(os.getenv("IMENA_UPDATE_DEFER_BELOW", "1e-4"))

# Shown by the public family search as whom to contact (phone, e-mail, address).
IMENA_FAMILY_LIAISON_CONTACT = os.getenv("IMENA_FAMILY_LIAISON_CONTACT", "")
# The organisation (code) whose liaison officers answer families' contact
# requests that match no report; empty: only national administrators see them.
IMENA_NATIONAL_LIAISON_ORG = os.getenv("IMENA_NATIONAL_LIAISON_ORG", "")
# Families' online reports (docs/families.md): reports per client address and
# per reporter contact (telephone or e-mail), the largest photo, and the largest
# upload of one form (all its photos together).
IMENA_FAMILY_REPORT_RATE = os.getenv("IMENA_FAMILY_REPORT_RATE", "5/h")
IMENA_FAMILY_REPORT_CONTACT_RATE = os.getenv("IMENA_FAMILY_REPORT_CONTACT_RATE", "3/d")
IMENA_FAMILY_PHOTO_BYTES = envint("IMENA_FAMILY_PHOTO_BYTES", str(10 * 1024**2))
IMENA_FAMILY_UPLOAD_BYTES = envint("IMENA_FAMILY_UPLOAD_BYTES", str(30 * 1024**2))
# E-mail (families' news notifications): printed to the console unless an SMTP
# host is set.
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if os.getenv("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.getenv("EMAIL_HOST") or "localhost"
EMAIL_PORT = envint("EMAIL_PORT", "587")
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "imena@localhost")
# The address of the site in e-mails to families (https://imena.example.org).
IMENA_SITE_URL = os.getenv("IMENA_SITE_URL", "")

# Uploads: a request whose declared Content-Length passes the limit of its page
# is refused before its body is read, and the file is counted while it streams
# (imena.core.middleware.UploadLimitMiddleware). URL name -> limit setting.
IMENA_UPLOAD_LIMITS = {
    "journals:upload": "IMENA_MAX_JOURNAL_BYTES",
    "missing:case_import": "IMENA_MAX_JOURNAL_BYTES",
    "missing:pfif_import": "IMENA_MAX_PFIF_BYTES",
    "missing:photo_add": "IMENA_MAX_PHOTO_BYTES",
    "missing:sample_profile": "IMENA_MAX_PROFILE_BYTES",
    "exhumations:sample_profile": "IMENA_MAX_PROFILE_BYTES",
    "dna:profile_upload": "IMENA_MAX_PROFILE_BYTES",
    "exhumations:evidence_create": "IMENA_MAX_EVIDENCE_BYTES",
    "reports:orthophoto_create": "IMENA_MAX_ORTHOPHOTO_BYTES",
    "odk:submission": "IMENA_MAX_SUBMISSION_BYTES",
    "families:report": "IMENA_FAMILY_UPLOAD_BYTES",
    "families:case_add": "IMENA_FAMILY_UPLOAD_BYTES",
}

# Sessions end after IMENA_SESSION_IDLE_MINUTES without a request, and after
# IMENA_SESSION_MAX_HOURS in any case.
IMENA_SESSION_IDLE_MINUTES = envint("IMENA_SESSION_IDLE_MINUTES", "30")
SESSION_COOKIE_AGE = envint("IMENA_SESSION_MAX_HOURS", "12") * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True

# TLS: behind a proxy that ends TLS, set SECURE_PROXY_SSL_HEADER to the header
# it sets (X-Forwarded-Proto) so that Django knows the request was https.
_proxy_header = os.getenv("SECURE_PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
    if _proxy_header
    else None
)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False")
# Load balancers probe the health endpoint over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint(
    "SECURE_HSTS_SECONDS", "31536000" if SESSION_COOKIE_SECURE else "0"
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "False")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Map background (#17): a tile URL of the organisation's own tile server, e.g.
# https://tiles.example.org/{z}/{x}/{y}.png ({s} for subdomains). Empty: no
# background, the graves and sites only. Its host is added to the CSP img-src.
IMENA_MAP_TILE_URL = os.getenv("IMENA_MAP_TILE_URL", "").strip()
IMENA_MAP_TILE_ATTRIBUTION = os.getenv("IMENA_MAP_TILE_ATTRIBUTION", "").strip()
# Or an MBTiles file (raster: png/jpg/webp) that Imena serves itself, to signed-in
# users, when IMENA_MAP_TILE_URL is empty.
IMENA_MAP_MBTILES = os.getenv("IMENA_MAP_MBTILES", "").strip()


def _tile_source(url: str) -> list[str]:
    """The CSP source of the tile host ({s}.host -> *.host); none for a local path."""
    parts = urlsplit(url.replace("{s}", "a"))
    if not parts.scheme or not parts.netloc:
        return []
    host = parts.netloc
    if "{s}" in url.split("//", 1)[-1].split("/", 1)[0]:
        host = "*." + host.split(".", 1)[1]
    return [f"{parts.scheme}://{host}"]


# Content-Security-Policy (django-csp) on every response: scripts and styles
# only from the site's own static files (htmx and Leaflet are vendored), no
# inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_tile_source(IMENA_MAP_TILE_URL)],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Django's default hashers (PBKDF2 first). The fast MD5 hasher lives only in the
# test settings.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


def _caches() -> dict[str, dict[str, object]]:
    """A cache shared by every worker process on the host, Redis when asked for.

    Background journal imports keep their progress in the cache, so the default
    must be seen by all processes: a file cache in the data folder (not the
    database, whose writes the import's one transaction would hide until commit).
    """
    url = os.getenv("REDIS_URL", "").strip()
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(DATA_DIR / "cache"),
            }
        }
    try:
        import redis  # noqa: F401  (optional: pip install 'imena[redis]')
    except ImportError:
        raise ImproperlyConfigured(
            "REDIS_URL is set but the redis client is not installed: "
            "pip install 'imena[redis]'"
        ) from None
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
        }
    }


CACHES = _caches()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
}
