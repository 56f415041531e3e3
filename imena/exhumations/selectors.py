"""Reads of exhumation records: post-mortem records as the identification engine reads them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from imena.exhumations.models import (
    Body,
    BodyItem,
    Particular,
    PostMortemRecord,
    ToothFinding,
)

# --- For the identification side ------------------------------------------------


def pm_record_as_dict(body: Body) -> dict[str, Any]:
    """The body's post-mortem record as ``matching.records.PMRecord.from_dict`` takes it.

    Stature is given as the midpoint of the recorded range with half the range
    as its standard error; withdrawn rows are left out.
    """
    return pm_records_as_dicts([body])[body.pk]


def pm_records_as_dicts(bodies: Sequence[Body]) -> dict[int, dict[str, Any]]:
    """``pm_record_as_dict`` of many bodies in four queries per 5,000 bodies
    (not four per body)."""
    ids = [b.pk for b in bodies]
    pms: dict[int, PostMortemRecord] = {}
    rows: dict[str, dict[int, list[Any]]] = {
        name: defaultdict(list) for name in ("particulars", "teeth", "items")
    }
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        pms.update(
            (r.body_id, r) for r in PostMortemRecord.objects.filter(body_id__in=chunk)
        )
        for name, model in (
            ("particulars", Particular),
            ("teeth", ToothFinding),
            ("items", BodyItem),
        ):
            for row in model.objects.filter(body_id__in=chunk, withdrawn=False):
                rows[name][row.body_id].append(row)
    return {
        b.pk: _pm_dict(
            b,
            pms.get(b.pk) or PostMortemRecord(body=b),
            rows["particulars"].get(b.pk, []),
            rows["teeth"].get(b.pk, []),
            rows["items"].get(b.pk, []),
        )
        for b in bodies
    }


def _pm_dict(
    body: Body,
    pm: PostMortemRecord,
    particular_rows: Sequence[Particular],
    teeth: Sequence[ToothFinding],
    items: Sequence[BodyItem],
) -> dict[str, Any]:
    out: dict[str, Any] = {"body_id": body.pm_number}
    for key in ("sex", "sex_method", "build", "hair_colour", "eye_colour"):
        value = getattr(pm, key)
        if value:
            out[key] = value
    if pm.sex_certainty:
        out["sex_certainty"] = pm.sex_certainty
    if pm.age_min is not None or pm.age_max is not None:
        out["age_min"] = float(pm.age_min if pm.age_min is not None else pm.age_max)  # type: ignore[arg-type]
        out["age_max"] = float(pm.age_max if pm.age_max is not None else pm.age_min)  # type: ignore[arg-type]
    if pm.stature_min is not None or pm.stature_max is not None:
        low = pm.stature_min if pm.stature_min is not None else pm.stature_max
        high = pm.stature_max if pm.stature_max is not None else pm.stature_min
        out["stature_cm"] = (low + high) / 2  # type: ignore[operator]
        if high > low:  # type: ignore[operator]
            out["stature_se"] = (high - low) / 2  # type: ignore[operator]
    particulars = [
        {
            "kind": p.kind,
            "region": p.region or None,
            "side": p.side or None,
            "subtype": p.subtype or None,
            "serial": p.serial or None,
            "description": p.description,
        }
        for p in particular_rows
    ]
    if particulars:
        out["particulars"] = particulars
    dental = {
        t.tooth: {
            "status": t.status,
            "restoration": t.restoration or None,
            "surfaces": sorted(t.surfaces),
            "crown": t.crown or None,
            "bridge": t.bridge or None,
            "implant": t.implant or None,
            "endodontics": list(t.endodontics or []),
        }
        for t in teeth
    }
    if dental:
        out["dental"] = dental
    clothing, effects, documents = [], [], []
    for it in items:
        if it.kind == "clothing":
            clothing.append(
                {
                    "category": it.category,
                    "colours": list(it.colours or []),
                    "pattern": it.pattern or None,
                    "material": it.material or None,
                    "size_eu": it.size_eu,
                    "label_text": it.label_text or None,
                }
            )
        elif it.kind == "effect":
            effects.append(
                {
                    "category": it.category,
                    "material": it.material or None,
                    "label_text": it.label_text or None,
                    "serial": it.serial or None,
                }
            )
        else:
            documents.append(
                {
                    "kind": it.category,
                    "number": it.serial or None,
                    "name": it.name_on_item or None,
                }
            )
    for key, rows in (
        ("clothing", clothing),
        ("effects", effects),
        ("documents", documents),
    ):
        if rows:
            out[key] = rows
    return out
