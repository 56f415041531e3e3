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
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
