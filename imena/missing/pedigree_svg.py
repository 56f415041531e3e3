"""Server-rendered pedigree drawing: generations in rows, squares for males,
circles for females, diamonds for unknown sex, the missing person highlighted
and typed members (with a DNA profile) marked."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _

from imena.missing.models import MissingPerson

BOX = 36
GAP_X = 120  # room for a label of LABEL_CHARS at 11 px between neighbours
LABEL_CHARS = 17
GAP_Y = 100
PAD = 40


@dataclass
class Node:
    ident: str
    label: str
    sex: int
    father: str | None
    mother: str | None
    missing: bool
    typed: bool


def generations(nodes: list[Node]) -> dict[str, int]:
    """Row of each member: parents one row above their deepest child's other parents."""
    by_id = {n.ident: n for n in nodes}
    gen: dict[str, int] = {}

    def depth(i: str, seen: frozenset[str] = frozenset()) -> int:
        if i in gen:
            return gen[i]
        if i in seen:  # a cycle is refused before drawing; guard anyway
            return 0
        n = by_id[i]
        ps = [p for p in (n.father, n.mother) if p in by_id]
        gen[i] = 0 if not ps else 1 + max(depth(p, seen | {i}) for p in ps)
        return gen[i]

    for n in nodes:
        depth(n.ident)
    # A founder married into the family (a spouse, the other parent) sits in
    # the row of the partner it has children with.
    for _round in range(3):
        for n in nodes:
            for other in (n.father, n.mother):
                partner = n.mother if other == n.father else n.father
                if other in by_id and partner in by_id:
                    a, b = gen[other], gen[partner]
                    if by_id[other].father is None and by_id[other].mother is None:
                        gen[other] = max(a, b)
                    if by_id[partner].father is None and by_id[partner].mother is None:
                        gen[partner] = max(a, b)
    return gen


def render(nodes: list[Node]) -> str:
    if not nodes:
        return ""
    gen = generations(nodes)
    rows: dict[int, list[Node]] = {}
    for n in nodes:
        # Generations top to bottom: founders in the first row, children below
        # their parents (the rows are laid out in order, parents first).
        rows.setdefault(gen[n.ident], []).append(n)
    pos: dict[str, tuple[float, float]] = {}
    width = max(len(r) for r in rows.values()) * GAP_X + 2 * PAD
    for r, members in sorted(rows.items()):
        # Keep couples and siblings near each other: sort by parents' position.
        members.sort(
            key=lambda n: (
                sum(pos[p][0] for p in (n.father, n.mother) if p in pos) or 0,
                n.ident,
            )
        )
        offset = (width - len(members) * GAP_X) / 2 + GAP_X / 2
        for k, n in enumerate(members):
            pos[n.ident] = (offset + k * GAP_X, PAD + r * GAP_Y + BOX / 2)
    height = PAD * 2 + len(rows) * GAP_Y + 14
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pedigree" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}">',
        f"<title>{escape(_('Pedigree'))}</title>",
    ]
    half = BOX / 2
    for n in nodes:
        parents = [p for p in (n.father, n.mother) if p in pos]
        if not parents:
            continue
        cx, cy = pos[n.ident]
        px = sum(pos[p][0] for p in parents) / len(parents)
        py = max(pos[p][1] for p in parents) + half
        mid = cy - half - (GAP_Y - BOX) / 2
        if len(parents) == 2:
            a, b = (pos[p] for p in parents)
            out.append(
                f'<line x1="{a[0]:.0f}" y1="{a[1]:.0f}" x2="{b[0]:.0f}" '
                f'y2="{b[1]:.0f}" class="couple" stroke="#555"/>'
            )
            py = a[1]
        out.append(
            f'<polyline points="{px:.0f},{py:.0f} {px:.0f},{mid:.0f} {cx:.0f},{mid:.0f} '
            f'{cx:.0f},{cy - half:.0f}" fill="none" stroke="#555"/>'
        )
    for n in nodes:
        x, y = pos[n.ident]
        fill = "#f4c542" if n.missing else ("#9cc3e6" if n.typed else "#fff")
        cls = (
            "member" + (" missing" if n.missing else "") + (" typed" if n.typed else "")
        )
        attrs = (
            f'class="{cls}" data-member="{escape(n.ident)}" fill="{fill}" stroke="#222"'
        )
        if n.sex == 1:
            out.append(
                f'<rect x="{x - half:.0f}" y="{y - half:.0f}" width="{BOX}" '
                f'height="{BOX}" {attrs}/>'
            )
        elif n.sex == 2:
            out.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{half:.0f}" {attrs}/>')
        else:
            out.append(
                f'<polygon points="{x:.0f},{y - half:.0f} {x + half:.0f},{y:.0f} '
                f'{x:.0f},{y + half:.0f} {x - half:.0f},{y:.0f}" {attrs}/>'
            )
        if n.typed:
            out.append(
                f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle" '
                f'font-size="11">DNA</text>'
            )
        if n.missing:
            out.append(
                f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle" '
                f'font-size="16">?</text>'
            )
        # The member id and the relationship on two lines, each short enough
        # not to reach the neighbour's label.
        for k, line in enumerate(n.label.split(" · ", 1)):
            out.append(
                f'<text x="{x:.0f}" y="{y + half + 14 + 13 * k:.0f}" '
                f'text-anchor="middle" font-size="11">'
                f"{escape(line[:LABEL_CHARS])}</text>"
            )
    out.append("</svg>")
    return "\n".join(out)


def render_person(person: object) -> str:

    assert isinstance(person, MissingPerson)
    members = list(
        person.pedigree.select_related("father", "mother").prefetch_related("samples")
    )
    nodes = [
        Node(
            m.member_id,
            m.member_id
            if not m.relationship
            else f"{m.member_id} · {m.get_relationship_display()}",
            m.sex,
            m.father.member_id if m.father else None,
            m.mother.member_id if m.mother else None,
            m.is_missing,
            any(s.profile_id for s in m.samples.all()),
        )
        for m in members
    ]
    return render(nodes)
