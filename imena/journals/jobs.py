"""Journal imports and reconciliations in the background, with progress a page polls.

The import itself is the same service as on the command line, one
transaction. Progress and the outcome are kept in Django's cache under the
upload's token, so the cache must be shared by the processes that serve the
app: the settings give a file cache in the data folder (every process on one
host), or Redis when ``REDIS_URL`` is set. It is not the database cache, whose
writes would stay inside the import's transaction until it ends.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, connection
from django.utils import translation
from django.utils.translation import gettext as _

from imena.accounts.models import User
from imena.burials.models import Site
from imena.core.times import local_time
from imena.journals import services
from imena.journals.models import Journal
from linkage.io import JournalFileError

log = logging.getLogger(__name__)
TIMEOUT = 6 * 3600


def _key(token: str) -> str:
    return f"imena:journal-import:{token}"


def import_status(token: str) -> dict[str, Any] | None:
    return cache.get(_key(token))


def import_start(
    *,
    token: str,
    user_id: int,
    journal_id: int,
    path: Path,
    filename: str,
    mapping: dict[str, str],
    language: str,
) -> None:
    """Run the import in a thread; its progress is read with ``import_status``."""
    cache.set(
        _key(token),
        {"state": "running", "done": 0, "total": 0, "user": user_id},
        TIMEOUT,
    )
    thread = threading.Thread(
        target=_run,
        name=f"journal-import-{token[:8]}",
        daemon=True,
        kwargs={
            "token": token,
            "user_id": user_id,
            "journal_id": journal_id,
            "path": path,
            "filename": filename,
            "mapping": mapping,
            "language": language,
        },
    )
    thread.start()


def _run(
    *,
    token: str,
    user_id: int,
    journal_id: int,
    path: Path,
    filename: str,
    mapping: dict[str, str],
    language: str,
) -> None:

    key = _key(token)

    def progress(done: int, total: int) -> None:
        cache.set(
            key,
            {"state": "running", "done": done, "total": total, "user": user_id},
            TIMEOUT,
        )

    try:
        with translation.override(language):
            user = User.objects.get(pk=user_id)
            journal = Journal.objects.get(pk=journal_id)
            try:
                result = services.journal_import(
                    actor=user,
                    journal=journal,
                    path=path,
                    filename=filename,
                    mapping=mapping,
                    progress=progress,
                )
            except JournalFileError as e:
                cache.set(
                    key, {"state": "error", "message": str(e), "user": user_id}, TIMEOUT
                )
                return
            imp = result.source_import
            cache.set(
                key,
                {
                    "state": "done",
                    "user": user_id,
                    "journal": journal.pk,
                    "created": result.created,
                    "rows": imp.row_count,
                    "problems": imp.problem_row_count,
                    "file": imp.file_name,
                    "sha": imp.sha256,
                    "date": local_time(imp.created),
                    "done": imp.row_count,
                    "total": imp.row_count,
                },
                TIMEOUT,
            )
    except IntegrityError:
        # Two imports of the same file into one journal at the same moment: the
        # `journal_file_once` constraint kept the other one.
        cache.set(
            key,
            {
                "state": "error",
                "user": user_id,
                "message": _(
                    "Someone imported the same file into this journal at the same "
                    "moment; it is stored once. Open the journal to see it."
                ),
            },
            TIMEOUT,
        )
    except Exception:  # the thread must always leave an outcome for the page
        log.exception("journal import %s failed", token)
        cache.set(
            key,
            {
                "state": "error",
                "user": user_id,
                "message": _("The import failed; nothing was stored."),
            },
            TIMEOUT,
        )
    finally:
        path.unlink(missing_ok=True)
        connection.close()


# --- Reconciliation -----------------------------------------------------------


def _reconcile_key(token: str) -> str:
    return f"imena:journal-reconcile:{token}"


def reconcile_status(token: str) -> dict[str, Any] | None:
    return cache.get(_reconcile_key(token))


def reconcile_start(*, token: str, user_id: int, site_id: int, rows: int) -> None:
    """Reconcile a site's journals in a thread; ``reconcile_status`` reads how far."""
    cache.set(
        _reconcile_key(token),
        {
            "state": "running",
            "user": user_id,
            "site": site_id,
            "rows": rows,
            "started": time.time(),
        },
        TIMEOUT,
    )
    threading.Thread(
        target=_reconcile,
        name=f"journal-reconcile-{token[:8]}",
        daemon=True,
        kwargs={"token": token, "user_id": user_id, "site_id": site_id},
    ).start()


def _reconcile(*, token: str, user_id: int, site_id: int) -> None:
    key = _reconcile_key(token)
    status = cache.get(key) or {"user": user_id, "site": site_id}
    try:
        run = services.reconcile_site(
            actor=User.objects.get(pk=user_id), site=Site.objects.get(pk=site_id)
        )
        cache.set(
            key,
            {
                **status,
                "state": "done",
                "rows": run.row_count,
                "people": run.cluster_count,
                "conflicts": run.conflict_count,
            },
            TIMEOUT,
        )
    except Exception:  # the thread must always leave an outcome for the page
        log.exception("journal reconciliation %s failed", token)
        cache.set(key, {**status, "state": "error"}, TIMEOUT)
    finally:
        connection.close()
