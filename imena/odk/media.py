"""Form media generated per organisation: the sites and graves Collect offers."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import TYPE_CHECKING

from imena.accounts.access import in_organisation
from imena.burials.models import Grave, Site
from imena.odk.formdefs import GRAVES_CSV, SITES_CSV

if TYPE_CHECKING:
    from imena.accounts.models import User


def sites_csv(user: User) -> bytes:

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "label"])
    for code, name in (
        Site.objects.filter(in_organisation(user))
        .order_by("name")
        .values_list("code", "name")
    ):
        writer.writerow([code, name])
    return out.getvalue().encode("utf-8")


def graves_csv(user: User) -> bytes:
    """One row a grave: name (the grave's id), label (marker and ref), site (code)."""

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "label", "site"])
    rows = (
        Grave.objects.filter(in_organisation(user, "site"), withdrawn=False)
        .order_by("site__code", "ref")
        .values_list("pk", "marker_text", "ref", "site__code")
    )
    for pk, marker, ref, site_code in rows.iterator(chunk_size=2000):
        label = f"{marker} ({ref})" if marker else ref
        writer.writerow([pk, label, site_code])
    return out.getvalue().encode("utf-8")


GENERATORS = {SITES_CSV: sites_csv, GRAVES_CSV: graves_csv}


def media_file(user: User, filename: str) -> bytes | None:
    generator = GENERATORS.get(filename)
    return generator(user) if generator else None


def md5(content: bytes) -> str:
    return hashlib.md5(content).hexdigest()
