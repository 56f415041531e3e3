"""Declared relationships of a reference family checked by DNA (issue 18, item 4).

For every pair of typed references of a missing person's family, the
likelihood of their autosomal genotypes under the declared pedigree is
compared with the alternatives of ``kinship.relationships`` (parent-child,
full and half siblings, first cousins, unrelated); a pair is flagged when an
alternative is 1,000 times more likely.  Shown to DNA analysts only (a flag
can reveal a non-paternity).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from imena.identification.screening import (
    _markers_json,
    canonical_genotypes,
    load_site_case,
)
from imena.missing.records import family_as_case_dict
from kinship.relationships import PairCheck, check_family

#: The alternatives of ``kinship.relationships.ALTERNATIVES``, for display.
LABELS = {
    "parent-child": _("parent–child"),
    "full siblings": _("full siblings"),
    "half siblings": _("half siblings (or grandparent, uncle/aunt)"),
    "first cousins": _("first cousins"),
    "unrelated": _("unrelated"),
}


@dataclass(frozen=True)
class CheckedPair:
    """A checked pair with the members' declared relations to the missing person."""

    check: PairCheck
    relation_a: str
    relation_b: str

    @property
    def best_label(self) -> str:
        """The most likely alternative, translated."""
        return str(LABELS.get(self.check.best, self.check.best))

    @property
    def log10_best(self) -> float | None:
        """log10 of how much likelier the best alternative is (None: impossible)."""
        value = self.check.alternatives[self.check.best]
        return None if value in (float("inf"), float("-inf")) else value


def family_checks(person: Any) -> list[CheckedPair]:
    """Every pair of typed references of the person's family, checked."""
    fam = family_as_case_dict(person)
    if len(fam["genotypes"]) < 2 or not fam.get("missing"):
        return []
    genotypes = {k: canonical_genotypes(v) for k, v in fam["genotypes"].items()}
    loci = {locus for g in genotypes.values() for locus in g}
    data = {
        "markers": _markers_json(loci, "none", 0.0),
        "pm": {},
        "am": {
            "F": {
                "id": fam["id"],
                "fid": fam["fid"],
                "mid": fam["mid"],
                "sex": fam["sex"],
                "genotypes": genotypes,
            }
        },
        "missing": [fam["missing"]],
    }
    case, _notes = load_site_case(data)
    relation = {
        m.member_id: m.get_relationship_display() or m.relationship
        for m in person.pedigree.all()
    }
    return [
        CheckedPair(c, str(relation.get(c.a, "")), str(relation.get(c.b, "")))
        for c in check_family(case.families["F"], case.markers)
    ]
