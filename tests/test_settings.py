"""The settings module: every variable documented, safe hashers, a shared cache."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(
    r"""(?:getenv|environ\.get|env(?:bool|int|secret))\(\s*f?["']([A-Z0-9_]+)"""
)


def _settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("REDIS_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "config" / "settings.py"))


def test_every_variable_read_from_the_environment_is_in_env_example() -> None:
    documented = set(
        re.findall(r"^#? ?([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    sources = [
        p
        for top in ("config", "imena", "linkage", "kinship", "matching")
        for p in (ROOT / top).rglob("*.py")
        if "tests" not in p.parts
    ]
    read = {name for p in sources for name in READ.findall(p.read_text())}
    assert "IMENA_DATA_DIR" in read
    assert read - documented == set()


def test_production_settings_have_no_md5_hasher(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hashers = _settings(monkeypatch)["PASSWORD_HASHERS"]
    assert hashers
    assert not [h for h in hashers if "MD5" in h or "Unsalted" in h]


def test_the_default_cache_is_a_file_cache_in_the_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    caches = _settings(monkeypatch, IMENA_DATA_DIR=str(tmp_path))["CACHES"]
    assert caches["default"] == {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache"),
    }


def test_redis_url_without_the_redis_client_fails_loudly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    try:
        import redis  # noqa: F401
    except ImportError:
        with pytest.raises(ImproperlyConfigured, match="redis"):
            _settings(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0")
    else:
        caches = _settings(monkeypatch, REDIS_URL="redis://127.0.0.1:6379/0")["CACHES"]
        assert caches["default"]["BACKEND"].endswith("RedisCache")
