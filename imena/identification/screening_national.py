"""National screening: every current post-mortem profile of an organisation's
sites against every reference family of its open missing persons.

The database is read in bulk (a few queries per block of families, never one
per person) and families are screened one block at a time
(``kinship.screen.KeptScreen``), so memory holds the victims, one block of
families and the pairs kept so far.  A stored national run is kept up to date
as profiles are stored (``update_national``): a new post-mortem profile screens
its body against every family; a new reference profile screens its family
against every body and changes only the bodies whose kept candidates it
changes (a body whose k-th candidate cannot be known without it is screened
again in full).  The pairs kept follow ``kinship.screen.screen_kept``: the
same labels, markers and order as the per-site screening (``screening.py``).
"""

from __future__ import annotations

import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Exists, OuterRef

from imena.exhumations.models import Sample
from imena.identification.screening import (
    SEP,
    Kept,
    ScreeningOutcome,
    _markers_json,
    canonical_genotypes,
    frequency_table,
    kept_rows,
    score_of,
)
from imena.identification.screening_tables import TableStore, TableWriter
from imena.missing.models import MissingPerson, PedigreeMember, ReferenceSample, Status
from kinship import KinshipError, KinshipWarning, Marker
from kinship.case import Family, Pedigree, Profile, case_from_dict, read_profile
from kinship.screen import KeptScreen, _victim_rows

#: Families read from the database and screened at a time (one block of
#: ``KeptScreen``: bodies x CHUNK scores, 160 MB for 10,000 bodies).
CHUNK = 2048

Progress = Callable[[int, int], None]


@dataclass
class Victims:
    """Bodies with a current post-mortem profile, in PM-number order."""

    bodies: list[tuple[int, str]] = field(default_factory=list)  # (id, PM number)
    sex: list[int] = field(default_factory=list)
    genotypes: list[dict[str, Any]] = field(default_factory=list)

    def profiles(
        self, markers: dict[str, Marker], unknown: set[str]
    ) -> dict[str, Profile]:
        """Kinship profiles keyed by body id (PM numbers need not be unique)."""
        return {
            str(body_id): read_profile(g, label, markers, unknown)
            for (body_id, label), g in zip(self.bodies, self.genotypes, strict=True)
        }


def _current_samples(organisation_id: int) -> Any:
    return Sample.objects.filter(
        body__organisation_id=organisation_id,
        body__grave__site__organisation_id=organisation_id,
        profile__isnull=False,
        profile__withdrawn=False,
        body__withdrawn=False,
        profile__superseded_by__isnull=True,
    )


def pm_body_count(organisation_id: int) -> int:
    """How many bodies ``current_pm_profiles`` returns (bodies with a current
    profile that has genotypes)."""
    return (
        _current_samples(organisation_id)
        .exclude(profile__genotypes={})
        .values("body_id")
        .distinct()
        .count()
    )


def current_pm_profiles(
    organisation_id: int, bodies: Iterable[int] | None = None
) -> Victims:
    """Each body's best current profile (most loci, then newest), as the
    per-site screening chooses it."""
    qs = _current_samples(organisation_id)
    if bodies is not None:
        qs = qs.filter(body_id__in=list(bodies))
    rows = qs.order_by(
        "body__pm_number", "body_id", "-profile__loci_typed", "-profile__pk"
    ).values_list("body_id", "body__pm_number", "profile__sex", "profile__genotypes")
    out = Victims()
    seen: set[int] = set()
    for body_id, label, sex, genotypes in rows.iterator(chunk_size=2000):
        if body_id in seen or not genotypes:
            continue
        seen.add(body_id)
        out.bodies.append((body_id, label))
        out.sex.append(sex)
        out.genotypes.append(canonical_genotypes(genotypes))
    return out


def _eligible_samples(organisation_id: int) -> Any:
    """Reference samples whose profile enters a family's case (as
    ``missing.records.family_as_case_dict`` chooses them)."""
    has_missing = PedigreeMember.objects.filter(
        person_id=OuterRef("member__person_id"), is_missing=True
    )
    return ReferenceSample.objects.filter(
        member__person__organisation_id=organisation_id,
        member__person__status=Status.OPEN,
        member__person__merged_into__isnull=True,
        profile__isnull=False,
        reference_kind="kinship",
        profile__withdrawn=False,
        consent_date__isnull=False,
        consent_withdrawn_date__isnull=True,
    ).filter(Exists(has_missing))


def family_persons(
    organisation_id: int, persons: Iterable[int] | None = None, sex: int = 0
) -> list[tuple[int, str]]:
    """``(id, AM case number)`` of the open persons with a typed reference, by
    case number: the targets, in the per-site screening's order.  ``sex`` (1,
    2): only those whose sex on the pedigree is unknown or ``sex``."""
    qs = MissingPerson.objects.filter(
        pk__in=_eligible_samples(organisation_id).values("member__person_id")
    )
    if persons is not None:
        qs = qs.filter(pk__in=list(persons))
    if sex:
        qs = qs.filter(pedigree__is_missing=True, pedigree__sex__in=[0, sex])
    return list(qs.order_by("case_no", "pk").values_list("pk", "case_no"))


def _families(person_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """``family_as_case_dict`` of many persons in two queries."""
    out: dict[int, dict[str, Any]] = {}
    member_of: dict[int, tuple[int, str]] = {}
    for pk, person_id, member_id, father, mother, sex, missing in (
        PedigreeMember.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "pk")
        .values_list(
            "pk",
            "person_id",
            "member_id",
            "father_id",
            "mother_id",
            "sex",
            "is_missing",
        )
    ):
        fam = out.setdefault(
            person_id,
            {
                "id": [],
                "fid": [],
                "mid": [],
                "sex": [],
                "genotypes": {},
                "missing": None,
            },
        )
        member_of[pk] = (person_id, member_id)
        fam["id"].append(member_id)
        fam["fid"].append(father)
        fam["mid"].append(mother)
        fam["sex"].append(sex)
        if missing and fam["missing"] is None:
            fam["missing"] = member_id
    for fam in out.values():
        fam["fid"] = [member_of[f][1] if f else None for f in fam["fid"]]
        fam["mid"] = [member_of[m][1] if m else None for m in fam["mid"]]
    for member, genotypes in (
        ReferenceSample.objects.filter(
            member__person_id__in=person_ids,
            profile__isnull=False,
            reference_kind="kinship",
            profile__withdrawn=False,
            consent_date__isnull=False,
            consent_withdrawn_date__isnull=True,
        )
        .order_by("pk")
        .values_list("member_id", "profile__genotypes")
    ):
        person_id, member_id = member_of[member]
        out[person_id]["genotypes"][member_id] = {
            k: list(v) for k, v in genotypes.items()
        }
    return out


def _fit(profile: Profile, markers: dict[str, Marker], notes: list[str]) -> Profile:
    """Leave out loci with an allele the markers lack (only possible when a
    stored run's markers screen a newer profile)."""
    out = {}
    for locus, g in profile.items():
        if all(markers[locus].has(a) for a in g):
            out[locus] = g
        else:
            notes.append(
                f"{locus} {'/'.join(g)}: allele not in the run's markers; left out"
            )
    return out


def targets_for(
    persons: Sequence[tuple[int, str]],
    markers: dict[str, Marker],
    unknown: set[str],
    notes: list[str],
) -> tuple[list[tuple[Family, str]], list[int], list[int]]:
    """Kinship targets of ``persons`` (labels as ``build_case_for_site``).

    Returns the targets, their persons' ids and the missing persons' sexes;
    a family that kinship refuses is left out with a note.
    """
    families = _families([pk for pk, _c in persons])
    targets: list[tuple[Family, str]] = []
    ids: list[int] = []
    sexes: list[int] = []
    for pk, case_no in persons:
        fam = families.get(pk)
        if not fam or not fam["genotypes"] or not fam["missing"]:
            continue

        def label(member: str | None, key: str = case_no) -> str | None:
            return None if member is None else f"{key}{SEP}{member}"

        try:
            ped = Pedigree.from_lists(
                [label(i) for i in fam["id"]],  # type: ignore[misc]
                [label(i) for i in fam["fid"]],
                [label(i) for i in fam["mid"]],
                fam["sex"],
                name=f"family {case_no}",
            )
            genos = {
                str(label(m)): _fit(
                    read_profile(
                        canonical_genotypes(g), str(label(m)), markers, unknown
                    ),
                    markers,
                    notes,
                )
                for m, g in fam["genotypes"].items()
            }
            missing = str(label(fam["missing"]))
            if genos.get(missing):
                raise KinshipError(f"family {case_no}: missing person is typed")
        except KinshipError as e:
            notes.append(str(e))
            continue
        targets.append((Family(case_no, ped, genos), missing))
        ids.append(pk)
        sexes.append(ped.sex[ped.index(missing)])
    return targets, ids, sexes


def build_markers(
    organisation_id: int, victims: Victims, mutation: str, mutation_rate: float
) -> list[dict[str, Any]]:
    """The run's markers as case JSON: the loci typed in any profile screened,
    with alleles outside the frequency table added (``extend_markers``)."""
    table = frequency_table()
    loci: set[str] = set()
    extra: dict[str, dict[str, None]] = defaultdict(dict)
    everything = dict(table)

    def see(genotypes: dict[str, Any]) -> None:
        prof = read_profile(
            canonical_genotypes(genotypes), "profile", everything, set()
        )
        for locus, g in prof.items():
            loci.add(locus)
            for a in g:
                if not table[locus].has(a):
                    extra[locus][a] = None

    for g in victims.genotypes:
        see(g)
    if victims.bodies:
        samples = _eligible_samples(organisation_id).values_list(
            "profile__genotypes", flat=True
        )
        for g in samples.iterator(chunk_size=2000):
            see(g)
    out = _markers_json(loci, mutation, mutation_rate)
    for entry in out:
        added = [a for a in extra.get(entry["name"], {}) if a not in entry["alleles"]]
        if added:
            marker = markers_from_json([entry])[entry["name"]]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", KinshipWarning)
                marker = marker.with_alleles(added)
            entry["alleles"] = list(marker.alleles)
            entry["afreq"] = [float(x) for x in marker.freqs]
    return out


def markers_from_json(data: list[dict[str, Any]]) -> dict[str, Marker]:
    """Markers from the case JSON ``markers`` list (as stored on a run)."""
    return case_from_dict({"markers": data, "pm": {}, "am": {}, "missing": []}).markers


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def screen_bodies(
    organisation_id: int,
    victims: Victims,
    markers: dict[str, Marker],
    params: dict[str, Any],
    *,
    progress: Progress | None = None,
    one_sex: bool = False,
    writer: TableWriter | None = None,
) -> tuple[list[Kept], int, int, list[str]]:
    """Screen ``victims`` against every family; return the kept rows, the
    number of families, of pairs, and notes (``one_sex``: see below;
    ``writer``: keeps each block's family tables, ``screening_tables``)."""
    notes: list[str] = []
    unknown: set[str] = set()
    profiles = victims.profiles(markers, unknown)
    run = KeptScreen(
        profiles,
        markers,
        threshold=params["threshold"],
        top_k=params["top_k"],
        dropout=params["dropout"],
        theta=params["theta"],
        victim_sex=victims.sex,
    )
    # Families of the other sex are never kept: with ``one_sex`` they are not
    # read when every body has the same known sex.
    body_sexes = set(victims.sex)
    one = body_sexes.pop() if one_sex and len(body_sexes) == 1 else 0
    persons = family_persons(organisation_id, sex=one)
    person_ids: list[int] = []
    done = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KinshipWarning)
        for part in _chunks(persons):
            targets, ids, sexes = targets_for(part, markers, unknown, notes)
            if writer is not None:
                run.on_table = lambda table, _usable, i=ids, x=sexes: writer.add(
                    table, i, x
                )
            run.add(targets, sexes)
            person_ids += ids
            done += len(part)
            if progress is not None:
                progress(done, len(persons))
    kept = run.result()
    rows = kept_rows(kept, victims.bodies, person_ids, params["threshold"])
    if unknown:
        notes.append(
            f"locus/loci {', '.join(sorted(unknown))} not in the marker set; skipped"
        )
    notes += sorted({str(w.message) for w in caught})
    return rows, len(person_ids), kept.n_pairs, notes


def screen_bodies_stored(
    organisation_id: int,
    victims: Victims,
    markers: dict[str, Marker],
    params: dict[str, Any],
    store: TableStore,
) -> tuple[list[Kept], list[str]]:
    """``screen_bodies(..., one_sex=True)`` for a few bodies of one sex, with
    the families' tables read from ``store`` (a full run's).

    The stored float32 scores, with their error bound, find the families that
    may be kept for a body (a score that may reach the body's k-th best
    lower bound or the threshold); only those, and the families changed or
    added since the run, are screened exactly, in the order of a full
    screening, so the kept rows are those of ``screen_bodies``.
    """
    notes: list[str] = []
    unknown: set[str] = set()
    profiles = victims.profiles(markers, unknown)
    mlist = list(markers.values())
    _names, rows, _missing = _victim_rows(profiles, mlist)
    body_sexes = set(victims.sex)
    one = body_sexes.pop() if len(body_sexes) == 1 else 0
    persons = family_persons(organisation_id, sex=one)
    stored = [pid for pid, _c in persons if store.usable(pid)]
    keep = {pid for pid, _c in persons if not store.usable(pid)}
    if stored:
        score, error = store.approximate(rows, stored)
        vsex = np.asarray(victims.sex, dtype=np.int64)
        tsex = np.asarray([store.sex_of(pid) for pid in stored], dtype=np.int64)
        other = (
            (vsex[:, None] != tsex[None, :]) & (vsex[:, None] > 0) & (tsex > 0)[None]
        )
        score[other] = -np.inf
        k = max(1, int(params["top_k"]))
        log_thr = np.log(params["threshold"]) if params["threshold"] > 0 else -np.inf
        low = score - error
        if low.shape[1] >= k:
            kth = -np.partition(-low, k - 1, axis=1)[:, k - 1]
        else:
            kth = np.full(len(victims.bodies), -np.inf)
        cut = np.minimum(kth, log_thr)
        may = ((score + error) >= cut[:, None]) & np.isfinite(score)
        keep |= {stored[j] for j in np.nonzero(may.any(axis=0))[0].tolist()}
    part = [(pid, case_no) for pid, case_no in persons if pid in keep]
    run = KeptScreen(
        profiles,
        markers,
        threshold=params["threshold"],
        top_k=params["top_k"],
        dropout=params["dropout"],
        theta=params["theta"],
        victim_sex=victims.sex,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KinshipWarning)
        targets, ids, sexes = targets_for(part, markers, unknown, notes)
        run.add(targets, sexes)
    rows_kept = kept_rows(run.result(), victims.bodies, ids, params["threshold"])
    if unknown:
        notes.append(
            f"locus/loci {', '.join(sorted(unknown))} not in the marker set; skipped"
        )
    notes += sorted({str(w.message) for w in caught})
    return rows_kept, notes


def screen_national(
    organisation_id: int,
    params: dict[str, Any],
    *,
    progress: Progress | None = None,
    writer: TableWriter | None = None,
) -> tuple[ScreeningOutcome, list[dict[str, Any]]]:
    """A full national screening; returns the outcome and the markers used
    (``writer``: keeps the family tables for later updates)."""
    started = time.perf_counter()
    victims = current_pm_profiles(organisation_id)
    marker_json = build_markers(
        organisation_id, victims, params["mutation"], params["mutation_rate"]
    )
    markers = markers_from_json(marker_json)
    rows, n_families, n_pairs, notes = screen_bodies(
        organisation_id, victims, markers, params, progress=progress, writer=writer
    )
    out = ScreeningOutcome(
        kept=rows,
        bodies=len(victims.bodies),
        families=n_families,
        missing_persons=n_families,
        pairs=n_pairs,
        above_threshold=sum(1 for r in rows if r.lr >= params["threshold"]),
        warnings=notes,
    )
    out.seconds = time.perf_counter() - started
    return out, marker_json


@dataclass
class StoredRow:
    """A stored candidate of a national run, as the update needs it."""

    person_id: int
    case_no: str
    score: float
    pk: int | None = None  # stored: its row
    kept: Kept | None = None  # new: what to store
    rank: int = 0


@dataclass
class Update:
    """What ``update_national`` decided: the new rows of the bodies it changes."""

    rows: dict[int, list[StoredRow]] = field(default_factory=dict)  # body id -> rows
    bodies: int = 0
    rescreened: int = 0
    notes: list[str] = field(default_factory=list)
    stored_tables: bool = False  # the rescreened bodies used ``TableStore``


def _rank(kept: list[StoredRow]) -> list[StoredRow]:
    kept.sort(key=lambda r: (-r.score, r.case_no, r.person_id))
    for rank, r in enumerate(kept, start=1):
        r.rank = rank
        if r.kept is not None:
            r.kept.rank = rank
    return kept


def update_national(
    run: Any,
    stored: dict[int, list[StoredRow]],
    *,
    bodies: set[int],
    persons: set[int],
) -> Update:
    """The new rows of the bodies of a national ``run`` that the profiles just
    stored change: ``bodies`` got a post-mortem profile, ``persons`` a
    reference profile.

    ``stored`` holds the run's rows per body (``StoredRow`` with ``kept`` None;
    rows of other bodies are read from it only).  The screening parameters and
    markers are the run's.  Exact: the result equals a full run's rows for the
    same data, as long as the new profiles' loci and alleles are in the run's
    markers (others are left out, with a note).
    """
    org = run.organisation_id
    params = run.parameters
    markers = markers_from_json(run.markers)
    update = Update()
    unknown: set[str] = set()
    k = max(1, run.top_k)
    log_thr = float(np.log(run.threshold))
    # Without reference profiles only the new post-mortem profiles' bodies
    # are read (the others keep their rows).
    victims = current_pm_profiles(org, None if persons else bodies)
    index = {b: i for i, (b, _l) in enumerate(victims.bodies)}
    rescreen = {b for b in bodies if b in index}
    for b in bodies - rescreen:
        update.rows[b] = []  # no current profile any more
    changed_persons = family_persons(org, persons) if persons else []
    if changed_persons:
        targets, ids, sexes = targets_for(
            changed_persons, markers, unknown, update.notes
        )
        case_of = dict(changed_persons)
        # Each body's smallest kept score: a changed family scoring less than
        # it is not a candidate of the body.
        floor = np.full(len(victims.bodies), -np.inf)
        for i, (body_id, _label) in enumerate(victims.bodies):
            scores = sorted((r.score for r in stored.get(body_id, [])), reverse=True)
            if len(scores) >= k:
                floor[i] = min(log_thr, scores[k - 1])
        all_pairs = KeptScreen(
            victims.profiles(markers, unknown),
            markers,
            dropout=run.dropout,
            theta=run.theta,
            victim_sex=victims.sex,
            floor=floor,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", KinshipWarning)
            all_pairs.add(targets, sexes)
        pairs = all_pairs.result()
        new = kept_rows(pairs, victims.bodies, ids, run.threshold)
        new_by_body: dict[int, list[StoredRow]] = defaultdict(list)
        for row in new:
            new_by_body[row.body_id].append(
                StoredRow(
                    row.person_id,
                    case_of[row.person_id],
                    score_of(row.log10_lr, row.inconsistent),
                    kept=row,
                )
            )
        for i, (body_id, _label) in enumerate(victims.bodies):
            if body_id in rescreen:
                continue
            old = stored.get(body_id, [])
            cut_old = floor[i]
            incoming = new_by_body.get(body_id, [])
            gone = any(r.person_id in persons for r in old)
            if not gone and not any(r.score >= cut_old for r in incoming):
                continue  # neither in the body's candidates before nor now
            known = [r for r in old if r.person_id not in persons] + incoming
            above = sum(1 for r in known if r.score >= cut_old)
            if cut_old > -np.inf and above < k:
                rescreen.add(body_id)  # the k-th candidate is not stored
                continue
            ranked = sorted((r.score for r in known), reverse=True)
            cut = min(log_thr, ranked[k - 1]) if len(ranked) >= k else -np.inf
            kept = [r for r in known if r.score >= cut]
            update.rows[body_id] = _rank(kept)
    update.rescreened = len(rescreen)
    store = TableStore.open(run) if rescreen else None
    by_sex: dict[int, list[int]] = defaultdict(list)
    for b in sorted(rescreen, key=index.__getitem__):
        by_sex[victims.sex[index[b]]].append(index[b])
    for group in by_sex.values():  # one pass over the families per sex
        some = Victims(
            [victims.bodies[i] for i in group],
            [victims.sex[i] for i in group],
            [victims.genotypes[i] for i in group],
        )
        if store is not None:
            rows, notes = screen_bodies_stored(org, some, markers, params, store)
            update.stored_tables = True
        else:
            rows, _n, _p, notes = screen_bodies(
                org, some, markers, params, one_sex=True
            )
        update.notes += notes
        for i in group:
            update.rows[victims.bodies[i][0]] = []
        for row in rows:
            update.rows[row.body_id].append(
                StoredRow(row.person_id, "", 0.0, kept=row, rank=row.rank)
            )
    update.bodies = len(victims.bodies) if persons else pm_body_count(org)
    if unknown:
        update.notes.append(
            f"locus/loci {', '.join(sorted(unknown))} not in the run's markers; "
            "left out until the next full screening"
        )
    return update
