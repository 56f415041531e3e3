"""Storing candidates inserts rows with VALUES, not UNNEST (#13: 4-6x less CPU on
PostgreSQL), and JSON documents come back as they went in."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from imena.identification.models import BodyAnalysis, Candidate, CandidateRun
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_json_documents_are_bulk_inserted_as_values_and_round_trip(site, body) -> None:
    run = CandidateRun.objects.create(site=site, p_unlisted=0.1)
    analysis = BodyAnalysis.objects.create(
        run=run,
        site=site,
        body=body,
        posterior_unlisted=0.5,
        own_exclusions=[{"a": 'x"\\y'}],
    )
    docs: list[Any] = [
        {"quote": 'he said "так"', "slash": "a\\b", "nested": {"k": [1, 2.5, None]}},
        {"text": '{"not": "parsed"}', "empty": {}, "list": ['\\"', "'"]},
    ]
    persons = [make_person(site.organisation, family_name=f"Тест{i}") for i in (1, 2)]
    with CaptureQueriesContext(connection) as queries:
        Candidate.objects.bulk_create(
            [
                Candidate(
                    analysis=analysis,
                    person=p,
                    rank=i,
                    prior=0.1,
                    lr=1.0,
                    posterior=0.2,
                    evidence=doc,
                )
                for i, (p, doc) in enumerate(zip(persons, docs, strict=True), start=1)
            ]
        )
    (insert,) = [q["sql"] for q in queries if q["sql"].lstrip().startswith("INSERT")]
    assert "UNNEST" not in insert.upper()
    stored = list(
        Candidate.objects.filter(analysis=analysis)
        .order_by("rank")
        .values_list("evidence", flat=True)
    )
    assert stored == docs
    assert BodyAnalysis.objects.get(pk=analysis.pk).exclusions == [{"a": 'x"\\y'}]


def test_insert_stores_rows_with_defaults_and_json_as_bulk_create_would(
    site, body
) -> None:
    """``services._insert`` (the store's candidates: ``COPY`` on PostgreSQL,
    one statement per row elsewhere): the fields left out take their
    defaults, JSON and the largest LR come back as they went in (a COPY's
    escapes: tabs, new lines, backslashes, ``\\N``); a field the model
    lacks is an error before anything is written; a constraint broken is
    Django's ``IntegrityError`` and stores no row."""
    from imena.identification.services import _insert

    run = CandidateRun.objects.create(site=site, p_unlisted=0.1)
    analysis = BodyAnalysis.objects.create(
        run=run, site=site, body=body, posterior_unlisted=0.5
    )
    persons = [
        make_person(site.organisation, family_name=f"Вставка{i}") for i in (1, 2)
    ]
    doc = {
        "quote": 'he said "так"',
        "slash": "a\\b",
        "nested": {"k": [1, 2.5, None]},
        "copy": "tab\there\nline\r\\N \\. end",
    }
    with pytest.raises(ValueError, match="no field"):
        _insert(Candidate, [{"analysis": analysis.pk, "colour": "red"}])
    _insert(
        Candidate,
        [
            {
                "analysis": analysis.pk,
                "person": p.pk,
                "rank": i,
                "prior": 0.1,
                "lr": 1e300,
                "posterior": 0.2,
                "evidence": doc,
            }
            for i, p in enumerate(persons, start=1)
        ],
    )
    stored = list(Candidate.objects.filter(analysis=analysis).order_by("rank"))
    assert [c.person_id for c in stored] == [p.pk for p in persons]
    assert [(c.lr_journal, c.lr_dna, c.lr, c.evidence) for c in stored] == [
        (1.0, 1.0, 1e300, doc)
    ] * 2
    # A person twice a candidate of one analysis: nothing of the batch stored.
    other = make_person(site.organisation, family_name="Вставка3")
    with pytest.raises(IntegrityError), transaction.atomic():
        _insert(
            Candidate,
            [
                {
                    "analysis": analysis.pk,
                    "person": other.pk,
                    "rank": 3,
                    "prior": 0.1,
                    "lr": 1.0,
                    "posterior": 0.1,
                },
                {
                    "analysis": analysis.pk,
                    "person": persons[0].pk,
                    "rank": 4,
                    "prior": 0.1,
                    "lr": 1.0,
                    "posterior": 0.1,
                },
            ],
        )
    assert Candidate.objects.filter(analysis=analysis).count() == 2


def test_json_documents_are_stored_as_utf8_text_on_sqlite(site, body) -> None:
    """The large JSON columns on SQLite: UTF-8 text without spaces (not a
    6-byte escape per Cyrillic letter), the same value read back, by
    ``bulk_create``, ``save`` and ``services._insert``; a lone surrogate
    (which UTF-8 cannot encode) stored as Django stores it."""
    from imena.identification.services import _insert

    if connection.vendor != "sqlite":
        pytest.skip("how SQLite stores JSON text")
    run = CandidateRun.objects.create(site=site, p_unlisted=0.1)
    listed = [{"person": "1", "reasons": [{"uk": "стать: виключення", "en": "sex"}]}]
    analysis = BodyAnalysis.objects.create(
        run=run, site=site, body=body, posterior_unlisted=0.5, own_exclusions=listed
    )
    person, other = (
        make_person(site.organisation, family_name=n) for n in ("Текст", "Інший")
    )
    doc = {"uk": "Ім'я «Тест» — ґ", "n": [1, 2.5]}
    _insert(
        Candidate,
        [
            {
                "analysis": analysis.pk,
                "person": person.pk,
                "rank": 1,
                "prior": 0.1,
                "lr": 1.0,
                "posterior": 0.2,
                "evidence": doc,
            }
        ],
    )
    odd = {"text": "a\ud800b"}
    Candidate.objects.create(
        analysis=analysis,
        person=other,
        rank=2,
        prior=0.1,
        lr=1.0,
        posterior=0.1,
        evidence=odd,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT exclusions FROM identification_bodyanalysis WHERE id = %s",
            [analysis.pk],
        )
        assert cursor.fetchone()[0] == (
            '[{"person":"1","reasons":[{"uk":"стать: виключення","en":"sex"}]}]'
        )
        cursor.execute(
            "SELECT evidence FROM identification_candidate "
            "WHERE analysis_id = %s ORDER BY rank",
            [analysis.pk],
        )
        texts = [row[0] for row in cursor.fetchall()]
    assert texts == ['{"uk":"Ім\'я «Тест» — ґ","n":[1,2.5]}', '{"text": "a\\ud800b"}']
    analysis.refresh_from_db()
    assert analysis.exclusions == listed
    assert [
        c.evidence for c in Candidate.objects.filter(analysis=analysis).order_by("rank")
    ] == [doc, odd]


def test_the_large_json_columns_are_compressed_with_lz4_on_postgresql() -> None:
    """Migration 0012: the candidates' evidence and the analyses' exclusions
    (a few kilobytes each, compressed by the server when stored) use LZ4 on
    PostgreSQL, which stores them in about half the time of its default."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        found: dict[str, Any] = {}
        for table, field in (
            (Candidate._meta.db_table, "evidence"),
            (BodyAnalysis._meta.db_table, "exclusions"),
        ):
            cursor.execute(
                "SELECT attcompression FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attname = %s",
                [table, field],
            )
            found[field] = cursor.fetchone()[0]
    assert found == {"evidence": "l", "exclusions": "l"}
