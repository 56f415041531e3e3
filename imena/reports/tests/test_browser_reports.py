"""In a real browser: statistics, the site plan, and every export downloads."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from conftest import browser_login
from imena.reports.tests.factories import populated_site
from imena.reports.tests.test_maps import write_mbtiles

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_investigator_reads_statistics_opens_the_plan_and_downloads_every_export(
    page, org, users, tmp_path
) -> None:
    site = populated_site(org, users["forensic_examiner"])
    browser_login(page, "investigator")
    page.goto(page.base_url + f"/sites/{site.pk}/")
    page.click("a.button:has-text('Statistics')")
    page.wait_for_selector("h1:has-text('Statistics: Лісове кладовище')")
    assert page.locator("svg.chart").count() >= 1

    links = page.locator("#exports a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 5
    statistics_url = page.url
    for i in range(len(hrefs)):
        # Each download starts from a freshly loaded statistics page: in one
        # tab, after about ten downloads in a row, Chromium stopped starting
        # new ones (seen only when other tests had run first).
        if i:
            page.goto(statistics_url)
        # A shared 2-core machine can be slow to build the PDF: allow a minute.
        with page.expect_download(timeout=60_000) as info:
            page.locator("#exports a").nth(i).click()
        download = info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        assert target.stat().st_size > 0, hrefs[i]
        head = target.read_bytes()[:4]
        if target.suffix == ".pdf":
            assert head == b"%PDF"
        if target.suffix == ".xlsx":
            assert head == b"PK\x03\x04"

    page.click("a.button:has-text('Site plan')")
    page.wait_for_selector("svg.siteplan")
    graves = page.locator("svg.siteplan a")
    assert graves.count() == 13  # placed graves; БН has no position
    graves.first.click()
    page.wait_for_selector("h1:has-text('№')")


@pytest.mark.parametrize("tiles", ["", "url", "mbtiles"])
def test_the_site_map_draws_every_grave_and_links_it_and_the_region_map_its_site(
    page, org, users, settings, tmp_path, tiles
) -> None:
    site = populated_site(org, users["forensic_examiner"])
    settings.IMENA_MAP_TILE_URL = settings.IMENA_MAP_MBTILES = ""
    if tiles == "url":  # a tile URL served by the test server itself (same origin)
        settings.IMENA_MAP_TILE_URL = (
            "/static/vendor/leaflet/images/layers.png?{z}/{x}/{y}"
        )
    if tiles == "mbtiles":  # tiles at every zoom over the site and its graves
        settings.IMENA_MAP_MBTILES = str(tmp_path / "site.mbtiles")
        write_mbtiles(settings.IMENA_MAP_MBTILES, 49.19005, 37.28005)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    browser_login(page, "investigator")
    page.goto(page.base_url + "/reports/map/")
    page.wait_for_selector("#map[data-loaded='1']")
    page.locator("#map path.leaflet-interactive").first.click()
    page.wait_for_selector("#map[data-loaded]")
    assert page.url.endswith(f"/reports/sites/{site.pk}/map/")
    placed = site.graves.filter(withdrawn=False, lat__isnull=False).count()
    page.wait_for_selector(f"#map[data-loaded='{placed}']")
    assert page.locator("#map path.grave").count() == placed
    assert page.locator("#map path.mass").count() == 1
    if tiles:
        page.wait_for_selector("#map img.leaflet-tile-loaded")
        assert page.locator("#map path.outline, #map path.oblasts").count() == 0
    else:
        assert page.locator("#map img.leaflet-tile").count() == 0
        # No background: the bundled outline of Ukraine (mainland and Crimea).
        page.wait_for_selector("#map[data-outline-loaded='1']")
        assert page.locator("#map path.outline").count() == 1
        # ... and its oblasts' lines (Natural Earth admin-1), under the graves.
        assert page.locator("#map .leaflet-outline-pane path.oblasts").count() == 1
    assert not [t for t in refused if "Content Security Policy" in t], refused
    page.locator("#map path.mass").focus()  # each grave is a link for the keyboard too
    page.keyboard.press("Enter")
    page.wait_for_url("**/graves/*/")
    page.wait_for_selector("h1:has-text('Братська могила')")


_OVERFLOWS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.chart, svg.siteplan')) {
    const vb = svg.viewBox.baseVal;
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5
          || b.y + b.height > vb.y + vb.height + 0.5) {
        out.push(t.textContent);
      }
    }
  }
  const entries = [...document.querySelectorAll('svg.siteplan g.legend g.entry')]
    .map((g) => g.getBBox());
  entries.forEach((a, i) => entries.slice(i + 1).forEach((b) => {
    if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height
        && b.y < a.y + a.height) { out.push('legend overlap'); }
  }));
  return out;
}"""


@pytest.mark.parametrize("language", ["en", "uk"])
def test_no_chart_label_or_legend_entry_overflows_as_chromium_draws_it(
    page, org, users, language
) -> None:
    site = populated_site(org, users["forensic_examiner"])
    browser_login(page, "investigator")
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": page.base_url}]
    )
    for path in (
        f"/reports/sites/{site.pk}/statistics/",
        "/reports/region/?region=" + quote(site.region),
        f"/reports/sites/{site.pk}/plan/",
    ):
        page.goto(page.base_url + path)
        page.wait_for_selector("svg.chart, svg.siteplan")
        assert page.evaluate(_OVERFLOWS) == [], (language, path)


_UNDER_THE_GRAVES = """() => {
  const img = document.querySelector('#map .leaflet-orthophoto-pane img.orthophoto');
  const pane = (name) => Number(getComputedStyle(
    document.querySelector('#map .leaflet-' + name + '-pane')).zIndex);
  const box = img.getBoundingClientRect();
  const mass = document.querySelector('#map path.mass').getBoundingClientRect();
  const graves = [...document.querySelectorAll('#map path.grave')].map((p) => {
    const b = p.getBoundingClientRect();
    return [b.x + b.width / 2, b.y + b.height / 2];
  });
  const cx = mass.x + mass.width / 2, cy = mass.y + mass.height / 2;
  return {
    below: pane('orthophoto') < pane('overlay'),
    alt: img.alt,
    dx: cx - (box.x + box.width / 2),
    dy: cy - (box.y + box.height / 2),
    inside: graves.every(([x, y]) => x > box.left && x < box.right
                                     && y > box.top && y < box.bottom),
    onTop: document.elementFromPoint(cx, cy).classList.contains('mass'),
    loaded: img.complete && img.naturalWidth > 0,
  };
}"""


def test_an_uploaded_orthophoto_is_drawn_under_the_graves_where_it_belongs(
    page, org, users, settings, tmp_path
) -> None:
    from imena.evidence.tests.factories import orthophoto_png

    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.IMENA_MAP_TILE_URL = settings.IMENA_MAP_MBTILES = ""
    site = populated_site(org, users["forensic_examiner"])
    # 200 m wide, centred on the mass grave: every grave of the site is on it.
    data, world = orthophoto_png(49.1902, 37.2806, metres=200.0, pixels=(400, 300))
    (tmp_path / "drone.png").write_bytes(data)
    (tmp_path / "drone.pgw").write_text(world)
    browser_login(page, "investigator")
    page.goto(page.base_url + f"/reports/sites/{site.pk}/map/")
    page.click("a.button:has-text('Add an orthophoto')")
    page.set_input_files("#id_image", str(tmp_path / "drone.png"))
    page.set_input_files("#id_world_file", str(tmp_path / "drone.pgw"))
    page.fill("#id_epsg", "32637")
    page.click("#orthophoto-form button[type=submit]")
    page.wait_for_url(f"**/reports/sites/{site.pk}/map/")
    page.wait_for_selector("#map[data-loaded][data-overlays-loaded='1']")
    found = page.evaluate(_UNDER_THE_GRAVES)
    assert found["below"] and found["loaded"] and found["onTop"], found
    assert found["alt"].startswith("Orthophoto EV-"), found
    # The image's centre is the mass grave's position (to a few screen pixels,
    # at about half a metre each), and every grave lies on the image.
    assert abs(found["dx"]) < 3 and abs(found["dy"]) < 3, found
    assert found["inside"], found


def test_a_utm_survey_imported_in_the_browser_puts_graves_within_half_a_metre(
    page, org, users, tmp_path
) -> None:
    from pyproj import Geod, Transformer

    site = populated_site(org, users["forensic_examiner"])
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32637", always_xy=True)
    targets = {"1": (49.190123, 37.280456), "2": (49.190311, 37.280202)}
    lines = ["grave,easting,northing"]
    for number, (lat, lon) in targets.items():
        e, n = to_utm.transform(lon, lat)
        lines.append(f"{number},{e:.3f},{n:.3f}")
    (tmp_path / "total-station.csv").write_text("\n".join(lines) + "\n")
    browser_login(page, "forensic_examiner")
    page.goto(page.base_url + f"/sites/{site.pk}/survey/")
    page.set_input_files("#id_file", str(tmp_path / "total-station.csv"))
    page.fill("#id_epsg", "32637")
    page.fill("#id_reason", "total station survey")
    page.click("button:has-text('Preview')")
    page.wait_for_selector("table.survey-moves")
    assert page.locator("table.survey-moves tbody tr").count() == 2
    page.click("button[name=confirm]")
    page.wait_for_url(f"**/sites/{site.pk}/")
    page.goto(page.base_url + f"/reports/sites/{site.pk}/map/")
    placed = site.graves.filter(withdrawn=False, lat__isnull=False).count()
    page.wait_for_selector(f"#map[data-loaded='{placed}']")
    data = page.evaluate(
        "fetch(document.getElementById('map').dataset.geojson).then((r) => r.json())"
    )
    at = {
        f["properties"]["url"]: f["geometry"]["coordinates"]
        for f in data["features"]
        if f["properties"]["layer"] == "grave"
    }
    geod = Geod(ellps="WGS84")
    for number, (lat, lon) in targets.items():
        grave = site.graves.get(marker_text=f"№ {number}")
        x, y = at[f"/graves/{grave.pk}/"]
        assert geod.inv(x, y, lon, lat)[2] < 0.5, number  # metres
