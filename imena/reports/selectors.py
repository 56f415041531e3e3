"""Reads for reports: one function per data source.

Reports sit above the record-keeping apps and read their models directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django.db.models import Count, F, Field, Model, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from imena.burials.models import Grave, GraveKind, GraveStatus, Site
from imena.evidence.models import EvidenceItem
from imena.exhumations.models import (
    Body,
    BodyCategory,
    PostMortemRecord,
)
from imena.identification.models import Identification, IdentificationStatus
from imena.journals.models import JournalRow, ReconcileRun, ReviewItem, ReviewKind
from imena.missing.models import MissingPerson
from imena.missing.models import Status as MissingStatus
from imena.reports.svg import STATUS_COLOURS, Bar, PlanGrave

if TYPE_CHECKING:
    from imena.reports.access import Audience

EXHUMED_OR_LATER = [
    GraveStatus.EXHUMED,
    GraveStatus.AT_MORGUE,
    GraveStatus.IDENTIFIED,
    GraveStatus.RETURNED,
]


def url_or_blank(name: str, *args: Any, query: dict[str, Any] | None = None) -> str:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


@dataclass
class Figure:
    label: str
    value: int
    url: str = ""
    colour: str = "#1f4e79"


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    available: bool = True
    note: str = ""
    chart: bool = True

    def bars(self) -> list[Bar]:
        return [Bar(f.label, f.value, f.url, f.colour) for f in self.figures]


@dataclass
class Scope:
    """What a statistics page covers: one site, a region, or all sites."""

    audience: Audience
    sites: QuerySet[Site]
    site: Site | None = None  # set when the scope is one site
    title: str = ""

    @property
    def site_ids(self) -> QuerySet[Site] | list[int]:
        """The scope's sites for a ``site__in`` lookup. One site is its id, so
        that each count reads that site's rows through the site index (as a
        subquery the planner expected one body of the country and joined every
        body instead)."""
        return [self.site.pk] if self.site is not None else self.sites

    def graves(self) -> QuerySet[Grave]:
        return Grave.objects.filter(site__in=self.site_ids, withdrawn=False)


def _site_link(scope: Scope, **query: Any) -> str:
    """The site page filtered, for users who may see it (one-site scope only)."""
    if scope.site is None or not scope.audience.can("site.view"):
        return ""
    return url_or_blank("burials:site_detail", scope.site.pk, query=query or None)


# --- Sources -------------------------------------------------------------------


def graves_section(scope: Scope) -> Section:
    graves = scope.graves()
    by_status = dict(
        graves.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    total = sum(by_status.values())
    exhumed = sum(by_status.get(s, 0) for s in EXHUMED_OR_LATER)
    mass = graves.filter(kind=GraveKind.MASS).count()
    figures = [
        Figure(_("Graves registered"), total, _site_link(scope)),
        Figure(_("Graves exhumed (or later)"), exhumed),
        Figure(_("Mass graves"), mass, _site_link(scope, kind=GraveKind.MASS)),
    ]
    figures += [
        Figure(
            str(label),
            by_status.get(value, 0),
            _site_link(scope, status=value),
            STATUS_COLOURS[value],
        )
        for value, label in GraveStatus.choices
    ]
    return Section("graves", _("Graves"), figures)


# --- Bodies and post-mortem findings (imena.exhumations) ---------------------------

SEX_GROUPS: list[tuple[str, Any, list[str]]] = [
    ("male", gettext_lazy("Male (incl. probable)"), ["male", "probable_male"]),
    ("female", gettext_lazy("Female (incl. probable)"), ["female", "probable_female"]),
    ("undetermined", gettext_lazy("Sex undetermined"), ["indeterminate", ""]),
]
AGE_GROUPS: list[tuple[str, Any, int, int]] = [
    ("under18", gettext_lazy("Under 18"), 0, 18),
    ("18-39", gettext_lazy("18–39"), 18, 40),
    ("40-59", gettext_lazy("40–59"), 40, 60),
    ("60plus", gettext_lazy("60 and over"), 60, 200),
]


def current_bodies() -> QuerySet[Body]:
    """Bodies not withdrawn (a body recorded in error counts nowhere)."""
    return Body.objects.filter(withdrawn=False)


def scope_bodies(scope: Scope) -> QuerySet[Body]:
    return current_bodies().filter(grave__site__in=scope.site_ids)


def body_filter(key: str, value: str) -> Q | None:
    """The bodies behind one figure; None for an unknown key."""
    if key == "sex":
        for code, _label, values in SEX_GROUPS:
            if code == value:
                cond = Q(pm__sex__in=[v for v in values if v])
                if "" in values:
                    cond |= Q(pm__sex="") | Q(pm__isnull=True)
                return cond
    if key == "age":
        if value == "unknown":
            return Q(pm__age_min__isnull=True) | Q(pm__age_max__isnull=True)
        for code, _label, low, high in AGE_GROUPS:
            if code == value:
                # Groups by the middle of the estimated range, in whole years.
                return Q(pm_age_mid__gte=low * 2, pm_age_mid__lt=high * 2)
    if key in ("cause", "manner"):
        field_name = "cause_of_death" if key == "cause" else "manner_of_death"
        if value == "unknown":
            return Q(**{f"pm__{field_name}": ""}) | Q(pm__isnull=True)
        return Q(**{f"pm__{field_name}": value})
    if key == "torture":
        TortureSign = _torture_signs()
        if value == "any":
            cond = Q(
                pm__torture_consistency__in=[
                    "consistent",
                    "highly_consistent",
                    "typical",
                    "diagnostic",
                ]
            )
            for sign in TortureSign:
                cond |= Q(**{f"pm__{sign}": True})
            return cond
        if value in TortureSign:
            return Q(**{f"pm__{value}": True})
    if key == "category" and value in _category_labels():
        return Q(category=value)
    if key == "all":
        return Q()
    return None


def _category_labels() -> dict[str, str]:
    return {str(k): str(v) for k, v in BodyCategory.choices}


#: The post-mortem record's torture indicators (boolean fields), in display order.
TORTURE_SIGNS = [
    "ligature_marks",
    "bound_hands",
    "gunshot_wounds",
    "blunt_force",
    "fractures",
    "burn_marks",
]


def _torture_signs() -> list[str]:
    return TORTURE_SIGNS


def _model_field(model: type[Model], name: str) -> Field[Any, Any]:
    return cast("Field[Any, Any]", model._meta.get_field(name))


def _sign_label(sign: str) -> str:
    return str(_model_field(PostMortemRecord, sign).verbose_name)


def annotate_age(bodies: QuerySet[Any]) -> QuerySet[Any]:
    return bodies.annotate(pm_age_mid=F("pm__age_min") + F("pm__age_max"))


def _records_link(scope: Scope, key: str, value: str) -> str:
    if scope.site is None or not scope.audience.can("postmortem.view"):
        return ""
    return url_or_blank(
        "reports:site_records",
        scope.site.pk,
        query={"source": "bodies", "key": key, "value": value},
    )


def _vocab_labels(field_name: str) -> dict[str, str]:
    choices = _model_field(PostMortemRecord, field_name).choices or []
    return {str(k): str(v) for k, v in choices}


def _count_each(bodies: QuerySet[Any], conditions: dict[str, Q]) -> dict[str, int]:
    """How many of ``bodies`` meet each condition, in one pass over them (one
    query, not one per figure: each reads the site's bodies and their records)."""
    if not conditions:
        return {}
    return bodies.order_by().aggregate(
        **{
            key: Count("pk", filter=cond or None, distinct=True)
            for key, cond in conditions.items()
        }
    )


def bodies_section(scope: Scope) -> Section:
    title = _("Bodies by sex and age group")
    conditions: dict[str, Q] = {"total": Q()}
    for code, _label, _values in SEX_GROUPS:
        conditions[f"sex:{code}"] = body_filter("sex", code) or Q()
    for code, _label, _low, _high in AGE_GROUPS:
        conditions[f"age:{code}"] = body_filter("age", code) or Q()
    conditions["age:unknown"] = body_filter("age", "unknown") or Q()
    n = _count_each(annotate_age(scope_bodies(scope)), conditions)
    figures = [
        Figure(
            _("Bodies recovered (PM numbers)"),
            n["total"],
            _records_link(scope, "all", "all"),
        )
    ]
    for code, label, _values in SEX_GROUPS:
        figures.append(
            Figure(
                str(label),
                n[f"sex:{code}"],
                _records_link(scope, "sex", code),
                "#6a3d9a",
            )
        )
    for code, label, _low, _high in AGE_GROUPS:
        figures.append(
            Figure(
                str(label),
                n[f"age:{code}"],
                _records_link(scope, "age", code),
                "#0072b2",
            )
        )
    figures.append(
        Figure(
            _("Age not estimated"),
            n["age:unknown"],
            _records_link(scope, "age", "unknown"),
            "#8c96a0",
        )
    )
    return Section("bodies", title, figures)


CATEGORY_COLOURS = {"civilian": "#0072b2", "military": "#556b2f", "unknown": "#8c96a0"}


def category_section(scope: Scope) -> Section:
    """Civilians and soldiers, where the post-mortem evidence shows it."""
    title = _("Civilians and military")
    bodies = scope_bodies(scope)
    labels = _category_labels()
    counts = dict(
        bodies.order_by()
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    figures = [
        Figure(
            label,
            counts.get(code, 0),
            _records_link(scope, "category", code),
            CATEGORY_COLOURS.get(code, "#1f4e79"),
        )
        for code, label in labels.items()
    ]
    note = _(
        "Military only where the body shows it (uniform, camouflage clothing, "
        "military identity document) or the examiner recorded it; otherwise "
        "unknown. Withdrawn bodies are not counted."
    )
    if scope.site is None and scope.audience.can("postmortem.view"):
        # Several sites: one figure per site and category, linking to its records.
        per_site = (
            bodies.order_by()
            .values_list("grave__site_id", "category")
            .annotate(n=Count("id"))
        )
        by_site: dict[int, dict[str, int]] = {}
        for site_id, code, n in per_site:
            by_site.setdefault(site_id, {})[code] = n
        for site in scope.sites.filter(pk__in=list(by_site)).order_by("region", "name"):
            for code, label in labels.items():
                n = by_site[site.pk].get(code, 0)
                if not n:
                    continue
                figures.append(
                    Figure(
                        f"{site.name}: {label}",
                        n,
                        url_or_blank(
                            "reports:site_records",
                            site.pk,
                            query={
                                "source": "bodies",
                                "key": "category",
                                "value": code,
                            },
                        ),
                        CATEGORY_COLOURS.get(code, "#1f4e79"),
                    )
                )
        return Section("category", title, figures, note=note, chart=False)
    return Section("category", title, figures, note=note)


def findings_section(scope: Scope) -> Section:
    title = _("Cause and manner of death, torture indicators")
    bodies = scope_bodies(scope)
    figures: list[Figure] = []
    for key, field_name, heading in (
        ("cause", "cause_of_death", _("Cause")),
        ("manner", "manner_of_death", _("Manner")),
    ):
        labels = _vocab_labels(field_name)
        counts = dict(
            bodies.order_by()
            .values_list(f"pm__{field_name}")
            .annotate(n=Count("id"))
            .values_list(f"pm__{field_name}", "n")
        )
        for value, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            code = value or "unknown"
            label = labels.get(value or "", _("not recorded"))
            figures.append(
                Figure(
                    f"{heading}: {label}", n, _records_link(scope, key, code), "#9b1c1c"
                )
            )
    signs = _torture_signs()
    if signs:
        labels = {s: _sign_label(s) for s in signs}
        conditions = {"any": body_filter("torture", "any") or Q()}
        conditions.update({sign: Q(**{f"pm__{sign}": True}) for sign in signs})
        n = _count_each(bodies, conditions)
        figures.append(
            Figure(
                _("Bodies with any torture indicator"),
                n["any"],
                _records_link(scope, "torture", "any"),
                "#000",
            )
        )
        for sign in signs:
            figures.append(
                Figure(
                    _("Torture indicator: %(sign)s") % {"sign": labels[sign]},
                    n[sign],
                    _records_link(scope, "torture", sign),
                    "#5b1c1c",
                )
            )
    return Section("findings", title, figures)


def records_behind(scope: Scope, key: str, value: str) -> QuerySet[Any] | None:
    """The bodies behind a figure of the bodies/findings sections."""
    bodies: QuerySet[Any] = scope_bodies(scope)
    cond = body_filter(key, value)
    if cond is None:
        return None
    if key == "age":
        bodies = annotate_age(bodies)
    return bodies.filter(cond).distinct().select_related("grave").order_by("pm_number")


# --- Journals (imena.journals) -------------------------------------------------------


def journals_section(scope: Scope) -> Section:
    title = _("Burial journal coverage")
    graves = scope.graves()
    per_grave = dict(
        JournalRow.objects.filter(grave__in=graves)
        .order_by()
        .values_list("grave_id")
        .annotate(n=Count("journal_id", distinct=True))
        .values_list("grave_id", "n")
    )
    total = graves.count()
    one = sum(1 for n in per_grave.values() if n == 1)
    two = sum(1 for n in per_grave.values() if n >= 2)
    figures = [
        Figure(_("Graves with a name in no journal"), total - one - two),
        Figure(_("Graves with a name in one journal"), one),
        Figure(_("Graves with a name in two or more journals"), two),
    ]
    note = ""
    if scope.site is not None:
        run = ReconcileRun.objects.filter(site=scope.site).order_by("-pk").first()
        if run is None:
            note = _("No reconciliation run yet: conflicts are not counted.")
        else:
            kinds = {str(k): str(v) for k, v in ReviewKind.choices}
            counts = dict(
                ReviewItem.objects.filter(run=run)
                .order_by()
                .values_list("kind")
                .annotate(n=Count("id"))
                .values_list("kind", "n")
            )
            for kind, label in kinds.items():
                figures.append(
                    Figure(
                        _("Conflicts: %(kind)s") % {"kind": label},
                        counts.get(kind, 0),
                        url_or_blank("journals:index")
                        if scope.audience.can("journal.view")
                        else "",
                        "#8a4b00",
                    )
                )
    return Section("journals", title, figures, note=note)


# --- Identifications (imena.identification) ------------------------------------------


def identifications_section(scope: Scope) -> Section:
    title = _("Identifications")
    counts = dict(
        Identification.objects.filter(body__grave__site__in=scope.site_ids)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    link = (
        url_or_blank("identification:index")
        if scope.audience.can("identification.view")
        else ""
    )
    figures = [
        Figure(str(label), counts.get(code, 0), link, "#009e73")
        for code, label in IdentificationStatus.choices
    ]
    return Section("identifications", title, figures)


# --- Missing persons (imena.missing) ----------------------------------------------------


def missing_section(scope: Scope) -> Section:
    title = _("Missing persons")
    people = MissingPerson.objects.filter(
        organisation_id=scope.audience.organisation_id, merged_into__isnull=True
    )
    counts = dict(
        people.order_by()
        .values_list("status")
        # COUNT(*), not of the id: read from the index of unmerged reports alone.
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    labels = {str(k): str(v) for k, v in MissingStatus.choices}
    index = url_or_blank("missing:index") if scope.audience.can("missing.view") else ""
    figures = [
        Figure(_("Missing persons, open"), counts.get("open", 0), index, "#8a4b00"),
    ]
    figures += [
        Figure(label, counts.get(code, 0), "", "#1f4e79")
        for code, label in labels.items()
        if code != "open"
    ]
    return Section(
        "missing",
        title,
        figures,
        note=_("For the whole organisation: missing persons belong to no site."),
    )


SECTIONS: list[tuple[str, Any]] = [
    # (capability needed to see the section, source)
    ("site.view", graves_section),
    ("postmortem.view", bodies_section),
    ("postmortem.view", category_section),
    ("postmortem.view", findings_section),
    ("journal.view", journals_section),
    ("identification.view", identifications_section),
    ("missing.view", missing_section),
]


def statistics(scope: Scope) -> list[Section]:
    """Every section the audience may see, in a fixed order."""
    return [source(scope) for cap, source in SECTIONS if scope.audience.can(cap)]


@dataclass
class SiteRow:
    site: Site
    total: int
    by_status: dict[str, int]

    def cells(self) -> Iterator[tuple[str, int]]:
        for value, _label in GraveStatus.choices:
            yield value, self.by_status.get(value, 0)


def per_site(sites: QuerySet[Site]) -> list[SiteRow]:
    """Graves by status for each site, in two queries."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        Grave.objects.filter(site__in=sites, withdrawn=False)
        .order_by()
        .values_list("site_id", "status")
        .annotate(n=Count("id"))
    )
    for site_id, status, n in rows:
        counts.setdefault(site_id, {})[status] = n
    return [
        SiteRow(s, sum(counts.get(s.pk, {}).values()), counts.get(s.pk, {}))
        for s in sites.order_by("region", "name")
    ]


def regions(sites: QuerySet[Site]) -> list[tuple[str, int]]:
    return list(
        sites.order_by("region")
        .values_list("region")
        .annotate(n=Count("id"))
        .values_list("region", "n")
    )


def plan_graves(site: Site) -> Iterator[PlanGrave]:
    """The graves on a site's plan, as light tuples (no model instances)."""
    rows = (
        Grave.objects.filter(site=site, withdrawn=False)
        .order_by("ref")
        .values_list(
            "pk",
            "ref",
            "marker_text",
            "kind",
            "status",
            "x",
            "y",
            "lat",
            "lon",
            "bodies_expected",
        )
    )
    for row in rows.iterator(chunk_size=5000):
        yield PlanGrave(*row)


def withdrawn_count(site: Site) -> int:
    return Grave.objects.filter(site=site, withdrawn=True).count()


def missing_export_url() -> str:
    """The missing-persons app's PFIF export."""
    return reverse("missing:pfif_export")


def findings_by_grave(site: Site) -> dict[int, str]:
    """A short text of the post-mortem findings of each grave (grave pk -> text)."""
    causes = _vocab_labels("cause_of_death")
    manners = _vocab_labels("manner_of_death")
    signs = _torture_signs()
    sign_labels = {s: _sign_label(s) for s in signs}
    out: dict[int, list[str]] = {}
    rows = (
        current_bodies()
        .filter(grave__site=site)
        .order_by("pm_number")
        .values_list(
            "grave_id",
            "pm_number",
            "pm__cause_of_death",
            "pm__manner_of_death",
            *[f"pm__{s}" for s in signs],
        )
    )
    for grave_id, pm_number, cause, manner, *flags in rows.iterator(chunk_size=5000):
        parts = [pm_number]
        if cause:
            parts.append(_("cause: %(c)s") % {"c": causes.get(cause, cause)})
        if manner:
            parts.append(_("manner: %(m)s") % {"m": manners.get(manner, manner)})
        found = [sign_labels[s] for s, on in zip(signs, flags, strict=True) if on]
        if found:
            parts.append(_("torture indicators: %(t)s") % {"t": ", ".join(found)})
        out.setdefault(grave_id, []).append("; ".join(parts))
    return {k: " | ".join(v) for k, v in out.items()}


def identification_rows(site: Site) -> list[list[Any]]:
    """Identifications of bodies from the site."""
    rows = []
    qs = (
        Identification.objects.filter(body__grave__site=site)
        .select_related("body", "person", "proposed_by", "confirmation__reviewer")
        .order_by("body__pm_number", "pk")
    )
    for ident in qs:
        confirmation = getattr(ident, "confirmation", None)
        reviewers = ident.proposed_by.get_username()
        if confirmation is not None:
            reviewers += " / " + confirmation.reviewer.get_username()
        rows.append(
            [
                ident.body.pm_number,
                str(ident.person),
                ident.get_status_display(),
                f"{ident.posterior:.4f}",
                reviewers,
            ]
        )
    return rows


def evidence_items(site: Site) -> QuerySet[EvidenceItem]:
    """The site's evidence: its graves' items and the site's own (orthophotos)."""
    return (
        EvidenceItem.objects.filter(Q(grave__site=site) | Q(site=site))
        .select_related("grave", "body")
        .order_by("number")
    )


def custody_rows(site: Site) -> list[list[Any]]:
    """Evidence items of the site with their custody summary."""
    items = evidence_items(site)
    rows = []
    for item in items.prefetch_related("custody"):
        chain = sorted(item.custody.all(), key=lambda e: e.seq)
        last = chain[-1] if chain else None
        custody = ngettext("%(n)d entry", "%(n)d entries", len(chain)) % {
            "n": len(chain)
        }
        if last is not None:
            custody += "; " + _("last: %(action)s %(when)s") % {
                "action": last.get_action_display(),
                # The day in the site's time zone, not UTC's.
                "when": timezone.localdate(last.at).isoformat(),
            }
        rows.append([item.number, evidence_text(item), custody, item.holder or "—"])
    return rows


def evidence_text(item: EvidenceItem) -> str:
    """What an item is, in the active language, then its description as written.

    The kind, body and seal are labelled in the document's language; the
    description is a person's words (or a number) and is not translated.
    """
    parts = [str(item.get_kind_display())]
    if item.body is not None:
        parts.append(_("body %(number)s") % {"number": item.body.pm_number})
    if item.seal_number:
        parts.append(_("seal %(seal)s") % {"seal": item.seal_number})
    if item.description:
        parts.append(item.description[:200])
    return " · ".join(parts)
