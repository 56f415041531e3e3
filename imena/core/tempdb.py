"""A throwaway SQLite database for commands that must store nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.db import connections


@contextmanager
def temporary_database(path: Path) -> Iterator[None]:
    """Point the default database at a new SQLite file, migrated, for the block.

    The real database is neither read nor written inside the block.
    """
    previous = connections.settings
    config = {
        **previous["default"],
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {"timeout": 20},
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
    }
    connections.close_all()
    connections.settings = connections.configure_settings({"default": config})
    del connections["default"]
    try:
        call_command("migrate", interactive=False, verbosity=0)
        yield
    finally:
        connections.close_all()
        connections.settings = previous
        del connections["default"]
