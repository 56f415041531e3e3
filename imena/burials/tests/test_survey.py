"""Grave positions from a site survey CSV (#17): all or nothing, audited."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from imena.audit.models import AuditEntry
from imena.burials import services
from imena.burials.models import Grave, GraveKind
from imena.burials.survey import SurveyError, distance_m, parse_survey_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(org, examiner):
    site = services.site_create(actor=examiner, organisation=org, code="srv", name="S")
    for i in (1, 2, 3):
        services.grave_create(
            actor=examiner, site=site, marker_text=f"№ {i}", x=float(i), y=0.0
        )
    services.grave_create(
        actor=examiner,
        site=site,
        marker_text="БМ-1",
        kind=GraveKind.MASS,
        lat=49.19,
        lon=37.28,
    )
    return site


def _grave(site, number: str) -> Grave:
    return Grave.objects.get(site=site, number=number)


def test_a_survey_sets_positions_and_keeps_the_old_ones_in_the_audit_log(
    site, examiner
) -> None:
    rows = parse_survey_csv(
        "grave;lat;lon\n№ 1;49,190010;37,280020\n2;49.19002;37.28003\n"
        "БМ-1;49.19001;37.28\n"
    )
    moves = services.grave_positions_import(
        actor=examiner, site=site, rows=rows, reason="GNSS survey 2026-11-30"
    )
    assert [m.grave.number for m in moves] == ["1", "2", "бм1"]
    assert (_grave(site, "1").lat, _grave(site, "1").lon) == (49.19001, 37.28002)
    mass = moves[2]
    assert mass.moved_m is not None and abs(mass.moved_m - 1.1054) < 0.01
    assert moves[0].moved_m is None  # had only grid x/y
    entry = AuditEntry.objects.filter(
        action="grave.update", object_id=str(_grave(site, "бм1").pk)
    ).get()
    before, after = (
        json.loads(v) if isinstance(v, str) else v for v in (entry.before, entry.after)
    )
    assert before == {"lat": 49.19}  # only what changed, lon stayed
    assert after == {"lat": 49.19001, "reason": "GNSS survey 2026-11-30"}
    assert AuditEntry.objects.filter(action="site.survey_import").count() == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "grave,lat,lon\n1,49.19,37.28\n2,abc,37.28\n",
            "line 3: lat 'abc' is not a number",
        ),
        ("grave,lat,lon\n1,91,37.28\n", "line 2: lat 91 is outside -90 to 90"),
        (
            "grave,lat,lon\n1,49.1,37.2\n№ 1,49.1,37.2\n",
            "line 3: grave № 1 is also on line 2",
        ),
        (
            "grave,y,x\n1,49.1,37.2\n",
            "line 1: the header needs the columns grave, lat and lon",
        ),
        ("grave,lat,lon\n,49.1,37.2\n", "line 2: no grave number"),
        ("grave,lat,lon\n", "the file has no rows"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(text: str, message: str) -> None:
    with pytest.raises(SurveyError) as e:
        parse_survey_csv(text)
    assert str(e.value).startswith(message)


def test_an_unknown_grave_refuses_the_whole_survey(site, examiner) -> None:
    rows = parse_survey_csv("grave,lat,lon\n1,49.19,37.28\n77,49.19,37.28\n")
    with pytest.raises(SurveyError, match="line 3: no grave 77 on site srv"):
        services.grave_positions_import(
            actor=examiner, site=site, rows=rows, reason="survey"
        )
    assert _grave(site, "1").lat is None
    assert not AuditEntry.objects.filter(action="grave.update").exists()


def test_the_command_imports_and_reports_the_moves(site, examiner, tmp_path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("grave,lat,lon\nБМ-1,49.19001,37.28\n3,49.2,37.3\n")
    out = io.StringIO()
    call_command(
        "import",
        "survey",
        str(path),
        "--site",
        "srv",
        "--user",
        examiner.username,
        "--reason",
        "survey",
        stdout=out,
    )
    assert out.getvalue().strip() == (
        "site srv: 2 rows, 1 graves moved, largest move 1.11 m, "
        "1 placed for the first time, 0 unchanged"
    )
    path.write_text("grave,lat,lon\n1,49.19,37.28\n2,north,37.28\n")
    with pytest.raises(CommandError, match="nothing imported: line 3: lat 'north'"):
        call_command(
            "import",
            "survey",
            str(path),
            "--site",
            "srv",
            "--user",
            examiner.username,
            "--reason",
            "survey",
        )
    assert _grave(site, "1").lat is None


def test_distance_of_a_tenth_of_a_millidegree_of_latitude() -> None:
    assert abs(distance_m(49.0, 37.0, 49.0001, 37.0) - 11.054) < 0.001  # type: ignore[operator]


def test_the_web_import_previews_the_moves_then_saves_on_confirmation(
    client, site, examiner
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    url = reverse("burials:survey_import", args=[site.pk])
    client.force_login(examiner)
    upload = SimpleUploadedFile(
        "s.csv", "grave,lat,lon\nБМ-1,49.19001,37.28\n3,49.2,37.3\n".encode()
    )
    preview = client.post(url, {"file": upload, "reason": "GNSS survey"})
    assert preview.status_code == 200
    moves = preview.context["moves"]
    assert [round(m.moved_m, 2) if m.moved_m else None for m in moves] == [1.11, None]
    assert _grave(site, "бм1").lat == 49.19  # nothing written yet
    confirm = {k: v for k, v in preview.context["confirm"].initial.items() if v}
    done = client.post(url, {**confirm, "confirm": "1"})
    assert done.status_code == 302
    assert _grave(site, "бм1").lat == 49.19001 and _grave(site, "3").lon == 37.3


def test_the_web_import_shows_the_bad_line_and_writes_nothing(
    client, site, users
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    url = reverse("burials:survey_import", args=[site.pk])
    client.force_login(users["family_liaison"])
    assert client.get(url).status_code == 403
    client.force_login(users["field_recorder"])
    upload = SimpleUploadedFile("s.csv", b"grave,lat,lon\n1,49.19,37.28\n9,49,37\n")
    response = client.post(url, {"file": upload, "reason": "survey"})
    assert response.status_code == 422
    assert "line 3: no grave 9 on site srv" in response.content.decode()
    assert _grave(site, "1").lat is None


def test_a_utm_survey_moves_graves_to_the_expected_position_within_half_a_metre(
    site, examiner, tmp_path
) -> None:
    from pyproj import Transformer

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)
    targets = {"1": (49.190123, 37.280456), "бм1": (49.190211, 37.280601)}
    lines = ["grave,easting,northing"]
    for number, (lat, lon) in targets.items():
        e, n = to_utm.transform(lon, lat)
        lines.append(f"{'БМ-1' if number == 'бм1' else number},{e:.3f},{n:.3f}")
    path = tmp_path / "utm.csv"
    path.write_text("\n".join(lines) + "\n")
    call_command(
        "import",
        "survey",
        str(path),
        "--site",
        "srv",
        "--user",
        examiner.username,
        "--reason",
        "total station",
        "--epsg",
        "32637",
        stdout=io.StringIO(),
    )
    for number, (lat, lon) in targets.items():
        g = _grave(site, number)
        assert distance_m(g.lat, g.lon, lat, lon) < 0.5  # type: ignore[operator]


def test_the_central_meridian_of_utm_37n_is_39_degrees_east() -> None:
    (row,) = parse_survey_csv("grave,easting,northing\n1,500000,5450000\n", epsg=32637)
    assert abs(row.lon - 39.0) < 1e-9 and 49.1 < row.lat < 49.3


@pytest.mark.parametrize(
    ("epsg", "message"),
    [
        (None, "line 1: easting/northing need the EPSG code"),
        (999999, "EPSG:999999 is not a known coordinate system"),
    ],
)
def test_easting_northing_without_a_known_epsg_code_is_refused(epsg, message) -> None:
    with pytest.raises(SurveyError) as e:
        parse_survey_csv("grave,easting,northing\n1,500000,5450000\n", epsg=epsg)
    assert str(e.value).startswith(message)


def test_geojson_and_gpx_surveys_name_the_grave_of_each_point(
    site, examiner, tmp_path
) -> None:
    from imena.burials.survey import parse_survey

    geojson = (
        '{"type":"FeatureCollection","features":[{"type":"Feature",'
        '"geometry":{"type":"Point","coordinates":[37.2801,49.1901]},'
        '"properties":{"grave":"№ 1"}}]}'
    )
    (row,) = parse_survey(geojson, "survey.geojson")
    assert (row.key, row.lat, row.lon) == ("1", 49.1901, 37.2801)
    gpx = (
        '<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        '<wpt lat="49.1902" lon="37.2802"><name>2</name></wpt>'
        '<wpt lat="95" lon="37.28"><name>3</name></wpt></gpx>'
    )
    with pytest.raises(SurveyError, match="^item 2: lat 95 is outside"):
        parse_survey(gpx, "track.GPX")
    path = tmp_path / "waypoints.gpx"
    path.write_text(gpx.replace('lat="95"', 'lat="49.1903"'))
    call_command(
        "import",
        "survey",
        str(path),
        "--site",
        "srv",
        "--user",
        examiner.username,
        "--reason",
        "GNSS waypoints",
        stdout=io.StringIO(),
    )
    assert (_grave(site, "3").lat, _grave(site, "3").lon) == (49.1903, 37.28)
    with pytest.raises(SurveyError, match="^item 1: not a point"):
        parse_survey(geojson.replace('"Point"', '"LineString"'), "s.json")
