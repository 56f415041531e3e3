"""#19 rows 5/6: 20 people deciding one review question at once, on the live server.

On PostgreSQL the losers used to hit the `one_current_decision_per_question`
constraint as HTTP 500; on SQLite by URL, "database is locked". Now each answer
is a redirect (decided) or 409 (someone else decided at the same moment).
"""

from __future__ import annotations

import pytest

from imena.core.testing import post_at_once
from imena.journals import selectors, services
from imena.journals.models import JournalRow, LinkDecision, ReviewItem

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_decisions_on_one_question_never_fail(
    live_server, client, imported, examiner
) -> None:
    services.reconcile_site(actor=examiner, site=imported)
    run = selectors.latest_run(imported)
    a = JournalRow.objects.filter(journal__name="Funeral home").first()
    b = JournalRow.objects.filter(journal__name="Volunteers").first()
    assert a is not None and b is not None
    item = ReviewItem.objects.create(  # type: ignore[misc]
        run=run,
        kind="borderline_match",
        key=services._question_key("pair", [a.pk, b.pk]),
        priority=1000,
        message="",
        match_probability=0.6,
        match_weight=0.5,
        explanation=[],
    )
    item.rows.set([a, b])
    client.force_login(examiner)
    statuses = post_at_once(
        f"{live_server.url}/journals/review/{item.pk}/",
        {"kind": "must_link", "reason": "Same grave and year"},
        session=client.cookies["sessionid"].value,
    )
    assert set(statuses) <= {302, 409}, statuses
    assert 302 in statuses
    current = LinkDecision.objects.filter(site=imported, superseded=False)
    assert current.filter(question_key=item.key).count() == 1


def test_two_imports_of_one_journal_at_once_say_so(
    site, examiner, funeral_home_file, tmp_path
) -> None:
    """Two background imports of the same file: one stores it, the other says so."""
    import shutil
    import threading

    from django.db import connection

    from imena.journals import jobs

    journal = services.journal_get_or_create(
        actor=examiner, site=site, name="Funeral home"
    )
    barrier = threading.Barrier(2)

    def run(token: str) -> None:
        path = tmp_path / f"{token}.csv"
        shutil.copyfile(funeral_home_file, path)
        try:
            barrier.wait()
            jobs._run(
                token=token,
                user_id=examiner.pk,
                journal_id=journal.pk,
                path=path,
                filename="funeral_home.csv",
                mapping={},
                language="en",
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in ("race1", "race2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = [jobs.import_status(t) or {} for t in ("race1", "race2")]
    assert all(outcomes)
    assert "The import failed" not in str(outcomes)
    assert sum(1 for o in outcomes if o.get("created")) == 1
    for o in outcomes:
        assert o["state"] == "done" or "at the same moment" in o["message"]
    assert journal.imports.count() == 1
