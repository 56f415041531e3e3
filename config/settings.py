"""Imena settings, read from the environment through typed helpers.

Safe local defaults: SQLite in the data folder, DEBUG off unless asked for.
PostgreSQL is used when ``DATABASE_URL`` is set.
"""

from __future__ import annotations

import os
from pathlib import Path

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
SECRET_KEY = envsecret("SECRET_KEY") or "imena-local-development-key-change-me"
ALLOWED_HOSTS = [
    h for h in os.getenv("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.getenv("CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
SITE_ROOT = os.getenv("SITE_ROOT", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "imena.core",
    "imena.accounts",
    "imena.audit",
    "imena.burials",
    "imena.journals",
    "imena.exhumations",
    "imena.missing",
    "imena.dna",
    "imena.identification",
    "imena.reports",
    "imena.odk",
    "imena.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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


def _databases() -> dict[str, dict[str, object]]:
    url = os.getenv("DATABASE_URL", "").strip()
    if not url:
        return {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.getenv("SQLITE_PATH", str(DATA_DIR / "imena.sqlite3")),
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
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
    if not config.get("NAME") and "sqlite" not in str(config.get("ENGINE")):
        raise ImproperlyConfigured("DATABASE_URL names no database")
    return {"default": config}  # type: ignore[dict-item]


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "burials:site_list"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("uk", _("Ukrainian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Kyiv"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
EVIDENCE_ROOT = Path(os.getenv("IMENA_EVIDENCE_ROOT", str(DATA_DIR / "evidence")))

# Uploads stream to temporary files on disk past 2.5 MB; the largest accepted
# evidence file and journal file are settings, not constants in code.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
IMENA_MAX_EVIDENCE_BYTES = envint("IMENA_MAX_EVIDENCE_BYTES", str(4 * 1024**3))
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
# Shown by the public family search as whom to contact (phone, e-mail, address).
IMENA_FAMILY_LIAISON_CONTACT = os.getenv("IMENA_FAMILY_LIAISON_CONTACT", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "False")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

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
