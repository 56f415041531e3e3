"""Writes to evidence items and their chain of custody; each is atomic and audited."""

from __future__ import annotations

import datetime as dt
import math
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from imena.audit.services import audit_record, snapshot
from imena.evidence import georef, storage
from imena.evidence.models import (
    CustodyAction,
    CustodyEntry,
    EvidenceItem,
    EvidenceKind,
    Orthophoto,
)

if TYPE_CHECKING:
    from imena.accounts.models import User
    from imena.burials.models import Grave, Site


def _next_evidence_number(organisation_id: int) -> str:
    count = EvidenceItem.objects.filter(organisation_id=organisation_id).count()
    while True:
        count += 1
        number = f"EV-{count:06d}"
        if not EvidenceItem.objects.filter(
            organisation_id=organisation_id, number=number
        ).exists():
            return number


@transaction.atomic
def evidence_create(
    *,
    actor: User,
    grave: Grave | None = None,
    site: Site | None = None,
    kind: str,
    staged: storage.StagedFile | None = None,
    exhumation: Model | None = None,
    body: Model | None = None,
    description: str = "",
    seal_number: str = "",
    holder: str = "",
    place: str = "",
    notes: str = "",
) -> EvidenceItem:
    """Register an evidence item of a grave (or of a whole ``site``); a file
    goes into the store when the transaction commits.

    ``description`` is what a person wrote about the item, kept as written;
    ``notes`` go on the first custody entry (e.g. where the item came from).
    The staged file is discarded on any refusal, so nothing is stored half-way.
    """
    try:
        if grave is not None and site is None:
            org_id = grave.site.organisation_id
        elif site is not None and grave is None:
            org_id = site.organisation_id
        else:
            raise ValidationError(
                _("An evidence item belongs to a grave or to a whole site.")
            )
        if staged is not None:
            dup = EvidenceItem.objects.filter(
                organisation_id=org_id, sha256=staged.sha256
            ).first()
            if dup is not None:
                raise ValidationError(
                    _("%(name)s is already stored as evidence item %(number)s.")
                    % {"name": staged.original_name, "number": dup.number}
                )
            if kind != staged.type.kind:
                kind = staged.type.kind
        elif kind != EvidenceKind.PHYSICAL:
            raise ValidationError(
                {"file": _("A %(kind)s needs a file.") % {"kind": kind}}
            )
        holder = holder.strip() or (actor.get_full_name() or actor.get_username())
        item = EvidenceItem(
            organisation_id=org_id,
            number=_next_evidence_number(org_id),
            grave=grave,
            site=site,
            exhumation_id=exhumation.pk if exhumation is not None else None,
            body_id=body.pk if body is not None else None,
            kind=kind,
            description=description,
            seal_number=seal_number,
            holder=holder,
            created_by=actor,
        )
        if staged is not None:
            item.sha256 = staged.sha256
            item.size = staged.size
            item.original_name = staged.original_name[:255]
            item.media_type = staged.type.media_type
            item.captured_at = staged.captured_at
            item.gps_lat = staged.gps_lat
            item.gps_lon = staged.gps_lon
            item.metadata = staged.metadata
        item.full_clean()
        item.save()
        CustodyEntry.objects.create(
            item=item,
            seq=1,
            action=CustodyAction.COLLECTED,
            to_person=holder,
            at=timezone.now(),
            place=place,
            seal_number=seal_number,
            # Stored in the source language and translated where it is shown,
            # so each reader sees it in their own language.
            purpose=gettext_noop("Collected and registered"),
            notes=notes,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="evidence.create",
            obj=item,
            after=snapshot(item),
            organisation_id=org_id,
        )
        if staged is not None:
            # The file is moved into place only when the item's transaction
            # commits: a rollback (here or in an outer transaction) stores
            # nothing, and its temporary copy is left to `evidence sweep-tmp`.
            storage.commit_on_success(staged)
    except BaseException:
        if staged is not None:
            staged.discard()
        raise
    return item


@transaction.atomic
def custody_record(
    *,
    actor: User,
    item: EvidenceItem,
    action: str,
    to_person: str,
    from_person: str = "",
    at: dt.datetime | None = None,
    place: str = "",
    purpose: str = "",
    seal_number: str = "",
    notes: str = "",
) -> CustodyEntry:
    """Append one hand-over, transfer, check-out/in or analysis to the chain."""
    # Collection and re-use are recorded by evidence_create and evidence_reference.
    if action not in CustodyAction.values or action in (
        CustodyAction.COLLECTED,
        CustodyAction.REFERENCED,
    ):
        raise ValidationError({"action": _("Unknown custody action.")})
    if not to_person.strip():
        raise ValidationError({"to_person": _("Say who receives the item.")})
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    last = item.custody.aggregate(m=Max("seq"))["m"] or 0
    entry = CustodyEntry(
        item=item,
        seq=last + 1,
        action=action,
        from_person=from_person.strip() or item.holder,
        to_person=to_person.strip(),
        at=at or timezone.now(),
        place=place,
        purpose=purpose,
        seal_number=seal_number,
        notes=notes,
        recorded_by=actor,
    )
    entry.full_clean()
    entry.save()
    before = {"holder": item.holder, "seal_number": item.seal_number}
    item.holder = entry.to_person
    fields = ["holder"]
    if seal_number:
        item.seal_number = seal_number
        fields.append("seal_number")
    item.save(update_fields=fields)
    audit_record(
        actor=actor,
        action=f"evidence.custody.{action}",
        obj=item,
        before=before,
        after=snapshot(entry),
        organisation_id=item.organisation_id,
    )
    return entry


@transaction.atomic
def evidence_reference(
    *, actor: User, item: EvidenceItem, purpose: str
) -> CustodyEntry:
    """Record that another record uses this item (the same file arrived again).

    The item is not copied and its holder does not change; the chain of custody
    gains an entry naming the new use.
    """
    item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
    last = item.custody.aggregate(m=Max("seq"))["m"] or 0
    entry = CustodyEntry.objects.create(
        item=item,
        seq=last + 1,
        action=CustodyAction.REFERENCED,
        from_person=item.holder,
        to_person=item.holder,
        at=timezone.now(),
        purpose=purpose[:300],
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="evidence.custody.referenced",
        obj=item,
        after=snapshot(entry),
        organisation_id=item.organisation_id,
    )
    return entry


# How far an orthophoto's centre may lie from its site's position: farther, the
# EPSG code or the world file is almost surely wrong (e.g. easting and northing
# read in the wrong zone).
ORTHOPHOTO_MAX_KM_FROM_SITE = 25.0


def _km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@transaction.atomic
def orthophoto_create(
    *,
    actor: User,
    site: Site,
    staged: storage.StagedFile,
    world_file: str = "",
    epsg: int | None = None,
    description: str = "",
    place: str = "",
) -> Orthophoto:
    """Register a georeferenced image of a site as evidence, with a map rendition.

    A GeoTIFF carries its georeference (the EPSG code may be given when its tags
    have none); a PNG or JPEG needs a ``world_file`` and an ``epsg``. All or
    nothing: any refusal (:class:`georef.OrthophotoError`, ``ValidationError``)
    discards the staged file and stores no item. Audited as ``evidence.create``
    and ``site.orthophoto_add``.
    """
    try:
        name = staged.original_name
        if staged.type.name not in ("tiff", "png", "jpeg"):
            raise georef.OrthophotoError(
                _("%(name)s: an orthophoto is a GeoTIFF, PNG or JPEG image.")
                % {"name": name}
            )
        image = georef.open_image(staged.temp_path, name)
        with image:
            transform: georef.Transform | None = None
            file_epsg: int | None = None
            if world_file.strip():
                transform = georef.parse_world_file(world_file)
            elif staged.type.name == "tiff":
                transform, file_epsg = georef.geotiff_georeference(
                    getattr(image, "tag_v2", {})
                )
            if transform is None:
                raise georef.OrthophotoError(
                    _(
                        "%(name)s has no georeference: upload its world file "
                        "(.pgw, .jgw, .tfw or .wld) with it."
                    )
                    % {"name": name}
                )
            if epsg and file_epsg and epsg != file_epsg:
                raise georef.OrthophotoError(
                    _(
                        "The GeoTIFF says EPSG:%(file)s but the form says "
                        "EPSG:%(form)s; leave the form empty or correct it."
                    )
                    % {"file": file_epsg, "form": epsg}
                )
            code = epsg or file_epsg
            if not code:
                raise georef.OrthophotoError(
                    _(
                        "Give the EPSG code of the coordinates (e.g. 32637 for "
                        "UTM zone 37N)."
                    )
                )
            try:
                rendition = georef.render(image, transform, code)
            except (OSError, SyntaxError):  # truncated or corrupt pixel data
                raise georef.OrthophotoError(
                    _("%(name)s: the image cannot be read.") % {"name": name}
                ) from None
            width, height = image.size
        if site.lat is not None and site.lon is not None:
            km = _km_between(
                (rendition.south + rendition.north) / 2,
                (rendition.west + rendition.east) / 2,
                site.lat,
                site.lon,
            )
            if km > ORTHOPHOTO_MAX_KM_FROM_SITE:
                raise georef.OrthophotoError(
                    _(
                        "The image lies %(km)s km from the site; check the EPSG "
                        "code and the world file."
                    )
                    % {"km": f"{km:,.0f}"}
                )
        item = evidence_create(
            actor=actor,
            site=site,
            kind=EvidenceKind.PHOTO,
            staged=staged,
            description=description or _("Orthophoto of the site"),
            place=place,
            notes=_("Orthophoto, EPSG:%(code)s") % {"code": code},
        )
        orthophoto = Orthophoto(
            organisation_id=site.organisation_id,
            site=site,
            item=item,
            epsg=code,
            transform=list(transform),
            world_file=world_file.strip()[:2000],
            width=width,
            height=height,
            south=rendition.south,
            west=rendition.west,
            north=rendition.north,
            east=rendition.east,
            rendition=storage.rendition_store(rendition.data, "webp"),
            rendition_type=rendition.media_type,
            created_by=actor,
        )
        orthophoto.full_clean()
        orthophoto.save()
        audit_record(
            actor=actor,
            action="site.orthophoto_add",
            obj=site,
            after=snapshot(orthophoto),
            organisation_id=site.organisation_id,
        )
    except BaseException:
        staged.discard()
        raise
    return orthophoto


@dataclass(frozen=True)
class SweptFile:
    """A temporary copy removed by :func:`evidence_tmp_sweep`."""

    path: str  # relative to the evidence root, e.g. ``tmp/upload-x1y2``
    size: int
    age_hours: float


def tmp_folders() -> list[Path]:
    """The store's temporary folders: ``tmp/`` and ``<area>/tmp/`` (ODK)."""
    root = storage.evidence_root()
    return [root / "tmp", *sorted(root.glob("*/tmp"))]


def evidence_tmp_sweep(
    *, older_than: dt.timedelta, actor: User | None = None
) -> list[SweptFile]:
    """Remove copies left in the store's temporary folders for longer than
    ``older_than``; the files removed, oldest first.

    A copy stays there when the transaction that was to store it rolled back
    (the store itself is only written when a record commits). Only regular
    files directly in a ``tmp`` folder are touched, never the store, so no
    record can lose its file; an upload still being copied is younger than any
    age allowed here. Audited as ``evidence.sweep_tmp`` when anything is removed.
    """
    if older_than < dt.timedelta(hours=1):
        raise ValueError("older_than must be at least one hour")
    root = storage.evidence_root()
    now = timezone.now().timestamp()
    cutoff = now - older_than.total_seconds()
    swept: list[SweptFile] = []
    for folder in tmp_folders():
        if folder.is_symlink() or not folder.is_dir():
            continue
        for path in folder.iterdir():
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(info.st_mode) or info.st_mtime >= cutoff:
                continue
            path.unlink(missing_ok=True)
            swept.append(
                SweptFile(
                    path.relative_to(root).as_posix(),
                    info.st_size,
                    round((now - info.st_mtime) / 3600, 1),
                )
            )
    swept.sort(key=lambda f: (-f.age_hours, f.path))
    if swept:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="evidence.sweep_tmp",
                object_type="evidence.store",
                object_repr="tmp",
                after={
                    "older_than_hours": older_than.total_seconds() / 3600,
                    "removed": [
                        {"path": f.path, "size": f.size, "age_hours": f.age_hours}
                        for f in swept
                    ],
                },
            )
    return swept
