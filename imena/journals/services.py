"""Importing journal files, reconciling them, and recording people's decisions."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.utils.translation import gettext as _

from imena.audit.services import audit_record
from imena.burials.models import Grave, Site
from imena.journals.models import (
    ClusterMember,
    DecisionKind,
    Journal,
    JournalImport,
    JournalRow,
    LinkDecision,
    PersonCluster,
    ReconcileRun,
    ReviewItem,
    ReviewKind,
)
from linkage.io import (
    JournalFileError,
    ParsedRow,
    Problem,
    RawRow,
    parse_row,
    read_journal_bytes,
)
from linkage.normalize import GraveNumber, PartialDate
from linkage.reconcile import Decision, reconcile

if TYPE_CHECKING:
    from imena.accounts.models import User
    from linkage.io import Journal as ParsedJournal
    from linkage.io import ParsedRow

Progress = Callable[[int, int], None]

# Matches whose probability falls in this band are shown to a person first.
BORDERLINE = (0.5, 0.97)


@transaction.atomic
def journal_create(
    *, actor: User | None, site: Site, name: str, description: str = ""
) -> Journal:
    journal = Journal(site=site, name=name.strip(), description=description)
    journal.full_clean()
    journal.save()
    audit_record(
        actor=actor,
        action="journal.create",
        obj=journal,
        after={"site": site.pk, "name": journal.name},
        organisation_id=site.organisation_id,
    )
    return journal


def journal_get_or_create(*, actor: User | None, site: Site, name: str) -> Journal:
    journal = Journal.objects.filter(site=site, name=name.strip()).first()
    return journal or journal_create(actor=actor, site=site, name=name)


def journal_read_file(
    *,
    path: Path,
    filename: str,
    journal: Journal,
    mapping: Mapping[str, str] | None = None,
) -> ParsedJournal:
    """Read a file into parsed rows without storing anything (for the preview)."""
    limit = settings.IMENA_MAX_JOURNAL_BYTES
    size = path.stat().st_size
    if size > limit:
        raise JournalFileError(
            filename,
            _("the file is %(size)d bytes, over the limit of %(limit)d")
            % {"size": size, "limit": limit},
        )
    return read_journal_bytes(
        path.read_bytes(),
        filename,
        mapping=mapping or journal.mapping or None,
        source=f"j{journal.pk}",
        max_bytes=limit,
    )


@dataclass
class ImportResult:
    source_import: JournalImport
    created: bool
    parsed: ParsedJournal | None = None


def _problem_dicts(row: ParsedRow) -> list[dict[str, str | None]]:
    return [
        {"column": p.column, "code": p.code, "message": p.message} for p in row.problems
    ]


def _row_fields(row: ParsedRow) -> dict[str, Any]:
    return {
        "grave_raw": row.grave_raw[:200],
        "grave_number": row.grave_key,
        "surname": row.surname[:120],
        "given_name": row.given_name[:120],
        "patronymic": row.patronymic[:120],
        "full_name": row.full_name[:300],
        "birth_date": row.birth_date.iso() if row.birth_date else "",
        "age_min": row.age[0] if row.age else None,
        "age_max": row.age[1] if row.age else None,
        "death_date": row.death_date.iso() if row.death_date else "",
        "burial_date": row.burial_date.iso() if row.burial_date else "",
        "cause": row.cause[:300],
        "brought_by": row.brought_by[:300],
        "notes": row.notes,
        "problems": _problem_dicts(row),
    }


_ROW_FIELDS = (
    "grave_raw", "grave_number", "surname", "given_name", "patronymic", "full_name",
    "birth_date", "age_min", "age_max", "death_date", "burial_date", "cause",
    "brought_by", "notes", "problems",
)  # fmt: skip


@transaction.atomic
def journal_import(
    *,
    actor: User | None,
    journal: Journal,
    path: Path,
    filename: str,
    mapping: Mapping[str, str] | None = None,
    save_mapping: bool = True,
    progress: Progress | None = None,
) -> ImportResult:
    """Store every row of a journal file, verbatim and parsed, in one transaction.

    The same file (by SHA-256) imported again into the journal adds nothing.
    A file that cannot be read raises ``JournalFileError`` and stores nothing.
    """
    parsed = journal_read_file(
        path=path, filename=filename, journal=journal, mapping=mapping
    )
    existing = JournalImport.objects.filter(
        journal=journal, sha256=parsed.sha256
    ).first()
    if existing is not None:
        return ImportResult(existing, created=False, parsed=parsed)
    imp = JournalImport.objects.create(
        journal=journal,
        file_name=Path(filename).name[:255],
        sha256=parsed.sha256,
        size=path.stat().st_size,
        format=parsed.format,
        encoding=parsed.encoding or "",
        delimiter=parsed.delimiter or "",
        header=parsed.header,
        header_row=parsed.header_row,
        mapping=parsed.mapping,
        file_problems=[
            {"column": p.column, "code": p.code, "message": p.message}
            for p in parsed.problems
        ],
        row_count=len(parsed.rows),
        problem_row_count=sum(1 for r in parsed.rows if r.problems),
        imported_by=actor,
    )
    graves = _graves_by_number(journal.site)
    total = len(parsed.rows)
    names = ["journal", "source_import", "row_number", "raw", "grave",
             *_ROW_FIELDS]  # fmt: skip

    def values() -> Iterator[tuple]:
        for i, (raw, row) in enumerate(
            zip(parsed.raw_rows, parsed.rows, strict=True), start=1
        ):
            fields = _row_fields(row)
            yield (
                journal.pk,
                imp.pk,
                raw.row_number,
                raw.cells,
                graves.get(fields["grave_number"]),
                *(fields[name] for name in _ROW_FIELDS),
            )
            if progress and i % 2000 == 0:
                progress(i, total)

    _insert_rows(JournalRow, names, values())
    if progress:
        progress(total, total)
    if save_mapping and parsed.mapping != journal.mapping:
        old_mapping = journal.mapping
        journal.mapping = parsed.mapping
        journal.save(update_fields=["mapping"])
        audit_record(
            actor=actor,
            action="journal.mapping_set",
            obj=journal,
            before={"mapping": old_mapping},
            after={"mapping": journal.mapping},
            organisation_id=journal.site.organisation_id,
        )
    audit_record(
        actor=actor,
        action="journal.import",
        obj=imp,
        after={
            "journal": journal.pk,
            "file": imp.file_name,
            "sha256": imp.sha256,
            "rows": imp.row_count,
            "rows_with_problems": imp.problem_row_count,
            "encoding": imp.encoding,
            "mapping": imp.mapping,
        },
        organisation_id=journal.site.organisation_id,
    )
    return ImportResult(imp, created=True, parsed=parsed)


def _graves_by_number(site: Site) -> dict[str, int]:
    """Grave ids of a site by normalised number; a number used twice maps to
    neither."""
    found: dict[str, int] = {}
    duplicated: set[str] = set()
    for number, pk in (
        Grave.objects.filter(site=site, withdrawn=False)
        .exclude(number="")
        .values_list("number", "pk")
    ):
        if number in found:
            duplicated.add(number)
        found[number] = pk
    for number in duplicated:
        del found[number]
    return found


def _insert_rows(model: Any, field_names: list[str], rows: Iterable[tuple]) -> None:
    """INSERT many rows with one prepared statement per batch (``executemany``).

    Like ``bulk_create`` without building model instances: for the large
    tables (journal rows, cluster members, review links) that is most of the
    time. JSON values are adapted as the field adapts them for the database;
    other values are stored as given, so callers pass database-ready values
    (ids for foreign keys)."""
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in field_names]
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    batch: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            if json_at:
                values = list(row)
                for i in json_at:
                    values[i] = fields[i].get_db_prep_save(values[i], connection)
                row = tuple(values)
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)


# --------------------------------------------------------------- reconciling


def parsed_rows_for_site(
    site: Site,
) -> tuple[list[ParsedRow], dict[tuple[str, int], int]]:
    """Every journal row of a site, as the linkage model reads it.

    The linkage key of a row is (journal source, row primary key), so rows of
    two imports of one journal never collide. Rows are rebuilt from the
    parsed fields stored at import (parsed with the import's own mapping), so
    nothing is parsed twice; a row whose stored fields may have been cut to
    the column length, or whose grave or dates cannot be rebuilt, is parsed
    again from its verbatim cells.
    """

    rows: list[ParsedRow] = []
    ref_to_pk: dict[tuple[str, int], int] = {}
    qs = (
        JournalRow.objects.filter(journal__site=site)
        .order_by("pk")
        .values_list(
            "pk", "journal_id", "grave_raw", "grave_number", "surname", "given_name",
            "patronymic", "full_name", "birth_date", "age_min", "age_max",
            "death_date", "burial_date", "cause", "brought_by", "notes", "problems",
        )
    )  # fmt: skip
    reparse: dict[int, int] = {}  # pk -> index in rows
    for (pk, journal_id, grave_raw, grave_number, surname, given, patronymic,
         full_name, birth, age_min, age_max, death, burial, cause, brought_by,
         notes, problems) in qs.iterator(chunk_size=5000):  # fmt: skip
        source = f"j{journal_id}"
        ref_to_pk[(source, pk)] = pk
        grave = _grave_from_key(grave_number) if grave_number else None
        dates = [_date_from_iso(d) for d in (birth, death, burial)]
        if (
            (grave_number and grave is None)
            or any(d is False for d in dates)
            or len(grave_raw) >= 200
            or max(len(surname), len(given), len(patronymic)) >= 120
            or len(full_name) >= 300
        ):
            reparse[pk] = len(rows)
            rows.append(ParsedRow(source, pk))  # placeholder
            continue
        rows.append(
            ParsedRow(
                source=source,
                row_number=pk,
                grave_raw=grave_raw,
                grave=grave,
                surname=surname,
                given_name=given,
                patronymic=patronymic,
                full_name=full_name,
                birth_date=dates[0] or None,  # type: ignore[arg-type]
                age=(age_min, age_max) if age_min is not None else None,  # type: ignore[arg-type]
                death_date=dates[1] or None,  # type: ignore[arg-type]
                burial_date=dates[2] or None,  # type: ignore[arg-type]
                cause=cause,
                brought_by=brought_by,
                notes=notes,
                problems=[
                    Problem(p.get("column"), p.get("code", ""), p.get("message", ""))
                    for p in problems or ()
                ],
            )
        )
    if reparse:
        again = (
            JournalRow.objects.filter(pk__in=list(reparse))
            .values_list("pk", "journal_id", "raw", "source_import__mapping")
            .iterator(chunk_size=2000)
        )
        for pk, journal_id, raw, mapping in again:
            rows[reparse[pk]] = parse_row(RawRow(pk, raw), mapping, f"j{journal_id}")
    return rows, ref_to_pk


_GRAVE_KEY = re.compile(r"(\D*)(\d+)(\D.*)?")


def _grave_from_key(key: str) -> GraveNumber | None:
    """The GraveNumber whose ``key`` is ``key`` ("12", "12а", "12/2", "бм1")."""
    m = _GRAVE_KEY.fullmatch(key)
    if m is None or (m[2] != "0" and m[2].startswith("0")):
        return None
    grave = GraveNumber(int(m[2]), m[3] or "", m[1])
    return grave if grave.key == key else None


def _date_from_iso(text: str) -> PartialDate | None | bool:
    """A stored ``PartialDate.iso()`` read back; None if empty, False if not
    an ISO date (the row is then parsed again)."""
    if not text:
        return None
    try:
        parts = [int(p) for p in text.split("-")]
        d = PartialDate(*parts)
        d.first_day()
    except (TypeError, ValueError):
        return False
    return d if d.iso() == text else False


def _decisions(site: Site) -> list[Any]:
    """The site's current decisions, in the order they were made (by id): the
    same order, and so the same clusters, on every database (without an ORDER
    BY, PostgreSQL reads them by question key through the current-decision
    index, SQLite by row id)."""
    out = []
    for kind, a_pk, a_journal, b_pk, b_journal in (
        LinkDecision.objects.filter(site=site, superseded=False)
        .exclude(kind=DecisionKind.RESOLVED)
        .order_by("pk")
        .values_list(
            "kind", "row_a_id", "row_a__journal_id", "row_b_id", "row_b__journal_id"
        )
    ):
        if a_pk is None:
            continue
        b = (f"j{b_journal}", b_pk) if b_pk is not None else None
        out.append(Decision(kind, (f"j{a_journal}", a_pk), b))  # type: ignore[arg-type]
    return out


def reconcile_site(
    *, actor: User | None, site: Site, engine: str = "duckdb", threshold: float = 0.9
) -> ReconcileRun:
    """Run the linkage model over all journal rows of a site and store the result.

    The model runs outside the transaction (it can take a while); storing the
    result is one transaction. People's decisions are applied on every run.
    """

    started = time.perf_counter()
    rows, ref_to_pk = parsed_rows_for_site(site)
    decisions = _decisions(site)
    result = reconcile(rows, engine=engine, threshold=threshold, fixed=decisions)
    return _store_run(
        actor=actor,
        site=site,
        result=result,
        ref_to_pk=ref_to_pk,
        engine=engine,
        threshold=threshold,
        decisions=len(decisions),
        started=started,
    )


@transaction.atomic
def _store_run(
    *,
    actor: User | None,
    site: Site,
    result: Any,
    ref_to_pk: Mapping[tuple[str, int], int],
    engine: str,
    threshold: float,
    decisions: int,
    started: float,
) -> ReconcileRun:
    graves = _graves_by_number(site)
    run = ReconcileRun.objects.create(
        site=site,
        engine=engine,
        threshold=threshold,
        model=_jsonable(result.model),
        row_count=len(ref_to_pk),
        cluster_count=len(result.clusters),
        conflict_count=len(result.conflicts),
        decision_count=decisions,
        notes=list(result.notes),
        started_by=actor,
    )
    clusters = []
    for c in result.clusters:
        clusters.append(
            PersonCluster(
                run=run,
                key=c.cluster_id,
                name=c.name[:300],
                surname=c.surname[:120],
                given_name=c.given_name[:120],
                patronymic=c.patronymic[:120],
                grave_number=c.grave or "",
                grave_id=graves.get(c.grave or ""),
                grave_votes=c.grave_votes,
                size=len(c.rows),
                # a row's source is "j<journal id>"
                journal_count=len({source for source, _ in c.rows}),
            )
        )
    PersonCluster.objects.bulk_create(clusters, batch_size=_batch_size(PersonCluster))
    if all(c.pk is not None for c in clusters):  # the database returned the ids
        cluster_pk = {c.key: c.pk for c in clusters}
    else:
        cluster_pk = dict(
            PersonCluster.objects.filter(run=run).values_list("key", "pk")
        )
    row_cluster, row_probability = result.row_cluster, result.row_probability
    # per row the link that explains its place in its cluster: Splink's
    # score, a reviewer's decision, or a clustering rule and its evidence
    links = result.row_explanations()

    def member(ref: tuple[str, int], pk: int) -> tuple[Any, ...]:
        link = links.get(ref)
        if link is None:
            return (cluster_pk[row_cluster[ref]], pk, row_probability.get(ref),
                    None, None, [], "", [])  # fmt: skip
        other = link.right if link.left == ref else link.left
        pair = link.pair
        return (
            cluster_pk[row_cluster[ref]], pk, row_probability.get(ref),
            ref_to_pk.get(other), pair.match_weight if pair else None,
            _explanation(pair) if pair else [], link.rule, list(link.evidence),
        )  # fmt: skip

    _insert_rows(
        ClusterMember,
        ["cluster", "row", "probability", "link_row", "link_weight",
         "link_explanation", "link_rule", "link_evidence"],
        (member(ref, pk) for ref, pk in ref_to_pk.items()),
    )  # fmt: skip
    _store_review_items(run=run, result=result, ref_to_pk=ref_to_pk)
    run.seconds = round(time.perf_counter() - started, 3)
    run.save(update_fields=["seconds"])
    audit_record(
        actor=actor,
        action="journal.reconcile",
        obj=run,
        after={
            "site": site.pk,
            "rows": run.row_count,
            "people": run.cluster_count,
            "conflicts": run.conflict_count,
            "decisions_applied": decisions,
            "engine": engine,
            "threshold": threshold,
        },
        organisation_id=site.organisation_id,
    )
    return run


def _batch_size(model: Any) -> int:
    """Rows per INSERT: large batches, within PostgreSQL's 65535 parameters
    (Django lowers it further where the database needs it, as SQLite may)."""
    return max(100, 30_000 // len(model._meta.concrete_fields))


def _jsonable(value: Any) -> Any:

    return json.loads(json.dumps(value, default=str))


def _question_key(kind: str, pks: Iterable[int]) -> str:
    key = f"{kind}:" + ",".join(str(pk) for pk in sorted(set(pks)))
    if len(key) <= 200:
        return key
    # Many rows with large ids (a mass grave in a national database): the
    # column holds 200 characters, so a long key is named by its SHA-256.
    return f"{kind}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _explanation(pair: Any) -> list[dict[str, Any]]:
    """A pair's per-comparison levels and weights, as stored for review."""
    return [
        {"comparison": e.comparison, "level": e.level, "weight": e.match_weight}
        for e in pair.explanation
    ]


def _store_review_items(
    *, run: ReconcileRun, result: Any, ref_to_pk: Mapping[Any, int]
) -> None:
    answered = set(
        LinkDecision.objects.filter(site=run.site, superseded=False).values_list(
            "question_key", flat=True
        )
    )
    priority = {
        ReviewKind.GRAVE_MULTIPLE_PEOPLE: 300.0,
        ReviewKind.PERSON_MULTIPLE_GRAVES: 200.0,
        ReviewKind.ROW_WITHOUT_GRAVE: 50.0,
    }
    items: list[tuple[ReviewItem, list[int]]] = []
    for conflict in result.conflicts:
        pks = [ref_to_pk[r] for r in conflict.rows if r in ref_to_pk]
        key = _question_key(conflict.kind, pks)
        if key in answered:
            continue
        # the pair that explains the conflict (why joined, or why kept apart);
        # rows joined by a clustering rule: that rule and its evidence
        link = result.conflict_link(conflict)
        pair = link.pair if link is not None else result.conflict_pair(conflict)
        items.append(
            (
                ReviewItem(
                    run=run,
                    kind=conflict.kind,
                    key=key,
                    priority=priority[conflict.kind] + len(pks),
                    message=conflict.message,
                    grave_number=conflict.grave or "",
                    match_probability=pair.match_probability if pair else None,
                    match_weight=pair.match_weight if pair else None,
                    explanation=_explanation(pair) if pair else [],
                    rule=link.rule if link is not None else "",
                    evidence=list(link.evidence) if link is not None else [],
                ),
                pks,
            )
        )
    # a pair whose rows a grave's or a person's conflict above already shows
    # side by side (the people of a mass grave) is answered there
    borderline = result.review_pairs(*BORDERLINE)
    if len(borderline):
        for record in borderline.to_dict("records"):
            pair = result._pair_from_record(record)
            if pair.left not in ref_to_pk or pair.right not in ref_to_pk:
                continue
            pks = [ref_to_pk[pair.left], ref_to_pk[pair.right]]
            key = _question_key("pair", pks)
            if key in answered:
                continue
            # Closest to 50/50 first: that is where a person adds the most.
            p = pair.match_probability
            items.append(
                (
                    ReviewItem(
                        run=run,
                        kind=ReviewKind.BORDERLINE_MATCH,
                        key=key,
                        priority=100.0 - abs(p - 0.5) * 100,
                        message="",
                        match_probability=p,
                        match_weight=pair.match_weight,
                        explanation=_explanation(pair),
                    ),
                    pks,
                )
            )
    ReviewItem.objects.bulk_create(
        [item for item, _ in items], batch_size=_batch_size(ReviewItem)
    )
    _insert_rows(
        ReviewItem.rows.through,
        ["reviewitem", "journalrow"],
        ((item.pk, pk) for item, pks in items for pk in dict.fromkeys(pks)),
    )


@transaction.atomic
def review_decide(
    *,
    actor: User,
    item: ReviewItem,
    kind: str,
    reason: str,
    row_a: JournalRow | None = None,
    row_b: JournalRow | None = None,
) -> LinkDecision:
    """Record a person's answer to a review item. It holds for every later run."""
    if kind not in DecisionKind.values:
        raise ValidationError({"kind": _("Unknown decision.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the decision.")})
    rows = list(item.rows.order_by("pk"))
    if kind in (DecisionKind.SAME_PERSON, DecisionKind.DIFFERENT_PEOPLE):
        if row_a is None or row_b is None:
            if len(rows) != 2:
                raise ValidationError(_("Choose the two rows the decision is about."))
            row_a, row_b = rows
    elif kind == DecisionKind.SPLIT and row_a is None:
        raise ValidationError(_("Choose the row to split off."))
    for row in (row_a, row_b):
        if row is not None and row not in rows:
            raise ValidationError(_("That row is not part of this question."))
    site = item.run.site
    question = (
        item.key
        if kind in (DecisionKind.RESOLVED,) or row_a is None
        else (
            _question_key("pair", [row_a.pk, row_b.pk])
            if row_b
            else f"split:{row_a.pk}"
        )
    )
    previous = LinkDecision.objects.select_for_update().filter(
        site=site, question_key__in={question, item.key}, superseded=False
    )
    superseded = list(previous)
    before = [{"id": d.pk, "kind": d.kind, "reason": d.reason} for d in superseded]
    previous.update(superseded=True)
    for old in superseded:
        # Each superseded decision's own history says so (and `imena audit
        # verify --records` knows its new state).
        audit_record(
            actor=actor,
            action="journal.decision.supersede",
            obj=old,
            before={"superseded": False},
            after={"superseded": True},
            organisation_id=site.organisation_id,
        )
    decision = LinkDecision.objects.create(
        site=site,
        kind=kind,
        question_key=question,
        row_a=row_a,
        row_b=row_b,
        reason=reason.strip(),
        decided_by=actor,
    )
    if question != item.key:
        # The item itself is answered too, so the next run does not ask again.
        LinkDecision.objects.create(
            site=site,
            kind=DecisionKind.RESOLVED,
            question_key=item.key,
            row_a=row_a,
            row_b=row_b,
            reason=reason.strip(),
            decided_by=actor,
        )
    audit_record(
        actor=actor,
        action="journal.decision",
        obj=decision,
        before={"superseded": before} if before else None,
        after={
            "item": item.key,
            "kind": kind,
            "reason": reason.strip(),
            "row_a": row_a.pk if row_a else None,
            "row_b": row_b.pk if row_b else None,
        },
        organisation_id=site.organisation_id,
    )
    return decision
