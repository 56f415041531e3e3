"""Y-STR haplotypes and mtDNA sequences for some families (issue 18).

Synthetic lineages: a founder's Y haplotype (mtDNA sequence) is one of a few
hundred "clan" types of a made-up population (Zipf weights) with a little
private variation; sons inherit their father's Y and children their mother's
mtDNA, with the mutation rates ``kinship.lineage`` assumes.  Families whose
typed relatives are not a parent and share the missing person's paternal or
maternal line get those relatives typed in half the cases, and every body with
a profile is typed (Y for men).  The population tables are drawn from the same
process.  No real haplotype is used.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

#: Yfiler Plus-like loci: (name, copies, modal repeat numbers).
Y_LOCI: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("DYS576", (18,)),
    ("DYS389I", (13,)),
    ("DYS635", (23,)),
    ("DYS389II", (29,)),
    ("DYS627", (21,)),
    ("DYS460", (11,)),
    ("DYS458", (17,)),
    ("DYS19", (14,)),
    ("YGATAH4", (12,)),
    ("DYS448", (19,)),
    ("DYS391", (10,)),
    ("DYS456", (15,)),
    ("DYS390", (24,)),
    ("DYS438", (12,)),
    ("DYS392", (13,)),
    ("DYS518", (38,)),
    ("DYS570", (17,)),
    ("DYS437", (15,)),
    ("DYS385", (11, 14)),
    ("DYS449", (30,)),
    ("DYS393", (13,)),
    ("DYS439", (12,)),
    ("DYS481", (22,)),
    ("DYF387S1", (35, 37)),
    ("DYS533", (12,)),
)
#: Per copy and meiosis (``kinship.lineage.Y_DEFAULT_RATE``).
Y_RATE = 2.5e-3
#: Per meiosis over the range (``kinship.lineage.MT_DEFAULT_RATE``).
MT_RATE = 5e-3
MT_RANGE = "16024-16569 1-576"
#: Positions of the control region where the clans differ (synthetic).
MT_SITES = tuple(range(16050, 16400, 7)) + tuple(range(60, 340, 9))
CLANS = 300
TABLE_SIZE = 2000
#: Share of eligible families whose line-sharing relatives are typed.
P_TYPED = 0.5

YHap = tuple[tuple[int, ...], ...]
MtSeq = frozenset[tuple[int, str]]


class Lineages:
    """The clans of the synthetic population and the draws from them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.weights = [1.0 / (k + 1) ** 1.1 for k in range(CLANS)]
        self.y_clans: list[YHap] = [
            tuple(
                tuple(max(5, a + rng.choice((-2, -1, -1, 0, 0, 0, 1, 1, 2))) for a in m)
                for _n, m in Y_LOCI
            )
            for _ in range(CLANS)
        ]
        self.mt_clans: list[MtSeq] = [
            frozenset(
                (pos, rng.choice("ACGT"))
                for pos in rng.sample(MT_SITES, rng.randint(3, 8))
            )
            for _ in range(CLANS)
        ]

    def _clan(self) -> int:
        return self.rng.choices(range(CLANS), self.weights)[0]

    def founder_y(self) -> YHap:
        rng = self.rng
        return tuple(
            tuple(a + (rng.choice((-1, 1)) if rng.random() < 0.08 else 0) for a in copy)
            for copy in self.y_clans[self._clan()]
        )

    def founder_mt(self) -> MtSeq:
        seq = set(self.mt_clans[self._clan()])
        for _ in range(self.rng.choice((0, 0, 1, 1, 2))):
            seq.add((self.rng.choice(MT_SITES) + 1, self.rng.choice("ACGT")))
        return frozenset(seq)

    def son_y(self, father: YHap) -> YHap:
        rng = self.rng
        return tuple(
            tuple(a + (rng.choice((-1, 1)) if rng.random() < Y_RATE else 0) for a in c)
            for c in father
        )

    def child_mt(self, mother: MtSeq) -> MtSeq:
        if self.rng.random() >= MT_RATE:
            return mother
        return frozenset(
            {*mother, (self.rng.choice(MT_SITES) + 2, self.rng.choice("ACGT"))}
        )


def y_json(hap: YHap) -> dict[str, list[str]]:
    return {
        name: [str(a) for a in sorted(copy)]
        for (name, _m), copy in zip(Y_LOCI, hap, strict=True)
    }


def mt_json(seq: MtSeq) -> dict[str, str]:
    variants = " ".join(f"{pos}{base}" for pos, base in sorted(seq))
    return {"variants": variants, "range": MT_RANGE}


def _line(members: Mapping[str, Any], start: str, parent: str) -> list[str]:
    out, cur = [], start
    while cur is not None and cur in members:
        out.append(cur)
        cur = getattr(members[cur], parent)
    return out


def add_lineages(
    case: dict[str, Any],
    families: Sequence[Any],
    body_family: Mapping[str, Any],
    seed: int,
) -> dict[str, Any]:
    """Add ``ystr``/``mtdna`` to ``case`` (``pm`` and ``am``) and its tables.

    ``body_family``: PM number -> the body's family (None: nobody's).  Returns
    the tables ``{"ystr_database": ..., "mtdna_database": ...}`` (also put in
    ``case``) and the counts.
    """
    rng = random.Random(f"{seed}:lineage")
    pop = Lineages(rng)
    missing_y: dict[str, YHap] = {}
    missing_mt: dict[str, MtSeq] = {}
    typed_families = 0
    for fam in families:
        members = {m.id: m for m in fam.members}
        y: dict[str, YHap] = {}
        mt: dict[str, MtSeq] = {}
        for m in fam.members:  # parents before children
            y[m.id] = pop.son_y(y[m.father]) if m.father in y else pop.founder_y()
            mt[m.id] = (
                pop.child_mt(mt[m.mother]) if m.mother in mt else pop.founder_mt()
            )
        mp = fam.missing_id
        missing_y[mp], missing_mt[mp] = y[mp], mt[mp]
        if fam.kind in ("parents", "mother", "father", "child_spouse"):
            continue
        if rng.random() >= P_TYPED:
            continue
        # Line-sharing relatives: men of the missing man's paternal line (up
        # the fathers, then down through sons), everyone of the maternal line.
        mp_member = members[mp]
        y_line = set(_line(members, mp, "father")) if mp_member.sex == 1 else set()
        mt_line = set(_line(members, mp, "mother"))
        typed_y: dict[str, Any] = {}
        typed_mt: dict[str, Any] = {}
        for m in fam.members:
            if not m.typed:
                continue
            up_y = set(_line(members, m.id, "father"))
            up_mt = set(_line(members, m.id, "mother"))
            if m.sex == 1 and y_line & up_y:
                typed_y[m.id] = y_json(y[m.id])
            if mt_line & up_mt:
                typed_mt[m.id] = mt_json(mt[m.id])
        if typed_y or typed_mt:
            typed_families += 1
            am = case["am"][fam.fid]
            if typed_y:
                am["ystr"] = typed_y
            if typed_mt:
                am["mtdna"] = typed_mt
    typed_bodies = 0
    for pmno, entry in case["pm"].items():
        fam = body_family.get(pmno)
        if fam is not None:
            y_hap, mt_seq = missing_y[fam.missing_id], missing_mt[fam.missing_id]
        else:
            y_hap, mt_seq = pop.founder_y(), pop.founder_mt()
        entry["mtdna"] = mt_json(mt_seq)
        if entry.get("sex") == 1:
            entry["ystr"] = y_json(y_hap)
        typed_bodies += 1
    tables = {
        "ystr_database": {
            "haplotypes": [y_json(pop.founder_y()) for _ in range(TABLE_SIZE)]
        },
        "mtdna_database": {
            "rate": MT_RATE,
            "sequences": [mt_json(pop.founder_mt()) for _ in range(TABLE_SIZE)],
        },
    }
    case.update(tables)
    return {
        **tables,
        "counts": {"families": typed_families, "bodies": typed_bodies},
    }
