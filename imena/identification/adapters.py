"""From Imena's models to the plain inputs of ``engine`` (and small additions).

What ``matching`` lacks and is added here (listed in docs/identification.md):

- ``match_name``: journal name -> missing persons, through the ``linkage``
  name keys (``imena.missing.names.part_keys``) and the birth year;
- ``reconciliation_stats``: the ``ReconciliationStats`` of a site from its latest
  ``ReconcileRun`` and from the confirmed identifications;
- ``estimate_p_unlisted``: "none of these" from the journals;
- ``DNA_EXPECTED_LOG10``: the typical log10 LR of a new reference per relation.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jellyfish
from django.db.models import Count, Q

from imena.exhumations.models import Body, Sample
from imena.exhumations.services import pm_records_as_dicts
from imena.identification.engine import BodyIn, LeadIn, PersonIn
from imena.identification.models import Identification, IdentificationStatus
from imena.journals.models import ClusterMember, PersonCluster, ReviewItem, ReviewKind
from imena.journals.selectors import latest_run_id
from imena.missing.models import MissingPerson, PedigreeMember, Status
from imena.missing.names import part_keys
from imena.missing.records import CHUNK, am_record_as_dict, families_as_case_dicts
from linkage.normalize import is_unknown_name, latin_key
from matching.documentary import ReconciliationStats

if TYPE_CHECKING:
    from imena.accounts.models import Organisation
    from imena.burials.models import Site

#: Typical log10 LR that one new reference profile from this relative gives when
#: the body is the missing person: the mean over 200 gene-dropping simulations
#: with ``kinship`` (23 loci of the simulator's set, NorskDB frequencies,
#: drop-out 0), computed by ``benchmarks/bench_dna_expected.py``. Used for "what
#: would change it most".
DNA_EXPECTED_LOG10: dict[str, float] = {
    "father": 7.4,  # parent: as "mother" (autosomal markers do not tell them apart)
    "mother": 7.4,
    "child": 7.5,
    "full_sibling": 6.5,
    "half_sibling_maternal": 1.8,
    "half_sibling_paternal": 1.8,
    "grandparent": 1.6,
    "uncle_aunt": 1.6,
    "cousin": 0.6,  # not simulated: about a third of the uncle/aunt figure
}


class Latest(enum.Enum):
    RUN = "latest"


#: "The site's latest reconciliation run" (read here), where a caller may
#: pass the run's id (or None: no run) it has read already.
LATEST = Latest.RUN


#: Relations suggested when a person has no references yet, strongest first.
SUGGESTED_RELATIONS = ("mother", "father", "child", "full_sibling")


# --- Names ---------------------------------------------------------------------


@dataclass(frozen=True)
class NameEntry:
    person_id: str
    family: frozenset[str]
    given: frozenset[str]
    patronymic: frozenset[str]
    family_latin: str
    birth_year: int | None


def name_entry(
    person_id: str,
    family: str,
    given: str,
    patronymic: str,
    birth_year: int | None,
    aliases: str = "",
) -> NameEntry:
    g = set(part_keys(given, "given"))
    f = set(part_keys(family, "family"))
    for line in (aliases or "").splitlines():  # other spellings of the given name
        g |= part_keys(line, "given")
    return NameEntry(
        person_id,
        frozenset(f),
        frozenset(g),
        frozenset(part_keys(patronymic, "patronymic")),
        latin_key(family),
        birth_year,
    )


class NameIndex:
    """Missing persons by surname key, for matching journal names."""

    def __init__(self, entries: Iterable[NameEntry]) -> None:
        self.entries = list(entries)
        self._keys: tuple[dict[str, list[NameEntry]], dict[str, list[NameEntry]]]
        self._keys = ({}, {})
        self._built = False

    def _by(self) -> tuple[dict[str, list[NameEntry]], dict[str, list[NameEntry]]]:
        """The entries by surname key and by given-name key, built at the
        first match (the identification worker's register builds an index
        at each update, and most updates match no name)."""
        if not self._built:
            by_family: dict[str, list[NameEntry]] = defaultdict(list)
            by_given: dict[str, list[NameEntry]] = defaultdict(list)
            for e in self.entries:
                for k in e.family:
                    by_family[k].append(e)
                for k in e.given:
                    by_given[k].append(e)
            self._keys, self._built = (dict(by_family), dict(by_given)), True
        return self._keys

    @property
    def by_family(self) -> dict[str, list[NameEntry]]:
        return self._by()[0]

    @property
    def by_given(self) -> dict[str, list[NameEntry]]:
        return self._by()[1]

    def match(
        self, family: str, given: str, patronymic: str, birth_years: Iterable[int]
    ) -> list[str]:
        """Persons whose surname and given name keys meet, birth year within 1.

        A surname that differs by a typo still matches when the given name and
        patronymic keys meet, the birth year agrees and the Latin surname keys
        are close (Jaro-Winkler >= 0.85).
        """
        if not family or is_unknown_name(" ".join((family, given))):
            return []
        years = set(birth_years)
        fk = part_keys(family, "family")
        gk = part_keys(given, "given")
        pk = part_keys(patronymic, "patronymic")

        def year_ok(e: NameEntry, strict: bool) -> bool:
            if e.birth_year is None or not years:
                return not strict
            return any(abs(e.birth_year - y) <= 1 for y in years)

        found: dict[str, NameEntry] = {}
        for k in fk:
            for e in self.by_family.get(k, []):
                if (not gk or e.given & gk or _initial_ok(given, e)) and year_ok(
                    e, False
                ):
                    found[e.person_id] = e
        if not found and gk:
            lk = latin_key(family)
            for k in gk:
                for e in self.by_given.get(k, []):
                    if pk and e.patronymic and not (e.patronymic & pk):
                        continue
                    if not year_ok(e, True):
                        continue
                    if (
                        lk
                        and jellyfish.jaro_winkler_similarity(lk, e.family_latin)
                        >= 0.85
                    ):
                        found[e.person_id] = e
        return sorted(found)


def _initial_ok(given: str, e: NameEntry) -> bool:
    """An initial ("О.") agrees with any given name starting with that letter."""
    g = re.sub(r"[^\w]", "", given or "")
    if len(g) != 1:
        return False
    first = latin_key(g)[:1]
    return any(k.startswith(first) for k in e.given)


def _year(text: str) -> int | None:
    m = re.match(r"(\d{4})", text or "")
    return int(m.group(1)) if m else None


# --- From the models ---------------------------------------------------------------


def open_persons(organisation: Organisation) -> list[Any]:

    return list(
        MissingPerson.objects.filter(
            organisation=organisation, status=Status.OPEN, merged_into__isnull=True
        ).order_by("pk")
    )


def person_inputs(persons: Sequence[Any]) -> list[PersonIn]:
    """The engine's person inputs, with their families read in bulk."""
    ids = [p.pk for p in persons]
    families = families_as_case_dicts(ids)
    relationship: dict[tuple[int, str], str] = {}
    for i in range(0, len(ids), CHUNK):
        for person_id, member_id, rel in PedigreeMember.objects.filter(
            person_id__in=ids[i : i + CHUNK]
        ).values_list("person_id", "member_id", "relationship"):
            relationship[(person_id, member_id)] = rel
    out = []
    for p in persons:
        family: dict[str, Any] | None = families[p.pk]
        # Typed for autosomal STRs, or only for Y-STR / mtDNA (issue 18: the
        # engine keeps a lineage-only family when the organisation has its table).
        typed = {
            m
            for kind in ("genotypes", "ystr", "mtdna")
            for m in (family or {}).get(kind) or {}
        }
        if not family or not typed or not family.get("missing"):
            family = None
        else:
            family["relations"] = sorted(
                relationship.get((p.pk, m)) or "relative" for m in typed
            )
            family["members"] = {
                m: relationship.get((p.pk, m), "") for m in family["id"]
            }
        out.append(PersonIn(str(p.pk), p.case_no, am_record_as_dict(p), family))
    return out


def body_inputs(
    site: Site, only: Iterable[int] | None = None
) -> tuple[list[BodyIn], list[Any]]:
    """The site's current bodies as the engine reads them (``only``: these
    bodies, if current and at the site)."""
    query = Body.objects.current().filter(grave__site=site)
    if only is not None:
        query = query.filter(pk__in=list(only))
    bodies = list(query.select_related("grave").order_by("pm_number"))
    profiles: dict[int, Any] = {}
    for s in Sample.objects.filter(
        body__in=bodies, profile__isnull=False, profile__withdrawn=False
    ).select_related("profile"):
        cur = profiles.get(s.body_id)
        if cur is None or s.profile.loci_typed > cur.loci_typed:  # type: ignore[union-attr]
            profiles[s.body_id] = s.profile
    pm = pm_records_as_dicts(bodies)
    out = []
    for b in bodies:
        prof = profiles.get(b.pk)
        dna = (
            {"sex": prof.sex, "genotypes": prof.genotypes, **prof.lineage_json()}
            if prof is not None
            else None
        )
        out.append(BodyIn(str(b.pk), str(b.grave_id), b.grave.number, pm[b.pk], dna))
    return out, bodies


def name_index(persons: Sequence[Any]) -> NameIndex:
    return NameIndex(
        name_entry(
            str(p.pk),
            p.family_name,
            p.given_names,
            p.patronymic,
            p.birth_year,
            p.aliases,
        )
        for p in persons
    )


def lead_inputs(
    site: Site, index: NameIndex, run: int | None | Latest = LATEST
) -> tuple[list[LeadIn], dict[str, int]]:
    """Reconciled clusters placed on a grave, with the persons their name
    matches. ``run``: the site's latest reconciliation run's id, when read."""

    if run is LATEST:
        run = latest_run_id(site)
    counts = {"named": 0, "matched": 0}
    if run is None:
        return [], counts
    members: dict[int, list[Any]] = defaultdict(list)
    for m in ClusterMember.objects.filter(cluster__run_id=run).select_related(
        "row__journal"
    ):
        members[m.cluster_id].append(m.row)
    out = []
    clusters = PersonCluster.objects.filter(run_id=run, grave__isnull=False)
    for c in clusters.order_by("pk"):
        rows = members.get(c.pk, [])
        if not c.surname or is_unknown_name(c.name):
            continue
        years = {y for y in (_year(r.birth_date) for r in rows) if y}
        persons = index.match(c.surname, c.given_name, c.patronymic, years)
        counts["named"] += 1
        counts["matched"] += bool(persons)
        journals = tuple(sorted({r.journal.name for r in rows})) or ("journal",)
        out.append(LeadIn(str(c.grave_id), c.key, c.name, journals, tuple(persons)))
    return out, counts


def lead_names(site: Site) -> tuple[int | None, list[tuple[str, str, str, set[int]]]]:
    """The latest reconciliation run's id and the names ``lead_inputs``
    matches (surname, given name, patronymic, birth years), in its order."""
    run = latest_run_id(site)
    if run is None:
        return None, []
    years: dict[int, set[int]] = defaultdict(set)
    for cid, born in ClusterMember.objects.filter(cluster__run_id=run).values_list(
        "cluster_id", "row__birth_date"
    ):
        y = _year(born)
        if y:
            years[cid].add(y)
    out = []
    clusters = PersonCluster.objects.filter(run_id=run, grave__isnull=False)
    for c in clusters.order_by("pk"):
        if not c.surname or is_unknown_name(c.name):
            continue
        out.append((c.surname, c.given_name, c.patronymic, years.get(c.pk, set())))
    return run, out


def reconciliation_counts(run: int | None) -> tuple[int, int, int, int]:
    """Of a reconciliation run: the clusters found in two journals or more,
    the conflicts "one name, two graves", the graves those clusters share
    (with the graves of two names) and the conflicts "one grave, two names".
    Fixed for a run: its clusters and review items are stored with it
    (``journals.services``, in the run's transaction) and never changed."""
    if run is None:
        return 0, 0, 0, 0
    # (Two queries: the clusters' counts, the review items'.)
    two = Q(journal_count__gte=2)
    clusters = PersonCluster.objects.filter(run_id=run).aggregate(
        multi=Count("pk", filter=two),
        shared=Count("grave", filter=two & Q(grave__isnull=False), distinct=True),
    )
    items = ReviewItem.objects.filter(run_id=run).aggregate(
        grave=Count("pk", filter=Q(kind=ReviewKind.PERSON_MULTIPLE_GRAVES)),
        name=Count("pk", filter=Q(kind=ReviewKind.GRAVE_MULTIPLE_PEOPLE)),
    )
    return (
        clusters["multi"],
        items["grave"],
        clusters["shared"] + items["name"],
        items["name"],
    )


def reconciliation_stats(
    site: Site,
    run: int | None | Latest = LATEST,
    counts: tuple[int, int, int, int] | None = None,
) -> ReconciliationStats:
    """Conflict shares from the latest run, and what confirmations said of
    leads. ``run``: the latest run's id, when read; ``counts``: its
    ``reconciliation_counts``, when known."""

    if counts is None:
        counts = reconciliation_counts(latest_run_id(site) if run is LATEST else run)
    multi, grave_conflicts, shared, name_conflicts = counts
    confirmed = wrong_grave = wrong_name = 0
    for ident in Identification.objects.filter(
        body__grave__site=site, status=IdentificationStatus.CONFIRMED
    ):
        lead = (ident.evidence or {}).get("journal_lead")
        if not lead:
            continue
        confirmed += 1
        if lead.get("named_here") is False:
            wrong_grave += 1
        if lead.get("other_names_here") and not lead.get("named_here"):
            wrong_name += 1
    return ReconciliationStats(
        multi_journal_clusters=multi,
        grave_conflicts=min(grave_conflicts, multi),
        shared_graves=shared,
        name_conflicts=min(name_conflicts, shared),
        confirmed=confirmed,
        confirmed_wrong_grave=wrong_grave,
        confirmed_wrong_name=wrong_name,
    )


def estimate_p_unlisted(counts: Mapping[str, int], default: float = 0.1) -> float:
    """Share of the journals' named burials that match no open report.

    A body is "none of these" when its person was never reported; the journals
    name most of the dead, so the share of named burials with no report is the
    natural estimate. Bounded to [0.05, 0.9]; ``default`` without journals.
    """
    named = counts.get("named", 0)
    if named < 10:
        return default
    share = 1.0 - counts.get("matched", 0) / named
    return min(0.9, max(0.05, share))
