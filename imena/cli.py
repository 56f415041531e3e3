"""The `imena` command: Django's management commands plus Imena's own.

Pure sub-commands (`simulate`, `dvi`, `reconcile`) run without Django or a
database; everything else goes through Django's command machinery.
"""

from __future__ import annotations

import importlib
import os
import sys

PURE_COMMANDS = {
    "simulate": "imena.simulation.cli",
    "dvi": "kinship.cli",
    "reconcile": "linkage.cli",
}


def _fail(message: str) -> int:
    sys.stderr.write(f"imena: {message}\n")
    return 2


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in PURE_COMMANDS:
        module = importlib.import_module(PURE_COMMANDS[args[0]])
        return int(module.main(args[1:]) or 0)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Django is imported only for its commands: the pure ones above run without it.
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError, IntegrityError

    try:
        import django

        django.setup()
    except ImproperlyConfigured as e:
        return _fail(f"configuration error: {e}")

    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["imena", *args])
        if not args or args == ["help"] or args[0] in ("-h", "--help"):
            # Django lists only its management commands; add the pure ones.
            sys.stdout.write(
                "\n[imena, no database]\n"
                + "".join(f"    {c}\n" for c in sorted(PURE_COMMANDS))
            )
    except ImproperlyConfigured as e:
        return _fail(f"configuration error: {e}")
    except IntegrityError:
        return _fail(
            "another change to the same records was made at the same moment; "
            "nothing of this command was stored: run it again"
        )
    except DatabaseError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if "database is locked" in first:
            return _fail("the database stayed busy (locked); run the command again")
        return _fail(f"database error: {first}")
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
