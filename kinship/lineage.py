"""Lineage markers: Y-STR haplotypes (paternal line) and mtDNA (maternal line).

Both are inherited without recombination along one line, so the evidence of
a victim against a reference is: how likely are their differences after the
number of meioses between them (from the pedigree), against how common the
victim's haplotype is in a population database that the organisation loads.

* **Y-STR**: a haplotype maps each locus to its alleles; multi-copy loci
  (``DYS385a/b``, ``DYF387S1``...) are unordered, so alleles are kept sorted.
  ``null`` (also ``0``, ``-``) is a null allele (deletion); a non-numeric
  allele (``OL``, ``>20``) is off-ladder.  Per locus and meiosis a stepwise
  mutation changes one copy by ±1 repeat with rate ``rate`` (per-locus table,
  default :data:`Y_DEFAULT_RATE`).  The probability of a net difference ``d``
  after ``k`` meioses is exact under that model,
  ``sum_m Binom(m; k, rate) * C(m, (m + d)/2) / 2^m``; copies of a multi-copy
  locus are paired in sorted order and mutate independently.  A difference
  no step model explains (copy number, null against an allele, off-ladder
  against another allele, non-integer difference) gets ``1 - (1 - other)^k``
  with ``other`` = :data:`OTHER_RATE`: not an exclusion, but strong evidence
  against.
* **mtDNA**: a sequence is its differences to the rCRS (``16069T 16126C 263G
  315.1C 249d``) with the compared range (``16024-16569 1-576``).  Variants
  are normalised (``A263G``, ``263G`` and ``263g`` are one; ``249del``,
  ``249-`` and ``249d`` are one, so ``D`` is a deletion, not the IUPAC code;
  ``315.1c`` is ``315.1C``).  IUPAC codes of a
  heteroplasmy (``16093Y`` = C and T) never count as a difference against one
  of their bases.  Differences are counted over the intersection of the two
  ranges; the probability of ``m`` differences after ``k`` meioses is
  Poisson with mean ``k * rate`` (``rate`` per meiosis over the compared range,
  default :data:`MT_DEFAULT_RATE`).
* **Frequency**: the victim's haplotype is counted in the loaded table (over
  the loci or range compared) and the upper bound of the one-sided 95%
  Clopper-Pearson interval is used, ``x`` matches in ``N``:
  ``Beta.ppf(0.95, x + 1, N - x)`` (``1 - 0.05^(1/N)`` when ``x = 0``).  It is
  conservative (it lowers the LR), needs no population model and is what the
  SWGDAM guidance allows; the discrete Laplace method needs a fitted model per
  database and is not implemented.

``LR = P(differences | k meioses) / upper frequency``.  With several typed
relatives on the line, the one with the fewest meioses is used (their
haplotypes are not independent evidence).  Lineage LRs multiply with the
autosomal LR under the assumption that the lineage markers and the autosomal
STRs are independent (they are on different chromosomes; the population
frequencies are estimated separately).
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kinship.errors import KinshipError

if TYPE_CHECKING:
    from kinship.case import Pedigree

#: Per-meiosis stepwise rate of a Y-STR locus without its own rate.
Y_DEFAULT_RATE = 2.5e-3

#: Per-meiosis rate of a change no step model explains (copy number, null).
OTHER_RATE = 1e-4

#: Per-meiosis probability of one mtDNA difference over the compared range.
MT_DEFAULT_RATE = 5e-3

#: Verdict of a lineage comparison by its number of differences (0, 1, 2+).
VERDICTS = ("consistent", "inconclusive", "exclusion")

NULL = "null"
_NULLS = {"null", "0", "-", "del", "n"}


# --------------------------------------------------------------------- lines


def line_meioses(pedigree: Pedigree, a: str, b: str, side: str) -> int | None:
    """Return the meioses between ``a`` and ``b`` along one line, or None.

    ``side`` is ``"father"`` (Y: both must be male or of unknown sex) or
    ``"mother"`` (mtDNA).  The line of a person is the person, their
    father's (mother's) line and so on; two people share it when their lines
    meet in the pedigree.
    """
    parent = pedigree.father if side == "father" else pedigree.mother
    if side == "father" and (
        pedigree.sex[pedigree.index(a)] == 2 or pedigree.sex[pedigree.index(b)] == 2
    ):
        return None

    def chain(ident: str) -> dict[int, int]:
        out: dict[int, int] = {}
        k, steps = pedigree.index(ident), 0
        while k >= 0 and k not in out:
            out[k] = steps
            k, steps = parent[k], steps + 1
        return out

    up_a, up_b = chain(a), chain(b)
    common = [up_a[k] + up_b[k] for k in up_a if k in up_b]
    return min(common) if common else None


# -------------------------------------------------------------------- Y-STR

Haplotype = dict[str, tuple[str, ...]]


def _allele(text: str) -> str:
    value = text.strip()
    if value.lower() in _NULLS:
        return NULL
    return value.upper() if not _number(value) else value


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def parse_haplotype(data: Mapping[str, str | Sequence[str]]) -> Haplotype:
    """Return ``{locus: sorted alleles}``; ``"11,14"`` or ``["11", "14"]``.

    Empty loci are left out (untyped).
    """
    out: Haplotype = {}
    for locus, raw in data.items():
        parts = (
            re.split(r"[,/;\s]+", raw.strip())
            if isinstance(raw, str)
            else [str(x) for x in raw]
        )
        alleles = [_allele(p) for p in parts if p.strip()]
        if alleles:
            out[locus] = tuple(sorted(alleles, key=_sort_key))
    return out


def _sort_key(allele: str) -> tuple[int, float, str]:
    number = _number(allele)
    return (0, number, "") if number is not None else (1, 0.0, allele)


def step_probability(diff: int, meioses: int, rate: float) -> float:
    """``P(net difference diff)`` after ``meioses`` single-step mutations' chances."""
    diff = abs(diff)
    total = 0.0
    for m in range(diff, meioses + 1):
        if (m - diff) % 2:
            continue
        binom = math.comb(meioses, m) * rate**m * (1.0 - rate) ** (meioses - m)
        total += binom * math.comb(m, (m + diff) // 2) / 2.0**m
    return total


@functools.lru_cache(maxsize=4096)
def _step_log(diff: int, meioses: int, rate: float) -> float:
    p = step_probability(diff, meioses, rate)
    return math.log(p) if p > 0 else -math.inf


def y_log_probability(
    reference: Haplotype,
    victim: Haplotype,
    meioses: int,
    rates: Mapping[str, float] | None = None,
) -> tuple[float, tuple[str, ...]]:
    """``log P(victim | reference, meioses)`` and the loci compared.

    The numerator of :func:`y_lr` without its per-locus detail: the fast path
    for many pairs (matching loci are one cached lookup).
    """
    total = 0.0
    loci = []
    for locus, r in reference.items():
        v = victim.get(locus)
        if v is None:
            continue
        loci.append(locus)
        rate = rates.get(locus, Y_DEFAULT_RATE) if rates else Y_DEFAULT_RATE
        if r == v:
            total += len(r) * _step_log(0, meioses, rate)
        else:
            total += _locus_log(r, v, meioses, rate)
    return total, tuple(loci)


@functools.lru_cache(maxsize=65536)
def _locus_log(
    reference: tuple[str, ...], victim: tuple[str, ...], meioses: int, rate: float
) -> float:
    # Alleles repeat across pairs: one computation per distinct comparison.
    p = compare_locus("", reference, victim, meioses, rate).probability
    return math.log(p) if p > 0 else -math.inf


def mt_log_probability(
    reference: MtSequence, victim: MtSequence, meioses: int, rate: float
) -> float:
    """``log P(victim | reference, meioses)``: the numerator of :func:`mt_lr`."""
    a, b = reference.plain, victim.plain
    if reference.ranges == victim.ranges and a is not None and b is not None:
        m = len({key for key, _base in a ^ b})  # the usual case, no heteroplasmy
    else:
        m = len(mt_differences(reference, victim)[0])
    mean = meioses * rate
    if mean <= 0:
        return 0.0 if m == 0 else -math.inf
    return -mean + m * math.log(mean) - math.lgamma(m + 1)


def _other(meioses: int) -> float:
    return 1.0 - (1.0 - OTHER_RATE) ** meioses


@dataclass(frozen=True)
class LocusComparison:
    """One Y-STR locus compared: the steps per copy (None: not a step change)."""

    locus: str
    reference: tuple[str, ...]
    victim: tuple[str, ...]
    steps: tuple[int, ...] | None
    probability: float

    @property
    def match(self) -> bool:
        """True if the alleles are the same."""
        return self.reference == self.victim


def compare_locus(
    locus: str,
    reference: tuple[str, ...],
    victim: tuple[str, ...],
    meioses: int,
    rate: float = Y_DEFAULT_RATE,
) -> LocusComparison:
    """Return the probability of the victim's alleles given the reference's."""
    steps: list[int] = []
    if len(reference) == len(victim):
        for r, v in zip(reference, victim, strict=True):
            if r == v:
                steps.append(0)
                continue
            nr, nv = _number(r), _number(v)
            diff = None if nr is None or nv is None else nv - nr
            if diff is None or abs(diff - round(diff)) > 1e-9:
                break
            steps.append(int(round(diff)))
        else:
            prob = math.prod(step_probability(s, meioses, rate) for s in steps)
            return LocusComparison(locus, reference, victim, tuple(steps), prob)
    return LocusComparison(locus, reference, victim, None, _other(meioses))


@dataclass(frozen=True)
class LineageResult:
    """A lineage comparison: per-locus detail, frequency bound and LR."""

    kind: str  # "Y-STR" or "mtDNA"
    reference: str
    meioses: int
    compared: int
    matching: int
    probability: float
    count: int
    database: int
    frequency: float
    details: tuple[LocusComparison, ...] = ()
    differences: tuple[str, ...] = ()

    @property
    def lr(self) -> float:
        """``P(differences | meioses) / upper bound of the frequency``."""
        return self.probability / self.frequency

    @property
    def differing(self) -> int:
        """Loci (Y-STR) or positions (mtDNA) that differ."""
        return self.compared - self.matching

    @property
    def verdict(self) -> str:
        """``consistent`` (no difference), ``inconclusive`` (one), ``exclusion``.

        The customary reading of lineage comparisons (SWGDAM): two or more
        differences exclude the line, one is inconclusive.  The LR is kept as
        computed either way; the verdict is a flag for the analyst.
        """
        return VERDICTS[min(self.differing, 2)]

    def explain(self) -> str:
        """One line for the analyst (English; the web app translates its own)."""
        seen = (
            f"haplotype not seen in {self.database:,}"
            if self.count == 0
            else f"haplotype seen {self.count:,} times in {self.database:,}"
        )
        if self.kind == "Y-STR":
            head = f"{self.matching}/{self.compared} loci match {self.reference}"
        else:
            head = (
                f"{len(self.differences)} differences in {self.compared:,} bases "
                f"against {self.reference}"
            )
        return (
            f"{self.kind}: {head} ({self.meioses} meioses); "
            f"{seen} -> LR >= {self.lr:.4g}"
        )


def clopper_pearson_upper(count: int, total: int, level: float = 0.95) -> float:
    """One-sided upper confidence bound of a proportion ``count / total``."""
    if total <= 0:
        return 1.0
    if count >= total:
        return 1.0
    if count == 0:
        return float(1.0 - (1.0 - level) ** (1.0 / total))
    from scipy.stats import beta

    return float(beta.ppf(level, count + 1, total - count))


def count_haplotype(
    haplotype: Haplotype, table: Iterable[Haplotype], loci: Sequence[str]
) -> tuple[int, int]:
    """Return ``(matches, size)`` of ``haplotype`` over ``loci`` in the table.

    Database haplotypes untyped at one of the loci are not counted at all.
    """
    count = total = 0
    for row in table:
        if any(locus not in row for locus in loci):
            continue
        total += 1
        count += all(row[locus] == haplotype[locus] for locus in loci)
    return count, total


def y_lr(
    reference: Haplotype,
    victim: Haplotype,
    meioses: int,
    table: Sequence[Haplotype],
    *,
    rates: Mapping[str, float] | None = None,
    name: str = "the reference",
    counted: Mapping[tuple[str, ...], tuple[int, int]] | None = None,
) -> LineageResult:
    """Compare a victim's Y haplotype with a reference ``meioses`` apart.

    ``counted``: the victim's ``(count, size)`` in the table per tuple of
    compared loci, when known (a cache of :func:`count_haplotype`).
    """
    loci = [locus for locus in reference if locus in victim]
    if not loci:
        raise KinshipError("no Y-STR locus typed in both haplotypes")
    details = tuple(
        compare_locus(
            locus,
            reference[locus],
            victim[locus],
            meioses,
            (rates or {}).get(locus, Y_DEFAULT_RATE),
        )
        for locus in loci
    )
    known = (counted or {}).get(tuple(loci))
    count, total = known or count_haplotype(victim, table, loci)
    return LineageResult(
        "Y-STR",
        name,
        meioses,
        len(loci),
        sum(d.match for d in details),
        math.prod(d.probability for d in details),
        count,
        total,
        clopper_pearson_upper(count, total),
        details,
    )


# --------------------------------------------------------------------- mtDNA

#: IUPAC codes of a heteroplasmy and the bases they stand for.
IUPAC = {
    "R": "AG",
    "Y": "CT",
    "S": "CG",
    "W": "AT",
    "K": "GT",
    "M": "AC",
    "B": "CGT",
    "H": "ACT",
    "V": "ACG",
    "N": "ACGT",
}

_VARIANT = re.compile(
    r"^(?:[ACGT])?(\d+)(?:\.(\d+))?([ACGTRYSWKMBDHVN]|D|DEL|-)?$", re.IGNORECASE
)

Position = tuple[int, int]  # (position, insertion index; 0 for a substitution)


@dataclass(frozen=True)
class MtSequence:
    """An mtDNA sequence: ``{(position, insertion): base}`` and the range read."""

    variants: dict[Position, str]
    ranges: tuple[tuple[int, int], ...]

    def covers(self, pos: int) -> bool:
        """Return True if ``pos`` lies in a compared range."""
        return any(lo <= pos <= hi for lo, hi in self.ranges)

    @functools.cached_property
    def plain(self) -> frozenset[tuple[Position, str]] | None:
        """The variants inside the range, or None when one is a heteroplasmy."""
        inside = {(k, b) for k, b in self.variants.items() if self.covers(k[0])}
        if any(b in IUPAC for _k, b in inside):
            return None
        return frozenset(inside)


def parse_range(text: str) -> tuple[tuple[int, int], ...]:
    """Parse ``"16024-16569 1-576"`` (whitespace or comma separated)."""
    out = []
    for part in re.split(r"[,;\s]+", text.strip()):
        if not part:
            continue
        bounds = part.split("-")
        if len(bounds) != 2 or not all(b.isdigit() for b in bounds):
            raise KinshipError(f"mtDNA range {part!r}: expected START-END")
        out.append((int(bounds[0]), int(bounds[1])))
    if not out:
        raise KinshipError("empty mtDNA range")
    return tuple(out)


def parse_mt(variants: str | Iterable[str], ranges: str) -> MtSequence:
    """Parse and normalise variants against the rCRS, e.g. ``"263G 315.1C"``."""
    items = (
        re.split(r"[,;\s]+", variants.strip())
        if isinstance(variants, str)
        else variants
    )
    out: dict[Position, str] = {}
    for raw in items:
        if not raw:
            continue
        m = _VARIANT.match(raw.strip())
        if m is None:
            raise KinshipError(f"mtDNA variant {raw!r} not understood")
        pos, ins, base = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "")
        base = base.upper()
        if base in ("DEL", "-", "D"):
            base = "-"
        if not base:
            raise KinshipError(f"mtDNA variant {raw!r}: no base")
        out[(pos, ins)] = base
    return MtSequence(out, parse_range(ranges))


def _same(a: str | None, b: str | None) -> bool:
    if a == b:
        return True
    if a is None or b is None or not (a in IUPAC or b in IUPAC):
        return False
    return bool(set(IUPAC.get(a, a)) & set(IUPAC.get(b, b)))


def mt_differences(a: MtSequence, b: MtSequence) -> tuple[list[str], int]:
    """Return the differing positions inside both ranges and the bases compared.

    A heteroplasmy code against one of its bases is not a difference; a
    heteroplasmy against the rCRS base (no variant on the other side) is not
    counted either, as the rCRS base is one of the two (labs write a
    heteroplasmy at a variable site only).
    """
    diffs = []
    for key in sorted(set(a.variants) | set(b.variants)):
        pos = key[0]
        if not (a.covers(pos) and b.covers(pos)):
            continue
        va, vb = a.variants.get(key), b.variants.get(key)
        if _same(va, vb):
            continue
        if (va is None and vb in IUPAC) or (vb is None and va in IUPAC):
            continue
        suffix = f".{key[1]}" if key[1] else ""
        diffs.append(f"{pos}{suffix}")
    size = 0
    for lo, hi in a.ranges:
        for lo2, hi2 in b.ranges:
            size += max(0, min(hi, hi2) - max(lo, lo2) + 1)
    return diffs, size


def mt_count(victim: MtSequence, table: Iterable[MtSequence]) -> tuple[int, int]:
    """Return ``(sequences equal to the victim's over both ranges, table size)``."""
    count = total = 0
    for row in table:
        total += 1
        diffs, _ = mt_differences(victim, row)
        count += not diffs
    return count, total


class TableIndex:
    """The loaded tables, indexed for counting many victims' haplotypes.

    Gives the same counts as :func:`count_haplotype` and :func:`mt_count`
    without a scan of the table per victim: Y rows are counted per tuple of
    compared loci, mtDNA rows per range and compared range by their variants
    there (rows or victims with a heteroplasmy there are compared one by one).
    """

    def __init__(self, y_table: Sequence[Haplotype], mt_table: Sequence[MtSequence]):
        self.y_table = y_table
        self._y: dict[tuple[str, ...], tuple[Counter[tuple[Any, ...]], int]] = {}
        self._mt_groups: dict[tuple[tuple[int, int], ...], list[MtSequence]] = {}
        for row in mt_table:
            self._mt_groups.setdefault(row.ranges, []).append(row)
        self._mt: dict[Any, tuple[Counter[frozenset[Any]], list[MtSequence]]] = {}

    def y_count(self, haplotype: Haplotype, loci: Sequence[str]) -> tuple[int, int]:
        """``count_haplotype(haplotype, y_table, loci)``."""
        key = tuple(loci)
        if key not in self._y:
            counts: Counter[tuple[Any, ...]] = Counter(
                tuple(row[locus] for locus in key)
                for row in self.y_table
                if all(locus in row for locus in key)
            )
            self._y[key] = (counts, sum(counts.values()))
        counts, total = self._y[key]
        return counts[tuple(haplotype[locus] for locus in key)], total

    def mt_count(self, victim: MtSequence) -> tuple[int, int]:
        """``mt_count(victim, mt_table)``."""
        count = total = 0
        for ranges, rows in self._mt_groups.items():
            total += len(rows)
            common = tuple(
                (max(lo, lo2), min(hi, hi2))
                for lo, hi in victim.ranges
                for lo2, hi2 in ranges
                if max(lo, lo2) <= min(hi, hi2)
            )

            def inside(seq: MtSequence, common: Any = common) -> dict[Position, str]:
                return {
                    k: b
                    for k, b in seq.variants.items()
                    if any(lo <= k[0] <= hi for lo, hi in common)
                }

            mine = inside(victim)
            if any(b in IUPAC for b in mine.values()):
                count += sum(1 for row in rows if not mt_differences(victim, row)[0])
                continue
            key = (ranges, common)
            if key not in self._mt:
                plain: Counter[frozenset[Any]] = Counter()
                mixed: list[MtSequence] = []
                for row in rows:
                    theirs = inside(row)
                    if any(b in IUPAC for b in theirs.values()):
                        mixed.append(row)
                    else:
                        plain[frozenset(theirs.items())] += 1
                self._mt[key] = (plain, mixed)
            plain, mixed = self._mt[key]
            count += plain[frozenset(mine.items())]
            count += sum(1 for row in mixed if not mt_differences(victim, row)[0])
        return count, total


def mt_lr(
    reference: MtSequence,
    victim: MtSequence,
    meioses: int,
    table: Sequence[MtSequence],
    *,
    rate: float = MT_DEFAULT_RATE,
    name: str = "the reference",
    counted: tuple[int, int] | None = None,
) -> LineageResult:
    """Compare a victim's mtDNA with a reference ``meioses`` apart.

    ``counted``: the victim's ``(count, size)`` in the table, when known.
    """
    diffs, size = mt_differences(reference, victim)
    mean = meioses * rate
    m = len(diffs)
    prob = math.exp(-mean) * mean**m / math.factorial(m)
    count, total = counted or mt_count(victim, table)
    return LineageResult(
        "mtDNA",
        name,
        meioses,
        size,
        size - m,
        prob,
        count,
        total,
        clopper_pearson_upper(count, total),
        differences=tuple(diffs),
    )


# ------------------------------------------------------------- case data


@dataclass
class LineageData:
    """Y-STR and mtDNA data of a case, with the loaded population tables."""

    y_victims: dict[str, Haplotype] = field(default_factory=dict)
    y_refs: dict[str, dict[str, Haplotype]] = field(default_factory=dict)
    mt_victims: dict[str, MtSequence] = field(default_factory=dict)
    mt_refs: dict[str, dict[str, MtSequence]] = field(default_factory=dict)
    y_table: list[Haplotype] = field(default_factory=list)
    y_rates: dict[str, float] = field(default_factory=dict)
    mt_table: list[MtSequence] = field(default_factory=list)
    mt_rate: float = MT_DEFAULT_RATE
    #: The victims' counts in the tables: ``{("Y", victim, loci) or ("mt",
    #: victim): (count, size)}`` (one table scan per victim, not per pair).
    counted: dict[tuple[Any, ...], tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _index: TableIndex | None = field(default=None, repr=False, compare=False)

    @property
    def index(self) -> TableIndex:
        """The tables indexed for counting (built on first use)."""
        if self._index is None:
            self._index = TableIndex(self.y_table, self.mt_table)
        return self._index

    def y_count(
        self, victim: str, haplotype: Haplotype, loci: Sequence[str]
    ) -> tuple[int, int]:
        """The victim's ``(count, size)`` in the Y table over ``loci`` (cached)."""
        key = ("Y", victim, tuple(loci))
        if key not in self.counted:
            self.counted[key] = self.index.y_count(haplotype, loci)
        return self.counted[key]

    def mt_count(self, victim: str, sequence: MtSequence) -> tuple[int, int]:
        """The victim's ``(count, size)`` in the mtDNA table (cached)."""
        key = ("mt", victim)
        if key not in self.counted:
            self.counted[key] = self.index.mt_count(sequence)
        return self.counted[key]

    def __bool__(self) -> bool:
        return bool(self.y_victims or self.mt_victims)


def _mt(raw: Any, where: str) -> MtSequence:
    if not isinstance(raw, Mapping) or "range" not in raw:
        raise KinshipError(f"{where}: mtdna needs 'variants' and 'range'")
    return parse_mt(raw.get("variants") or "", str(raw["range"]))


def lineage_from_dict(data: Mapping[str, Any]) -> LineageData:
    """Read the optional lineage parts of a case JSON (see docs/kinship.md)."""
    out = LineageData()
    for vid, v in (data.get("pm") or {}).items():
        if isinstance(v, Mapping) and v.get("ystr"):
            out.y_victims[str(vid)] = parse_haplotype(v["ystr"])
        if isinstance(v, Mapping) and v.get("mtdna"):
            out.mt_victims[str(vid)] = _mt(v["mtdna"], f"victim {vid}")
    for fid, f in (data.get("am") or {}).items():
        if not isinstance(f, Mapping):
            continue
        for member, hap in (f.get("ystr") or {}).items():
            out.y_refs.setdefault(str(fid), {})[str(member)] = parse_haplotype(hap)
        for member, seq in (f.get("mtdna") or {}).items():
            out.mt_refs.setdefault(str(fid), {})[str(member)] = _mt(
                seq, f"family {fid} member {member}"
            )
    ydb = data.get("ystr_database") or {}
    out.y_table = [parse_haplotype(h) for h in ydb.get("haplotypes") or []]
    out.y_rates = {str(k): float(r) for k, r in (ydb.get("rates") or {}).items()}
    mdb = data.get("mtdna_database") or {}
    out.mt_table = [_mt(s, "mtdna_database") for s in mdb.get("sequences") or []]
    out.mt_rate = float(mdb.get("rate", MT_DEFAULT_RATE))
    if out.y_victims and out.y_refs and not out.y_table:
        raise KinshipError("Y-STR data need a ystr_database with haplotypes")
    if out.mt_victims and out.mt_refs and not out.mt_table:
        raise KinshipError("mtDNA data need an mtdna_database with sequences")
    return out


def lineage_results(
    data: LineageData, pedigree: Pedigree, family: str, missing: str, victim: str
) -> list[LineageResult]:
    """Lineage comparisons of ``victim`` placed as ``missing`` in ``family``.

    Per kind, the typed reference on the missing person's line with the
    fewest meioses is used.
    """
    out: list[LineageResult] = []
    kinds: list[tuple[str, Mapping[str, Any], Any]] = [
        ("father", data.y_refs.get(family, {}), data.y_victims.get(victim)),
        ("mother", data.mt_refs.get(family, {}), data.mt_victims.get(victim)),
    ]
    for side, refs, sample in kinds:
        if sample is None:
            continue
        best: tuple[int, str] | None = None
        for ref in refs:
            k = line_meioses(pedigree, missing, ref, side)
            if k is not None and (best is None or (k, ref) < best):
                best = (k, ref)
        if best is None:
            continue
        k, ref = best
        if side == "father":
            loci = tuple(locus for locus in refs[ref] if locus in sample)
            if not loci:
                continue  # different kits: nothing to compare
            out.append(
                y_lr(
                    refs[ref],
                    sample,
                    k,
                    data.y_table,
                    rates=data.y_rates,
                    name=ref,
                    counted={loci: data.y_count(victim, sample, loci)},
                )
            )
        else:
            out.append(
                mt_lr(
                    refs[ref],
                    sample,
                    k,
                    data.mt_table,
                    rate=data.mt_rate,
                    name=ref,
                    counted=data.mt_count(victim, sample),
                )
            )
    return out


def is_y_locus(name: str) -> bool:
    """True for a Y-STR locus name (``DYS391``, ``DYF387S1``, ``Y-GATA-H4``)."""
    return _Y_LOCUS.match(name.strip()) is not None


_Y_LOCUS = re.compile(r"^(DYS|DYF|Y[-_ ]?GATA)", re.IGNORECASE)

#: Y-STR loci of the common kits (Yfiler Plus, PowerPlex Y23, Yfiler, the
#: RM Y-STRs and a few more), in :func:`y_locus_key` form.
KNOWN_Y_LOCI = frozenset(
    [
        "DYS19",
        "DYS385",
        "DYS389I",
        "DYS389II",
        "DYS390",
        "DYS391",
        "DYS392",
        "DYS393",
        "DYS437",
        "DYS438",
        "DYS439",
        "DYS448",
        "DYS449",
        "DYS456",
        "DYS458",
        "DYS460",
        "DYS481",
        "DYS518",
        "DYS533",
        "DYS549",
        "DYS570",
        "DYS576",
        "DYS627",
        "DYS635",
        "DYS643",
        "DYF387S1",
        "DYF399S1",
        "DYF403S1",
        "DYF404S1",
        "DYS526",
        "DYS547",
        "DYS612",
        "DYS626",
        "DYS388",
        "DYS426",
        "DYS444",
        "DYS446",
        "DYS447",
        "DYS464",
        "DYS459",
        "DYS455",
        "DYS454",
        "DYS413",
        "DYS434",
        "DYS435",
        "DYS436",
        "DYS441",
        "DYS442",
        "DYS445",
        "DYS452",
        "DYS461",
        "DYS462",
        "DYS463",
        "DYS485",
        "DYS487",
        "DYS490",
        "DYS492",
        "DYS494",
        "DYS495",
        "DYS497",
        "DYS505",
        "DYS522",
        "DYS531",
        "DYS537",
        "DYS552",
        "DYS565",
        "DYS568",
        "DYS575",
        "DYS578",
        "DYS589",
        "DYS590",
        "DYS593",
        "DYS594",
        "DYS617",
        "DYS636",
        "DYS638",
        "DYS640",
        "DYS641",
        "DYS710",
        "DYS714",
        "DYS716",
        "DYS717",
        "YGATAH4",
        "YGATAA10",
        "YGATAC4",
    ]
)


def y_locus_key(name: str) -> str:
    """``DYS385a/b``, ``DYS 385`` and ``dys385`` are one locus: ``DYS385``."""
    key = re.sub(r"[^A-Z0-9]", "", name.upper())
    return re.sub(r"(?<=\d)(AB|A|B)$", "", key)


def is_known_y_locus(name: str) -> bool:
    """True for a Y-STR locus of the common kits (:data:`KNOWN_Y_LOCI`)."""
    return y_locus_key(name) in KNOWN_Y_LOCI


def format_haplotype(haplotype: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """A haplotype as stored (JSON): ``{locus: [sorted alleles]}``."""
    return {locus: list(alleles) for locus, alleles in sorted(haplotype.items())}


def format_mt(sequence: MtSequence) -> dict[str, str]:
    """An mtDNA sequence as stored (JSON), normalised.

    ``{"variants": "263G 315.1C 16069T", "range": "16024-16569 1-576"}``:
    variants in position order, without the reference base, deletions as
    ``del``; two spellings of one sequence give the same text.
    """
    parts = []
    for (pos, ins), base in sorted(sequence.variants.items()):
        suffix = f".{ins}" if ins else ""
        parts.append(f"{pos}{suffix}{'del' if base == '-' else base}")
    return {
        "variants": " ".join(parts),
        "range": " ".join(f"{lo}-{hi}" for lo, hi in sequence.ranges),
    }


# ---------------------------------------------------------------- lab files


def _rows(source: str | Path, what: str) -> tuple[list[str], list[list[str]]]:
    from kinship.genemapper import _dialect, _norm, _read_text

    text = _read_text(source)
    rows = [r for r in csv.reader(io.StringIO(text), _dialect(text)) if any(r)]
    if not rows:
        raise KinshipError(f"{what} CSV: the file is empty")
    return [_norm(h) for h in rows[0]], [[c.strip() for c in r] for r in rows[1:]]


def _column(header: list[str], names: Iterable[str], what: str) -> int:
    for i, h in enumerate(header):
        if h in names:
            return i
    raise KinshipError(f"{what} CSV: no {' / '.join(names)} column")


def read_ystr_csv(source: str | Path) -> dict[str, Haplotype]:
    """Read Y-STR haplotypes ``{sample: haplotype}`` from a path or CSV text.

    Long layout: ``Sample Name,Marker,Allele 1,Allele 2,...`` (as many allele
    columns as the multi-copy loci need); wide layout: ``Sample Name`` and one
    column per locus holding ``14`` or ``11,14``.
    """
    header, rows = _rows(source, "Y-STR")
    sample = _column(header, ("sample name", "sample"), "Y-STR")
    marker = next((i for i, h in enumerate(header) if h in ("marker", "locus")), None)
    raw: dict[str, dict[str, list[str]]] = {}
    if marker is not None:
        cols = [i for i, h in enumerate(header) if re.fullmatch(r"allele ?\d+", h)]
        for r in rows:
            cells = [r[i] for i in cols if i < len(r) and r[i]]
            raw.setdefault(r[sample], {})[r[marker]] = cells
    else:
        loci = [(i, h) for i, h in enumerate(header) if i != sample]
        names = _original_header(source)
        for r in rows:
            for i, _ in loci:
                if i < len(r) and r[i]:
                    raw.setdefault(r[sample], {})[names[i]] = [r[i]]
    return {
        s: parse_haplotype({k: ",".join(v) for k, v in loci_map.items() if v})
        for s, loci_map in raw.items()
    }


def _original_header(source: str | Path) -> list[str]:
    from kinship.genemapper import _dialect, _read_text

    text = _read_text(source)
    return [h.strip() for h in next(csv.reader(io.StringIO(text), _dialect(text)))]


#: Column names of the variants: wide (all of a sample's variants in one
#: cell) or long (one variant per row, the sample repeated).
_MT_VARIANTS = ("variants", "haplotype", "profile", "variant", "mutation", "difference")


def read_mtdna_csv(source: str | Path) -> dict[str, MtSequence]:
    """Read mtDNA sequences ``{sample: sequence}`` from a path or CSV text.

    Wide layout: ``Sample Name,Range,Variants`` (one row per sample, variants
    space separated); long layout: ``Sample Name,Range,Variant`` with one row
    per variant (a sample's rows must give one range; a row with an empty
    variant is a sample without differences).
    """
    header, rows = _rows(source, "mtDNA")
    sample = _column(header, ("sample name", "sample"), "mtDNA")
    rng = _column(header, ("range", "ranges", "compared range"), "mtDNA")
    var = _column(header, _MT_VARIANTS, "mtDNA")
    variants: dict[str, list[str]] = {}
    ranges: dict[str, str] = {}
    for r in rows:
        name = r[sample]
        if ranges.setdefault(name, r[rng]) != r[rng]:
            raise KinshipError(
                f"mtDNA CSV: sample {name}: two ranges ({ranges[name]}; {r[rng]})"
            )
        variants.setdefault(name, []).append(r[var] if var < len(r) else "")
    return {
        name: parse_mt(" ".join(v for v in found if v), ranges[name])
        for name, found in variants.items()
    }


def is_mtdna_csv(source: str | Path) -> bool:
    """True if the CSV has the ``Range`` and ``Variants`` columns of mtDNA."""
    from kinship.genemapper import _dialect, _norm, _read_text

    text = _read_text(source)
    first = next(csv.reader(io.StringIO(text), _dialect(text)), [])
    names = {_norm(h) for h in first}
    return bool(names & {"range", "ranges", "compared range"}) and bool(
        names & set(_MT_VARIANTS)
    )


def split_ystr_csv(source: str | Path) -> tuple[str | None, dict[str, Haplotype]]:
    """Split a genotyping export into its autosomal part and its Y-STR loci.

    Returns the CSV text without the Y-STR loci (None when nothing else is
    left) for :func:`kinship.genemapper.read_genemapper_csv`, and the Y-STR
    haplotypes ``{sample: haplotype}`` (Y loci: :func:`is_y_locus`).  Long
    layout (``Sample Name,Marker,Allele 1,...``: rows of Y loci) and wide
    layouts (``DYS391`` or ``DYS391 Allele 1`` columns) alike.
    """
    from kinship.genemapper import _WIDE, EMPTY, _dialect, _norm, _read_text

    text = _read_text(source)
    dialect = _dialect(text)
    rows = [r for r in csv.reader(io.StringIO(text), dialect) if any(r)]
    if not rows:
        raise KinshipError("CSV: the file is empty")
    header = [h.strip() for h in rows[0]]
    norm = [_norm(h) for h in header]
    sample = _column(norm, ("sample name", "sample"), "genotyping")
    marker = next((i for i, h in enumerate(norm) if h in ("marker", "locus")), None)
    raw: dict[str, dict[str, list[str]]] = {}
    keep_rows: list[list[str]] = [rows[0]]
    keep_cols = list(range(len(header)))

    def add(name: str, locus: str, cells: Iterable[str]) -> None:
        alleles = [
            a.strip()
            for c in cells
            for a in re.split(r"[/,;]", c)
            if a.strip().upper() not in EMPTY
        ]
        if alleles and name:
            raw.setdefault(name, {}).setdefault(locus, []).extend(alleles)

    if marker is not None:
        cols = [i for i, h in enumerate(norm) if re.fullmatch(r"allele ?\d+", h)]
        for r in rows[1:]:
            r = [c.strip() for c in r] + [""] * (len(header) - len(r))
            if is_y_locus(r[marker]):
                add(r[sample], r[marker], (r[i] for i in cols))
            else:
                keep_rows.append(r)
    else:
        y_cols: dict[str, list[int]] = {}
        for i, h in enumerate(header):
            m = _WIDE.match(h)
            locus = m.group("locus").strip() if m else h
            if i != sample and is_y_locus(locus):
                y_cols.setdefault(locus, []).append(i)
        taken = {i for cols in y_cols.values() for i in cols}
        keep_cols = [i for i in range(len(header)) if i not in taken]
        for r in rows[1:]:
            r = [c.strip() for c in r] + [""] * (len(header) - len(r))
            for locus, cols in y_cols.items():
                add(r[sample], locus, (r[i] for i in cols))
            keep_rows.append(r)
    rest: str | None = None
    if len(keep_rows) > 1 and len(keep_cols) > 1:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for r in keep_rows:
            writer.writerow([r[i] if i < len(r) else "" for i in keep_cols])
        rest = out.getvalue()
    haplotypes = {name: parse_haplotype(loci) for name, loci in raw.items()}
    return rest, {name: h for name, h in haplotypes.items() if h}
