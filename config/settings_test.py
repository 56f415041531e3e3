"""Settings for the test run: fast hashing, files in a throwaway folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_TMP = Path(tempfile.mkdtemp(prefix="imena-test-"))
DATA_DIR = _TMP
MEDIA_ROOT = _TMP / "media"
EVIDENCE_ROOT = _TMP / "evidence"
STATIC_ROOT = _TMP / "static"
STATIC_ROOT.mkdir()
IMENA_AUDIT_KEY = "test-audit-key-not-a-secret"
IMENA_AUDIT_ANCHOR_DIR = _TMP / "audit-anchors"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(_TMP / "cache"),
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file, not shared-cache memory: the live server used by browser tests
# answers concurrent htmx requests from several threads, and only a file
# database honours the busy timeout instead of failing with "table is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(_TMP / "test.sqlite3")}  # noqa: F405
