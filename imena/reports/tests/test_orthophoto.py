"""Orthophotos of a site (#17): upload, evidence, rendition, access, refusals."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from PIL import Image

from imena.audit.models import AuditEntry
from imena.evidence.models import CustodyEntry, EvidenceItem, Orthophoto
from imena.evidence.tests.factories import orthophoto_geotiff, orthophoto_png, png_bomb

pytestmark = pytest.mark.django_db
CENTRE = (49.1902, 37.2806)  # the populated site's mass grave


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


def _post(client, site, image: tuple[str, bytes], world: str | None = None, **fields):
    data = {"image": SimpleUploadedFile(image[0], image[1]), **fields}
    if world is not None:
        data["world_file"] = SimpleUploadedFile("ortho.pgw", world.encode())
    # the file goes into the store when the request's transaction commits
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("reports:orthophoto_create", args=[site.pk]), data)


def _stored_files(root) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


def test_a_png_with_its_world_file_is_stored_as_evidence_and_drawn_on_the_map(
    client, site, investigator, users, _evidence_root
) -> None:
    data, world = orthophoto_png(*CENTRE)
    client.force_login(investigator)
    response = _post(client, site, ("ortho.png", data), world, epsg=32637)
    assert response.status_code == 302, response.content.decode()[-2000:]
    orthophoto = Orthophoto.objects.get()
    item = orthophoto.item
    assert item.site == site and item.grave is None and item.sha256
    assert orthophoto.epsg == 32637 and orthophoto.world_file.startswith("0.2")
    assert orthophoto.south < CENTRE[0] < orthophoto.north
    assert orthophoto.west < CENTRE[1] < orthophoto.east
    assert CustodyEntry.objects.filter(item=item, seq=1).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"evidence.create", "site.orthophoto_add"} <= actions
    # The map lists it under the graves, for the browser to draw.
    page = client.get(reverse("reports:site_map", args=[site.pk])).content.decode()
    image_url = reverse("reports:orthophoto_image", args=[orthophoto.pk])
    assert 'id="map-overlays"' in page and image_url in page
    rendition = client.get(image_url)
    assert rendition.status_code == 200 and rendition["Content-Type"] == "image/webp"
    assert Image.open(io.BytesIO(b"".join(rendition.streaming_content))).size == (
        orthophoto_rendition_size(orthophoto)
    )
    assert AuditEntry.objects.filter(action="evidence.rendition_view").exists()
    # The original is the evidence file, with its custody page.
    detail = client.get(item.get_absolute_url())
    assert detail.status_code == 200 and site.name in detail.content.decode()
    original = client.get(reverse("exhumations:evidence_file", args=[item.pk]))
    assert b"".join(original.streaming_content) == data


def orthophoto_rendition_size(orthophoto: Orthophoto) -> tuple[int, int]:
    from imena.evidence import storage

    with Image.open(storage.rendition_path(orthophoto.rendition)) as image:
        return image.size


def test_a_geotiff_brings_its_own_georeference_and_epsg_code(
    client, site, investigator
) -> None:
    client.force_login(investigator)
    response = _post(client, site, ("ortho.tif", orthophoto_geotiff(*CENTRE)))
    assert response.status_code == 302
    orthophoto = Orthophoto.objects.get()
    assert orthophoto.epsg == 32637 and orthophoto.world_file == ""
    assert orthophoto.south < CENTRE[0] < orthophoto.north


def _refused(response, message: str) -> None:
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not EvidenceItem.objects.exists() and not Orthophoto.objects.exists()


@pytest.mark.parametrize(
    ("upload", "world", "fields", "message"),
    [
        ("png", None, {"epsg": 32637}, "has no georeference"),
        ("png", "0.2\n0\n0\n-0.2\n", {"epsg": 32637}, "six numbers"),
        ("png", "ok", {}, "Give the EPSG code"),
        ("png", "ok", {"epsg": 999999}, "EPSG:999999 is not"),
        # UTM 36N instead of 37N: the image lands hundreds of km away.
        ("png", "ok", {"epsg": 32636}, "km from the site"),
        ("tif-no-epsg", None, {}, "Give the EPSG code"),
        ("tif", None, {"epsg": 32636}, "the form says EPSG:32636"),
        ("bomb", "ok", {"epsg": 32637}, "too large"),
        ("pdf", None, {}, "not accepted"),
    ],
)
def test_a_refused_orthophoto_stores_nothing_and_says_why(
    client, site, investigator, _evidence_root, upload, world, fields, message
) -> None:
    data, good_world = orthophoto_png(*CENTRE)
    files = {
        "png": ("ortho.png", data),
        "tif": ("ortho.tif", orthophoto_geotiff(*CENTRE)),
        "tif-no-epsg": ("ortho.tif", orthophoto_geotiff(*CENTRE, epsg=None)),
        "bomb": ("bomb.png", png_bomb()),
        "pdf": ("ortho.txt", b"%PDF-1.4"),
    }
    client.force_login(investigator)
    response = _post(
        client, site, files[upload], good_world if world == "ok" else world, **fields
    )
    _refused(response, message)
    assert _stored_files(_evidence_root) == []


def test_a_world_file_that_is_not_one_is_refused(client, site, investigator) -> None:
    data, world = orthophoto_png(*CENTRE)
    client.force_login(investigator)
    response = client.post(
        reverse("reports:orthophoto_create", args=[site.pk]),
        {
            "image": SimpleUploadedFile("ortho.png", data),
            "world_file": SimpleUploadedFile("ortho.exe", world.encode()),
            "epsg": "32637",
        },
    )
    _refused(response, "is not a world file")


def test_who_may_add_and_see_orthophotos(client, site, users, outsider) -> None:
    data, world = orthophoto_png(*CENTRE)
    client.force_login(users["family_liaison"])  # sees the site, not its evidence
    assert _post(client, site, ("o.png", data), world, epsg=32637).status_code == 403
    client.force_login(users["investigator"])
    assert _post(client, site, ("o.png", data), world, epsg=32637).status_code == 302
    image_url = reverse("reports:orthophoto_image", args=[Orthophoto.objects.get().pk])
    client.force_login(users["family_liaison"])
    page = client.get(reverse("reports:site_map", args=[site.pk])).content.decode()
    assert image_url not in page and "Add an orthophoto" not in page
    assert client.get(image_url).status_code == 403
    client.force_login(outsider)
    assert client.get(image_url).status_code == 404
    assert _post(client, site, ("o.png", data), world, epsg=32637).status_code == 404


def test_an_orthophoto_over_its_size_limit_is_refused_while_it_arrives(
    client, site, investigator, settings, _evidence_root
) -> None:
    settings.IMENA_MAX_ORTHOPHOTO_BYTES = 1000
    data, world = orthophoto_png(*CENTRE, pixels=(400, 300))
    assert len(data) > 1000
    client.force_login(investigator)
    response = _post(client, site, ("ortho.png", data), world, epsg=32637)
    assert response.status_code == 413
    assert not EvidenceItem.objects.exists()
    assert _stored_files(_evidence_root) == []
