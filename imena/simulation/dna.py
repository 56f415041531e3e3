"""DNA: STR frequencies, reference pedigrees, gene dropping and degraded PM profiles."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from .lineage import add_lineages
from .world import Person, World

# CODIS-20 plus SE33, Penta D and Penta E (the 23 autosomal loci of dvir's "grave" case),
# named as in the dvi-examples; the value is the locus name in the NorskDB table.
LOCI: tuple[tuple[str, str], ...] = (
    ("D3S1358", "D3S1358"),
    ("VWA", "vWA"),
    ("D16S539", "D16S539"),
    ("CSF1PO", "CSF1PO"),
    ("TPOX", "TPOX"),
    ("D8S1179", "D8S1179"),
    ("D21S11", "D21S11"),
    ("D18S51", "D18S51"),
    ("D2S441", "D2S441"),
    ("D19S433", "D19S433"),
    ("TH01", "TH01"),
    ("FGA", "FGA"),
    ("D22S1045", "D22S1045"),
    ("D5S818", "D5S818"),
    ("D13S317", "D13S317"),
    ("D7S820", "D7S820"),
    ("SE33", "SE33"),
    ("D10S1248", "D10S1248"),
    ("D1S1656", "D1S1656"),
    ("D12S391", "D12S391"),
    ("D2S1338", "D2S1338"),
    ("PENTA_D", "Penta D"),
    ("PENTA_E", "Penta E"),
)
# Long amplicons drop out first in degraded bone samples.
LONG_LOCI = frozenset(
    {
        "FGA",
        "D18S51",
        "SE33",
        "PENTA_D",
        "PENTA_E",
        "D21S11",
        "D2S1338",
        "CSF1PO",
        "D7S820",
    }
)


@dataclass(frozen=True)
class Marker:
    name: str
    alleles: tuple[str, ...]
    afreq: tuple[float, ...]


def load_markers() -> list[Marker]:
    """Read the 23 loci from the shipped NorskDB_v2023 table (norSTR, MIT)."""
    text = resources.files(__package__).joinpath("NorskDB_v2023.txt").read_text("utf-8")
    table: dict[str, list[tuple[str, float]]] = {}
    for block in text.strip().split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line.strip()]
        table[lines[0].strip()] = [
            (a, float(f)) for a, f in (line.split("\t") for line in lines[1:])
        ]
    out = []
    for name, source in LOCI:
        pairs = sorted(table[source], key=lambda af: float(af[0]))
        out.append(Marker(name, tuple(a for a, _ in pairs), tuple(f for _, f in pairs)))
    return out


@dataclass
class Member:
    id: str
    father: str | None
    mother: str | None
    sex: int  # 1 male, 2 female
    relationship: str  # relation to the missing person
    typed: bool


@dataclass
class Family:
    fid: str
    pid: str
    kind: str
    members: list[Member] = field(default_factory=list)

    @property
    def missing_id(self) -> str:
        return f"{self.fid}-MP"


#: Pedigrees with two or more typed relatives (national scenario: weight 4).
TWO_OR_MORE = frozenset({"parents", "mother_sibling", "children", "child_spouse"})


def _pedigree(
    fam: Family, p: Person, rng: random.Random, *, favour_pairs: bool = False
) -> None:
    """Members in an order where parents come before children.

    ``favour_pairs`` (national scenario) makes pedigrees with two or more
    typed relatives four times as likely as the others.
    """
    f = fam.fid
    mp_sex = 1 if p.sex == "male" else 2
    age = p.age_at(p.dod)
    options = ["children", "child_spouse", "siblings", "half_sibling"]
    if age < 60:
        options += [
            "parents",
            "mother",
            "father",
            "grandparent",
            "uncle",
            "mother_sibling",
        ]
    if age < 20:
        options = ["parents", "mother", "father", "grandparent", "uncle", "siblings"]
    if favour_pairs:
        weights = [4 if o in TWO_OR_MORE else 1 for o in options]
        kind = rng.choices(options, weights)[0]
    else:
        kind = rng.choice(options)
    fam.kind = kind
    m = fam.members

    def add(
        role: str,
        father: str | None,
        mother: str | None,
        sex: int,
        rel: str,
        typed: bool,
    ) -> str:
        m.append(Member(f"{f}-{role}", father, mother, sex, rel, typed))
        return f"{f}-{role}"

    def sib_sex() -> int:
        return rng.choice((1, 2))

    if kind in (
        "parents",
        "mother",
        "father",
        "siblings",
        "half_sibling",
        "mother_sibling",
    ):
        fa = add("FA", None, None, 1, "father", kind in ("parents", "father"))
        mo = add(
            "MO",
            None,
            None,
            2,
            "mother",
            kind in ("parents", "mother", "mother_sibling"),
        )
        add("MP", fa, mo, mp_sex, "missing", False)
        if kind in ("siblings", "mother_sibling"):
            for k in range(1 if kind == "mother_sibling" else rng.randint(1, 2)):
                add(f"S{k + 1}", fa, mo, sib_sex(), "full_sibling", True)
        if kind == "half_sibling":
            fa2 = add("FA2", None, None, 1, "mother_partner", False)
            add("HS1", fa2, mo, sib_sex(), "half_sibling", True)
    elif kind in ("children", "child_spouse"):
        sp_sex = 2 if mp_sex == 1 else 1
        mp = add("MP", None, None, mp_sex, "missing", False)
        sp = add("SP", None, None, sp_sex, "spouse", kind == "child_spouse")
        fa, mo = (mp, sp) if mp_sex == 1 else (sp, mp)
        for k in range(1 if kind == "child_spouse" else rng.randint(1, 3)):
            add(f"CH{k + 1}", fa, mo, sib_sex(), "child", True)
    else:  # grandparent, uncle
        gf = add("GF", None, None, 1, "grandfather", False)
        gm = add("GM", None, None, 2, "grandmother", kind == "grandparent")
        fa = add("FA", gf, gm, 1, "father", False)
        mo = add("MO", None, None, 2, "mother", False)
        if kind == "uncle":
            add("UN", gf, gm, 1, "uncle_aunt", True)
        add("MP", fa, mo, mp_sex, "missing", False)


@dataclass
class DnaResult:
    case: dict[str, Any]
    families: list[Family]
    profiles: dict[str, dict[str, Any]]  # PM number -> {status, dropout, missing_loci}
    # Y-STR / mtDNA population tables, also in ``case`` (issue 18).
    tables: dict[str, Any] = field(default_factory=dict)


def build_dna(
    world: World,
    family_pids: list[str],
    seed: int,
    *,
    fid_width: int = 4,
    favour_pairs: bool = False,
    lineage: bool = True,
) -> DnaResult:
    """Type reference relatives and PM samples; ``family_pids`` get a reference family.

    ``lineage``: also Y-STR and mtDNA for some families and the bodies
    (``imena.simulation.lineage``).
    """
    rng = random.Random(f"{seed}:dna")
    nrng = np.random.default_rng([seed, 7])
    markers = load_markers()
    families: list[Family] = []
    for i, pid in enumerate(family_pids):
        fam = Family(fid=f"F{i + 1:0{fid_width}d}", pid=pid, kind="")
        _pedigree(fam, world.persons[pid], rng, favour_pairs=favour_pairs)
        families.append(fam)
    body_pids = sorted(world.bodies, key=str)
    family_of = {fam.pid: fam for fam in families}
    lone = [
        world.bodies[pm].pid
        for pm in body_pids
        if world.bodies[pm].pid not in family_of
    ]
    nloci = len(markers)
    # Row r of ``geno`` holds individual r's allele indices, shape (loci, 2).
    row: dict[str, int] = {}
    depth: dict[str, int] = {}
    founders: list[int] = []
    by_depth: dict[int, list[tuple[int, int, int]]] = {}
    for fam in families:
        for mm in fam.members:
            r = row[mm.id] = len(row)
            if mm.father is None or mm.mother is None:
                founders.append(r)
                depth[mm.id] = 0
            else:
                d = depth[mm.id] = max(depth[mm.father], depth[mm.mother]) + 1
                by_depth.setdefault(d, []).append((r, row[mm.father], row[mm.mother]))
    for pid in lone:
        founders.append(row.setdefault(f"body:{pid}", len(row)))
    geno = np.zeros((len(row), nloci, 2), dtype=np.int16)
    # Founder alleles for every locus in one draw each.
    for k, mk in enumerate(markers):
        p = np.asarray(mk.afreq, dtype=float)
        geno[founders, k, :] = nrng.choice(
            len(mk.alleles), size=(len(founders), 2), p=p / p.sum()
        )
    loci = np.arange(nloci)
    for d in sorted(by_depth):
        child, fa, mo = (np.asarray(c) for c in zip(*by_depth[d], strict=True))
        bits = nrng.integers(0, 2, size=(len(child), nloci, 2))
        geno[child, :, 0] = geno[fa[:, None], loci[None, :], bits[:, :, 0]]
        geno[child, :, 1] = geno[mo[:, None], loci[None, :], bits[:, :, 1]]
    geno.sort(axis=2)
    names = [mk.alleles for mk in markers]

    def typed(key: str) -> list[list[int]]:
        # One row at a time: a nested list of the whole table would cost ~1 GB
        # at national scale.
        result: list[list[int]] = geno[row[key]].tolist()
        return result

    def person_gt(pid: str) -> list[list[int]]:
        fam = family_of.get(pid)
        return typed(fam.missing_id if fam is not None else f"body:{pid}")

    def fmt(g: list[list[int]]) -> dict[str, list[str]]:
        return {
            mk.name: [names[k][g[k][0]], names[k][g[k][1]]]
            for k, mk in enumerate(markers)
        }

    am: dict[str, Any] = {}
    for fam in sorted(families, key=lambda f: f.fid):
        am[fam.fid] = {
            "id": [mm.id for mm in fam.members],
            "fid": [mm.father for mm in fam.members],
            "mid": [mm.mother for mm in fam.members],
            "sex": [mm.sex for mm in fam.members],
            "genotypes": {mm.id: fmt(typed(mm.id)) for mm in fam.members if mm.typed},
        }
    pm: dict[str, Any] = {}
    profiles: dict[str, dict[str, Any]] = {}
    for pmno in body_pids:
        body = world.bodies[pmno]
        person = world.persons[body.pid]
        gt = person_gt(body.pid)
        u = rng.random()
        if u < 0.03:
            profiles[pmno] = {"status": "none", "dropout": [], "missing_loci": []}
            continue
        degraded = u < 0.03 + (
            0.45 if body.preservation in ("skeletonised", "burnt") else 0.2
        )
        dropout: list[str] = []
        missing: list[str] = []
        if not degraded:
            genos = fmt(gt)
        else:
            genos = {}
            for k, mk in enumerate(markers):
                a, b = gt[k]
                long = mk.name in LONG_LOCI
                if rng.random() < (0.3 if long else 0.08):
                    missing.append(mk.name)
                    continue
                if a != b and rng.random() < (0.25 if long else 0.08):
                    a = b = rng.choice((a, b))
                    dropout.append(mk.name)
                genos[mk.name] = [names[k][a], names[k][b]]
        pm[pmno] = {"sex": 1 if person.sex == "male" else 2, "genotypes": genos}
        profiles[pmno] = {
            "status": "degraded" if degraded else "complete",
            "dropout": dropout,
            "missing_loci": missing,
        }
    case = {
        "source": "imena.simulation (synthetic; allele frequencies NorskDB_v2023, norSTR, MIT)",
        "markers": [
            {"name": mk.name, "alleles": list(mk.alleles), "afreq": list(mk.afreq)}
            for mk in markers
        ],
        "pm": pm,
        "am": am,
        "missing": [fam.missing_id for fam in sorted(families, key=lambda f: f.fid)],
    }
    tables = (
        add_lineages(
            case,
            families,
            {pmno: family_of.get(world.bodies[pmno].pid) for pmno in pm},
            seed,
        )
        if lineage
        else {}
    )
    return DnaResult(case=case, families=families, profiles=profiles, tables=tables)
