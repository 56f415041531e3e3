"""The full JSON record of a site, and re-importing it into another database.

The export walks the models generically, so that records added by other apps
(bodies, findings, samples, evidence, identifications...) come along without
this module knowing them:

* downward: every model with a foreign key to a record already taken
  (site -> graves -> exhumations -> bodies -> findings ...);
* upward: every record such a record points to (an identification's missing
  person, a sample's DNA profile), but not the records below those.

Ids in the file are local (1, 2, 3... per model, in primary-key order) so that
exporting, importing and exporting again gives the same content. Users are
referred to by username; organisations are replaced by the importing one.
The file carries a format marker, a version and the SHA-256 of its content,
so a truncated, edited or foreign file is refused before anything is written.

Stored analysis tables that a run recomputes (candidate computations, DNA
screenings, reconciliation clusters: ``ANALYSIS_TYPES``) are left out unless
asked for (``with_analysis``); the content names them in ``analysis_omitted``.
The file is written model by model (one model's records in memory at a time)
while the content's SHA-256 is computed on the way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from imena.accounts.models import Organisation, User
from imena.audit.models import canonical_json
from imena.audit.record_types import model_label, record_type
from imena.audit.services import audit_head_hash, audit_record, to_jsonable
from imena.burials.models import Site
from imena.lib.safejson import UnsafeJSON, loads_untrusted
from imena.reports.access import os_user
from imena.reports.files import ExportFile, export_file, temp_path
from imena.reports.models import SiteRecordCount

if TYPE_CHECKING:
    from imena.reports.access import Audience

FORMAT = "imena-site-export"
VERSION = 1
# Apps whose records never travel with a site: identities, the audit chain
# (it belongs to the database it was written in), Django's own tables.
EXCLUDED_APPS = {
    "accounts",
    "audit",
    "core",
    "reports",
    "admin",
    "auth",
    "contenttypes",
    "sessions",
    "messages",
    "staticfiles",
}
#: Record types of stored analysis results that their run recomputes
#: (``imena identify``/the identification page, ``imena dna screen``, a
#: journal reconciliation). Reconciliation runs themselves travel: review
#: questions point to them.
ANALYSIS_TYPES = frozenset(
    {
        "identification.candidaterun",
        "identification.bodyanalysis",
        "identification.candidate",
        "dna.screeningrun",
        "dna.screeningcandidate",
        "journals.personcluster",
        "journals.clustermember",
    }
)
APP_CAPABILITY = {
    "burials": "site.view",
    "exhumations": "postmortem.view",
    "odk": "postmortem.view",
    "journals": "journal.view",
    "missing": "missing.view",
    "dna": "dna.view",
    "identification": "identification.view",
}


class ImportRefused(Exception):
    """The file is not a complete, unedited Imena site export."""


def capability_for(model: type[models.Model]) -> str:
    name = model._meta.model_name or ""
    if "evidence" in name or "custody" in name:
        return "evidence.view"
    # By the record type, so a model that moved app keeps its audience.
    return APP_CAPABILITY.get(record_type(model).split(".")[0], "report.export")


def _fk_fields(model: type[models.Model]) -> list[models.ForeignKey]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey)  # OneToOneField is one too
    ]


def _travels(model: type[models.Model]) -> bool:
    # Personal working drafts (unsaved form sections) are not part of the record.
    return (
        model._meta.app_label not in EXCLUDED_APPS
        and not model._meta.auto_created
        and "draft" not in (model._meta.model_name or "")
    )


def _is_user(model: Any) -> bool:
    return model is User or (isinstance(model, type) and issubclass(model, User))


# --- Collecting ------------------------------------------------------------------


@dataclass
class Collected:
    order: list[type[models.Model]]
    querysets: dict[type[models.Model], models.QuerySet]
    omitted: list[str] = field(default_factory=list)
    analysis_omitted: list[str] = field(default_factory=list)


def _visible(
    audience: Audience, *, with_analysis: bool
) -> tuple[list[type[models.Model]], list[str], list[str]]:
    """The models a site record may hold for the audience, and the record types
    left out (not permitted; analysis tables not asked for)."""
    candidates = [m for m in apps.get_models() if _travels(m) and m is not Site]
    analysis_omitted = []
    if not with_analysis:
        analysis_omitted = sorted(
            record_type(m) for m in candidates if record_type(m) in ANALYSIS_TYPES
        )
        candidates = [m for m in candidates if record_type(m) not in ANALYSIS_TYPES]
    omitted = sorted(
        record_type(m) for m in candidates if not audience.can(capability_for(m))
    )
    allowed = [m for m in candidates if audience.can(capability_for(m))]
    return allowed, omitted, analysis_omitted


_T = TypeVar("_T")


def _closure(
    allowed: list[type[models.Model]],
    start: _T,
    empty: Callable[[], _T],
    union: Callable[[_T, _T], _T],
    down_step: Callable[[type[models.Model], models.ForeignKey, _T], _T],
    up_step: Callable[[type[models.Model], _T, str], _T],
) -> dict[type[models.Model], _T]:
    """The site's records per model, as a selection of type ``_T``.

    Down: the records whose keys point to a selected record of another model
    (from the site outwards), until no model gains a key. Up: the records a
    selected record points to (its grave, its person), until no model gains a
    source. ``down_step(m, fk, related)`` selects m's records whose key
    ``fk`` points into ``related``; ``up_step(m, selected, attname)`` selects the
    records of the model ``attname`` points to. Each step reads the selection
    of the other model as it stands at that moment: :func:`collect` builds
    query conditions (``Q``), :func:`_record_counts` reads id sets, and both
    select the same records.
    """
    down: dict[type[models.Model], _T] = {Site: start}
    down_keys: dict[type[models.Model], frozenset[str]] = {}
    changed = True
    while changed:
        changed = False
        for m in allowed:
            fks = [
                f
                for f in _fk_fields(m)
                if f.related_model in down and f.related_model is not m
            ]
            keys = frozenset(f.name for f in fks)
            if not fks or down_keys.get(m) == keys:
                continue
            cond = empty()
            for f in fks:
                cond = union(cond, down_step(m, f, down[f.related_model]))
            down[m], down_keys[m] = cond, keys
            changed = True

    up: dict[type[models.Model], _T] = {}
    up_keys: dict[type[models.Model], frozenset[str]] = {}
    changed = True
    while changed:
        changed = False
        taken = {**down}
        for m, c in up.items():
            taken[m] = union(taken[m], c) if m in taken else c
        targets: dict[type[models.Model], list[tuple[type[models.Model], str]]] = {}
        for m in taken:
            for f in _fk_fields(m):
                r = f.related_model
                if r is Site or not _travels(r) or r not in allowed:
                    continue
                targets.setdefault(r, []).append((m, f.attname))
        for r, sources in targets.items():
            keys = frozenset(f"{m._meta.label}.{a}" for m, a in sources)
            if up_keys.get(r) == keys:
                continue
            cond = empty()
            for m, attname in sources:
                cond = union(cond, up_step(m, taken[m], attname))
            up[r], up_keys[r] = cond, keys
            changed = True

    final = {**down}
    for m, c in up.items():
        final[m] = union(final[m], c) if m in final else c
    return final


def collect(
    site: Site, audience: Audience, *, with_analysis: bool = False
) -> Collected:
    """The models and records that make up the site's full record."""
    allowed, omitted, analysis_omitted = _visible(audience, with_analysis=with_analysis)

    def down_step(
        m: type[models.Model], fk: models.ForeignKey, related: models.Q
    ) -> models.Q:
        targets = fk.related_model._default_manager.filter(related)
        return models.Q(**{f"{fk.name}__in": targets.values("pk")})

    def up_step(m: type[models.Model], selected: models.Q, attname: str) -> models.Q:
        return models.Q(pk__in=m._default_manager.filter(selected).values(attname))

    final = _closure(
        allowed,
        models.Q(pk=site.pk),
        models.Q,
        operator.or_,
        down_step,
        up_step,
    )
    querysets = {
        m: m._default_manager.filter(c).distinct().order_by("pk")
        for m, c in final.items()
    }
    return Collected(
        _dependency_order(list(final)), querysets, omitted, analysis_omitted
    )


def reader_key(audience: Audience) -> str:
    """The set of models the audience may see, as a short key: readers who may
    see the same models (an examiner and an investigator) see the same counts."""
    seen = ",".join(
        sorted(m._meta.label for m in _visible(audience, with_analysis=True)[0])
    )
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


#: A count older than this, of a register changed since, is counted again when
#: the statistics page is viewed; a younger one is shown with its time.
RECOUNT_AFTER = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class RecordCounts:
    """The stored counts of a site's record for one reader, and how current they are."""

    plain: int
    analysis: int
    counted_at: dt.datetime
    #: Nothing was written anywhere since the count (the audit chain's head is
    #: the same): the counts are exact.
    current: bool

    @property
    def due(self) -> bool:
        """Stale and old enough to be counted again."""
        return not self.current and timezone.now() - self.counted_at >= RECOUNT_AFTER


def stored_record_counts(site: Site, audience: Audience) -> RecordCounts | None:
    """The counts stored for the site and the audience's readers, without counting.

    Two small queries (the stored row, the audit head): the statistics page
    shows these and never counts (:func:`count_site_records` does).
    """
    row = SiteRecordCount.objects.filter(site=site, reader=reader_key(audience)).first()
    if row is None:
        return None
    return RecordCounts(
        row.plain,
        row.analysis,
        row.counted_at,
        current=row.audit_head == audit_head_hash(),
    )


def count_site_records(site: Site, audience: Audience) -> RecordCounts:
    """Count the site's record for the audience's readers now, and store it.

    The moment and the audit head are taken before counting: a write during the
    count leaves the stored counts marked as older than the register.
    """
    head, at = audit_head_hash(), timezone.now()
    plain, analysis = _count_site_records(site, audience)
    SiteRecordCount.objects.update_or_create(
        site=site,
        reader=reader_key(audience),
        defaults={
            "plain": plain,
            "analysis": analysis,
            "counted_at": at,
            "audit_head": head,
        },
    )
    return RecordCounts(plain, analysis, at, current=head == audit_head_hash())


def count_all_site_records(
    sites: Iterable[Site], *, stale_only: bool = False
) -> Iterator[tuple[Site, RecordCounts]]:
    """Count and store every site's record for each set of readers the
    statistics page may show it to (each role that may export), e.g. after a
    bulk load or from a timer. ``stale_only``: skip the counts still current.
    """
    from imena.accounts.models import Role
    from imena.reports.access import Audience

    for site in sites:
        done: set[str] = set()
        for role in Role.values:
            reader = Audience(
                site.organisation_id,
                User(role=role, is_active=True, organisation_id=site.organisation_id),
            )
            if not reader.can("report.export"):
                continue
            key = reader_key(reader)
            if key in done:
                continue
            done.add(key)
            stored = stored_record_counts(site, reader) if stale_only else None
            if stored is None or not stored.current:
                stored = count_site_records(site, reader)
            yield site, stored


def site_record_counts(site: Site, audience: Audience) -> tuple[int, int]:
    """How many records the site JSON holds without and (extra) with analysis.

    Counted before the export, so an upper bound: a record pointing to one the
    audience may not see is left out of the file. Exact: the stored counts when
    nothing was written since they were counted (every write appends to the
    audit chain), else counted afresh and stored.
    """
    stored = stored_record_counts(site, audience)
    if stored is None or not stored.current:
        stored = count_site_records(site, audience)
    return stored.plain, stored.analysis


def _count_site_records(site: Site, audience: Audience) -> tuple[int, int]:
    plain = analysis = 0
    for model, n in _record_counts(site, audience).items():
        if record_type(model) in ANALYSIS_TYPES:
            analysis += n
        else:
            plain += n
    return plain, analysis


#: Ids per query: below SQLite's and PostgreSQL's limits on query parameters.
_CHUNK = 5000


def _chunks(ids: set[Any]) -> Iterator[list[Any]]:
    items = sorted(ids)
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _pks_where(model: type[models.Model], lookup: str, values: set[Any]) -> set[Any]:
    """Pks of ``model``'s records whose ``lookup`` is one of ``values``."""
    found: set[Any] = set()
    for chunk in _chunks(values):
        found.update(
            model._default_manager.filter(**{lookup: chunk}).values_list(
                "pk", flat=True
            )
        )
    return found


def _values_of(model: type[models.Model], pks: set[Any], attname: str) -> set[Any]:
    """The non-null ``attname`` values of ``model``'s records with these pks."""
    found: set[Any] = set()
    for chunk in _chunks(pks):
        found.update(
            model._default_manager.filter(pk__in=chunk)
            .exclude(**{f"{attname}__isnull": True})
            .values_list(attname, flat=True)
        )
    return found


def _record_counts(site: Site, audience: Audience) -> dict[type[models.Model], int]:
    """How many records of each model ``collect(..., with_analysis=True)`` selects.

    The same closure as :func:`collect` (:func:`_closure`), on id sets read one
    step at a time instead of nested ``IN`` subqueries: counting those (an OR of
    subqueries over every journal row of the country, repeated at each level)
    took seconds a site at national size
    (``test_record_counts_equal_the_collected_querysets``).
    """
    allowed = _visible(audience, with_analysis=True)[0]
    final = _closure(
        allowed,
        set(Site._default_manager.filter(pk=site.pk).values_list("pk", flat=True)),
        set,
        operator.or_,
        lambda m, fk, related: _pks_where(m, f"{fk.name}__in", related),
        _values_of,
    )
    return {
        m: sum(
            m._default_manager.filter(pk__in=chunk).count() for chunk in _chunks(ids)
        )
        for m, ids in final.items()
    }


def _dependency_order(selected: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models so that each comes after those its required foreign keys point to."""
    remaining = sorted(selected, key=lambda m: m._meta.label)
    order: list[type[models.Model]] = []
    while remaining:
        for m in remaining:
            needs = {
                f.related_model
                for f in _fk_fields(m)
                if f.related_model in remaining
                and f.related_model is not m
                and not f.null
            }
            if not needs:
                order.append(m)
                remaining.remove(m)
                break
        else:  # a cycle of required keys cannot be imported at all
            raise ValueError(f"cycle between {[m._meta.label for m in remaining]}")
    return order


# --- Writing ---------------------------------------------------------------------


def _plain_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _model_records(
    model: type[models.Model],
    queryset: models.QuerySet,
    local: dict[type[models.Model], dict[Any, int]],
    usernames: dict[int, str],
) -> list[dict[str, Any]]:
    """One model's records with local ids, users by username."""
    fields = _plain_fields(model)
    m2m = [
        f
        for f in model._meta.many_to_many
        if f.remote_field.through._meta.auto_created  # type: ignore[union-attr]
    ]
    ids = local.setdefault(model, {})
    records = []
    for obj in queryset.iterator(chunk_size=2000):
        record: dict[str, Any] = {}
        dropped = False
        for f in fields:
            value = getattr(obj, f.attname)
            if isinstance(f, models.ForeignKey):
                target = f.related_model
                if value is None:
                    record[f.name] = None
                elif target is Organisation:
                    continue
                elif _is_user(target):
                    record[f.name] = {"user": value}
                elif target is model and value not in ids:
                    record[f.name] = {"later": value}
                elif value in local.get(target, {}):
                    record[f.name] = local[target][value]
                elif f.null:
                    record[f.name] = None
                else:  # points at a record the audience may not see
                    dropped = True
                    break
            else:
                record[f.name] = to_jsonable(value)
        if dropped:
            continue
        for f in m2m:
            targets = local.get(f.related_model, {})
            record[f.name] = sorted(
                targets[pk]
                for pk in getattr(obj, f.name).values_list("pk", flat=True)
                if pk in targets
            )
        ids[obj.pk] = len(ids) + 1
        record["id"] = ids[obj.pk]
        records.append(record)
    # Self references to records met later in pk order, now resolvable; users
    # by username (looked up once each).
    wanted = {
        v["user"]
        for r in records
        for v in r.values()
        if isinstance(v, dict) and "user" in v and v["user"] not in usernames
    }
    if wanted:
        usernames.update(
            User.objects.filter(pk__in=wanted).values_list("pk", "username")
        )
    for record in records:
        for name, value in list(record.items()):
            if isinstance(value, dict) and "later" in value:
                record[name] = ids.get(value["later"])
            elif isinstance(value, dict) and "user" in value:
                record[name] = usernames[value["user"]]
    return records


def _users(usernames: Iterable[str]) -> list[dict[str, Any]]:
    return [
        {
            "username": u.username,
            "first_name": u.first_name,
            "last_name": u.last_name,
            "role": u.role,
        }
        for u in User.objects.filter(username__in=list(usernames)).order_by("username")
    ]


def build_content(
    site: Site, audience: Audience, *, with_analysis: bool = False
) -> dict[str, Any]:
    """The whole content in memory (tests and small sites; files stream)."""
    out_models: list[dict[str, Any]] = []
    collected = collect(site, audience, with_analysis=with_analysis)
    head, users = _walk(site, collected, out_models.append)
    return {**head, "models": out_models, "users": users}


def _walk(
    site: Site,
    collected: Collected,
    emit: Callable[[dict[str, Any]], None],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Call ``emit`` with each model's entry in order; return the other keys."""
    local: dict[type[models.Model], dict[Any, int]] = {}
    usernames: dict[int, str] = {}
    for model in collected.order:
        records = _model_records(model, collected.querysets[model], local, usernames)
        emit({"model": record_type(model), "records": records})
    head = {
        "analysis_omitted": collected.analysis_omitted,
        "organisation": {
            "code": site.organisation.code,
            "name": site.organisation.name,
        },
        "site": site.code,
        "complete": not collected.omitted,
        "omitted": collected.omitted,
    }
    return head, _users(usernames.values())


def content_sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def wrap(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "sha256": content_sha256(content),
        "content": content,
    }


def _compact(value: Any) -> str:
    return canonical_json(value)


def _pretty(value: Any, level: int) -> str:
    """``value`` as ``json.dump(indent=1)`` writes it at nesting ``level``."""
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("\n", "\n" + " " * level)


def write_site_json(
    path: Path, site: Site, audience: Audience, *, with_analysis: bool = False
) -> int:
    """Write the export file model by model; return how many records it holds.

    The file is what ``json.dump(wrap(content), indent=1, sort_keys=True)``
    would write; the SHA-256 of the canonical content is computed as the
    models go by, so the whole content is never held in memory.
    """
    digest = hashlib.sha256()
    rows = 0
    with path.open("w", encoding="utf-8") as f:
        collected = collect(site, audience, with_analysis=with_analysis)
        f.write('{\n "content": {\n  "analysis_omitted": ')
        f.write(_pretty(collected.analysis_omitted, 2))
        f.write(',\n  "complete": ')
        f.write(_pretty(not collected.omitted, 2))
        f.write(',\n  "models": [')
        digest.update(
            (
                '{"analysis_omitted":'
                + _compact(collected.analysis_omitted)
                + ',"complete":'
                + _compact(not collected.omitted)
                + ',"models":['
            ).encode()
        )
        first = True

        def emit(entry: dict[str, Any]) -> None:
            nonlocal first, rows
            rows += len(entry["records"])
            sep = "" if first else ","
            f.write(sep + "\n   " + _pretty(entry, 3))
            digest.update((sep + _compact(entry)).encode())
            first = False

        head, users = _walk(site, collected, emit)
        f.write("\n  ]," if not first else "],")
        digest.update(b"]")
        for key in ("omitted", "organisation", "site", "users"):
            value = users if key == "users" else head[key]
            f.write(f'\n  "{key}": ' + _pretty(value, 2))
            f.write("," if key != "users" else "")
            digest.update(f',"{key}":{_compact(value)}'.encode())
        digest.update(b"}")
        f.write("\n },")
        f.write('\n "exported_at": ' + json.dumps(timezone.now().isoformat()))
        f.write(',\n "format": ' + json.dumps(FORMAT))
        f.write(',\n "sha256": ' + json.dumps(digest.hexdigest()))
        f.write(',\n "version": ' + json.dumps(VERSION))
        f.write("\n}")
    return rows


def export_site_file(
    audience: Audience, site: Site, *, with_analysis: bool = False
) -> ExportFile:
    path = temp_path(".json")
    rows = write_site_json(path, site, audience, with_analysis=with_analysis)
    name = (
        f"{site.code}-site-analysis.json" if with_analysis else f"{site.code}-site.json"
    )
    return export_file(path, filename=name, fmt="json", dataset="site", rows=rows)


# --- Reading -----------------------------------------------------------------------


def read_export(path: Path) -> dict[str, Any]:
    """Parse and check a file; raise ImportRefused naming what is wrong."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ImportRefused(
            _("%(file)s: cannot read: %(err)s") % {"file": path, "err": e}
        ) from None
    try:
        data = loads_untrusted(raw.decode("utf-8"))
    except UnsafeJSON as e:
        raise ImportRefused(
            _("%(file)s: not JSON Imena reads: %(err)s") % {"file": path, "err": e}
        ) from None
    except UnicodeDecodeError:
        raise ImportRefused(_("%(file)s: not UTF-8 text") % {"file": path}) from None
    except json.JSONDecodeError as e:
        raise ImportRefused(
            _(
                "%(file)s: not valid JSON (truncated?) at line %(line)d, column %(col)d: %(msg)s"
            )
            % {"file": path, "line": e.lineno, "col": e.colno, "msg": e.msg}
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused(
            _('%(file)s: not an Imena site export (no "format": "%(fmt)s" marker)')
            % {"file": path, "fmt": FORMAT}
        )
    if data.get("version") != VERSION:
        raise ImportRefused(
            _(
                "%(file)s: export version %(v)s is not supported (this Imena reads %(ours)s)"
            )
            % {"file": path, "v": data.get("version"), "ours": VERSION}
        )
    content = data.get("content")
    if not isinstance(content, dict) or content_sha256(content) != data.get("sha256"):
        raise ImportRefused(
            _(
                "%(file)s: the content does not match its SHA-256: the file was edited or damaged"
            )
            % {"file": path}
        )
    return data


@dataclass
class ImportResult:
    site: Site
    organisation: Organisation
    organisation_created: bool
    counts: dict[str, int]
    sha256: str


def _model_for(label: str) -> type[models.Model]:
    try:
        model = apps.get_model(model_label(label))
    except (LookupError, ValueError):
        raise ImportRefused(
            _("the file holds records of %(model)s, which this Imena does not have")
            % {"model": label}
        ) from None
    if model is not Site and not _travels(model):
        raise ImportRefused(
            _("the file may not hold records of %(model)s") % {"model": label}
        )
    return model


@transaction.atomic
def site_import(
    *, path: Path, organisation_code: str, actor: User | None = None
) -> ImportResult:
    """Import a site export into an organisation, all or nothing."""
    data = read_export(path)
    content = data["content"]
    org = Organisation.objects.filter(code=organisation_code).first()
    created_org = org is None
    if org is None:
        name = organisation_code
        if content.get("organisation", {}).get("code") == organisation_code:
            name = content["organisation"].get("name") or organisation_code
        if Organisation.objects.filter(name=name).exists():
            name = f"{name} ({organisation_code})"
        org = Organisation.objects.create(code=organisation_code, name=name)
    site_code = content.get("site", "")
    if Site.objects.filter(organisation=org, code=site_code).exists():
        raise ImportRefused(
            _("organisation %(org)s already has a site %(site)s; nothing imported")
            % {"org": org.code, "site": site_code}
        )
    users = _import_users(content.get("users", []), org)
    local: dict[type[models.Model], dict[int, int]] = {}
    counts: dict[str, int] = {}
    site: Site | None = None
    for entry in content.get("models", []):
        model = _model_for(entry.get("model", ""))
        objs, deferred, m2m = _build(model, entry.get("records", []), org, users, local)
        try:
            with transaction.atomic():
                created = model._default_manager.bulk_create(objs, batch_size=500)
        except (IntegrityError, DatabaseError) as e:
            first = (
                str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            )
            raise ImportRefused(
                _("%(model)s: the records break a rule of the database: %(err)s")
                % {"model": record_type(model), "err": first}
            ) from None
        ids = local.setdefault(model, {})
        for record, obj in zip(entry["records"], created, strict=True):
            ids[record["id"]] = obj.pk
        _restore_auto_fields(model, created, entry["records"])
        _resolve_deferred(model, created, deferred, ids)
        _set_m2m(model, created, m2m, local)
        counts[record_type(model)] = len(created)
        if model is Site:
            if len(created) != 1:
                raise ImportRefused(_("the file must hold exactly one site"))
            site = created[0]  # type: ignore[assignment]
    if site is None:
        raise ImportRefused(_("the file holds no site"))
    audit_record(
        actor=actor,
        action="site.import",
        obj=site,
        organisation_id=org.pk,
        after={
            "file": path.name,
            "sha256": data["sha256"],
            "counts": counts,
            "os_user": os_user(),
            "organisation_created": created_org,
        },
    )
    return ImportResult(site, org, created_org, counts, data["sha256"])


def _import_users(rows: Iterable[dict[str, Any]], org: Organisation) -> dict[str, User]:
    """Users named in the file; missing ones are created inactive, without a password."""
    found: dict[str, User] = {}
    for row in rows:
        username = str(row.get("username", ""))
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=row.get("first_name", ""),
                last_name=row.get("last_name", ""),
                organisation=org,
                role=row.get("role") or User._meta.get_field("role").default,
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
        elif user.organisation_id != org.pk:
            alias = f"{username}@{org.code}"[:150]
            user, _created = User.objects.get_or_create(
                username=alias,
                defaults={
                    "organisation": org,
                    "is_active": False,
                    "role": user.role,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                },
            )
        found[username] = user
    return found


def _build(
    model: type[models.Model],
    records: list[dict[str, Any]],
    org: Organisation,
    users: dict[str, User],
    local: dict[type[models.Model], dict[int, int]],
) -> tuple[list[models.Model], list[dict[str, int]], list[dict[str, list[int]]]]:
    label = record_type(model)
    objs, deferred, m2m = [], [], []
    for n, record in enumerate(records, start=1):
        if not isinstance(record, dict) or not isinstance(record.get("id"), int):
            raise ImportRefused(
                _("%(model)s record %(n)d has no id") % {"model": label, "n": n}
            )
        obj = model()
        later: dict[str, int] = {}
        links: dict[str, list[int]] = {}
        for name, value in record.items():
            if name == "id":
                continue
            try:
                f = model._meta.get_field(name)
            except FieldDoesNotExist:
                raise ImportRefused(
                    _("%(model)s record %(id)s: unknown field %(field)s")
                    % {"model": label, "id": record["id"], "field": name}
                ) from None
            if f.many_to_many:
                links[name] = list(value or [])
                continue
            if isinstance(f, models.ForeignKey):
                target = f.related_model
                if value is None:
                    setattr(obj, f.attname, None)
                elif _is_user(target):
                    user = users.get(value)
                    setattr(obj, f.attname, user.pk if user else None)
                elif target is model:
                    later[f.attname] = value
                else:
                    pk = local.get(target, {}).get(value)
                    if pk is None:
                        raise ImportRefused(
                            _(
                                "%(model)s record %(id)s: %(field)s points to a missing record"
                            )
                            % {"model": label, "id": record["id"], "field": name}
                        )
                    setattr(obj, f.attname, pk)
                continue
            try:
                setattr(obj, f.attname, None if value is None else f.to_python(value))  # type: ignore[union-attr]
            except ValidationError as e:
                raise ImportRefused(
                    _("%(model)s record %(id)s: bad value for %(field)s: %(err)s")
                    % {
                        "model": label,
                        "id": record["id"],
                        "field": name,
                        "err": "; ".join(e.messages),
                    }
                ) from None
        for f in _fk_fields(model):
            if f.related_model is Organisation:
                setattr(obj, f.attname, org.pk)
        objs.append(obj)
        deferred.append(later)
        m2m.append(links)
    return objs, deferred, m2m


def _restore_auto_fields(
    model: type[models.Model], objs: list[models.Model], records: list[dict[str, Any]]
) -> None:
    """bulk_create stamps auto_now(_add) fields with now; put back the exported times."""
    auto = [
        f
        for f in _plain_fields(model)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if not auto or not objs:
        return
    for obj, record in zip(objs, records, strict=True):
        for f in auto:
            if record.get(f.name) is not None:
                setattr(obj, f.attname, f.to_python(record[f.name]))
    model._default_manager.bulk_update(objs, [f.name for f in auto], batch_size=500)


def _resolve_deferred(
    model: type[models.Model],
    objs: list[models.Model],
    deferred: list[dict[str, int]],
    ids: dict[int, int],
) -> None:
    changed: dict[str, list[models.Model]] = {}
    for obj, later in zip(objs, deferred, strict=True):
        for attname, value in later.items():
            if value not in ids:
                raise ImportRefused(
                    _("%(model)s: a record points to a missing record")
                    % {"model": record_type(model)}
                )
            setattr(obj, attname, ids[value])
            changed.setdefault(attname, []).append(obj)
    for attname, rows in changed.items():
        name = next(f.name for f in _fk_fields(model) if f.attname == attname)
        model._default_manager.bulk_update(rows, [name], batch_size=500)


def _set_m2m(
    model: type[models.Model],
    objs: list[models.Model],
    m2m: list[dict[str, list[int]]],
    local: dict[type[models.Model], dict[int, int]],
) -> None:
    for obj, links in zip(objs, m2m, strict=True):
        for name, values in links.items():
            f = model._meta.get_field(name)
            targets = local.get(f.related_model, {})  # type: ignore[arg-type]
            getattr(obj, name).set([targets[v] for v in values if v in targets])
