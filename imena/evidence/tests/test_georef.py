"""Georeferenced images (#17): world files, GeoTIFF tags, the web rendition."""

from __future__ import annotations

import io

import pytest
from PIL import Image, TiffImagePlugin
from pyproj import Geod

from imena.evidence import georef
from imena.evidence.tests.factories import orthophoto_geotiff, orthophoto_png

CENTRE = (49.1902, 37.2806)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0.2\n0\n0\n-0.2\n374701\n", "six numbers"),
        ("0.2\n0\n0\n-0.2\n374701\n5450038\n1\n", "six numbers"),
        ("0.2\n0\n0\n-0.2\neast\n5450038\n", "six numbers"),
        ("0\n0\n0\n0\n374701\n5450038\n", "pixel size"),
        ("nan\n0\n0\n-0.2\n374701\n5450038\n", "pixel size"),
    ],
)
def test_a_bad_world_file_is_refused_saying_why(text: str, message: str) -> None:
    with pytest.raises(georef.OrthophotoError, match=message):
        georef.parse_world_file(text)


def test_a_world_file_names_the_centre_of_the_upper_left_pixel() -> None:
    # Pixel 0.5 m, rotation terms 0; the upper-left pixel's centre at (1000, 2000).
    a, b, c, d, e, f = georef.parse_world_file("0.5\n0\n0\n-0.5\n1000\n2000\n")
    assert (a, b, d, e) == (0.5, 0, 0, -0.5)
    assert (c, f) == (999.75, 2000.25)  # the pixel's corner, half a pixel out


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (  # pixel scale + tie point, projected CRS key
            {
                33550: (0.5, 0.5, 0.0),
                33922: (0.0, 0.0, 0.0, 1000.0, 2000.0, 0.0),
                34735: (1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 32637),
            },
            ((0.5, 0.0, 1000.0, 0.0, -0.5, 2000.0), 32637),
        ),
        (  # tie point at pixel (10, 20); pixel is point: half a pixel back
            {
                33550: (2.0, 2.0, 0.0),
                33922: (10.0, 20.0, 0.0, 1000.0, 2000.0, 0.0),
                34735: (1, 1, 0, 2, 1025, 0, 1, 2, 2048, 0, 1, 4326),
            },
            ((2.0, 0.0, 979.0, 0.0, -2.0, 2041.0), 4326),
        ),
        (  # model transformation matrix; user-defined CRS: no EPSG code
            {
                34264: (1.0, 0.1, 0, 500.0, 0.2, -1.0, 0, 600.0) + (0.0,) * 8,
                34735: (1, 1, 0, 1, 3072, 0, 1, 32767),
            },
            ((1.0, 0.1, 500.0, 0.2, -1.0, 600.0), None),
        ),
        ({}, (None, None)),  # a plain TIFF
    ],
)
def test_geotiff_tags_give_the_transform_and_the_epsg_code(tags, expected) -> None:
    assert georef.geotiff_georeference(tags) == expected


def test_an_unknown_epsg_code_is_refused() -> None:
    with pytest.raises(georef.OrthophotoError, match="EPSG:999999"):
        georef.crs_for(999999)


def _centre_and_width(rendition: georef.Rendition) -> tuple[float, float, float]:
    lat = (rendition.south + rendition.north) / 2
    lon = (rendition.west + rendition.east) / 2
    _a, _b, width = Geod(ellps="WGS84").inv(rendition.west, lat, rendition.east, lat)
    return lat, lon, width


@pytest.mark.parametrize("kind", ["world file", "geotiff"])
def test_the_rendition_covers_the_image_where_its_georeference_puts_it(kind) -> None:
    transform: georef.Transform | None
    if kind == "world file":
        data, world = orthophoto_png(*CENTRE, metres=40.0)
        transform, epsg = georef.parse_world_file(world), 32637
    else:
        data = orthophoto_geotiff(*CENTRE, metres=40.0)
        with Image.open(io.BytesIO(data)) as tiff:
            assert isinstance(tiff, TiffImagePlugin.TiffImageFile)
            transform, code = georef.geotiff_georeference(tiff.tag_v2)
        assert transform is not None and code == 32637
        epsg = code
    with Image.open(io.BytesIO(data)) as image:
        rendition = georef.render(image, transform, epsg)
    lat, lon, width = _centre_and_width(rendition)
    geod = Geod(ellps="WGS84")
    assert geod.inv(lon, lat, CENTRE[1], CENTRE[0])[2] < 0.05  # metres
    # 40 m wide, turned by the UTM grid convergence (about 1.3 degrees here):
    # the box round it is a little wider.
    assert 40.0 < width < 41.5
    picture = Image.open(io.BytesIO(rendition.data))
    assert picture.format == "WEBP" and picture.mode == "RGBA"
    assert picture.size == (rendition.width, rendition.height)
    # The red cross of the synthetic picture is at the rendition's centre.
    centre = picture.getpixel((picture.width // 2, picture.height // 2))
    corner = picture.getpixel((0, 0))
    assert isinstance(centre, tuple) and isinstance(corner, tuple)
    r, g, _b, alpha = centre
    assert r > 150 and g < 80 and alpha == 255
    assert corner[3] == 0  # outside the turned image


def test_a_large_image_is_drawn_at_most_max_side_pixels_wide() -> None:
    data, world = orthophoto_png(*CENTRE, metres=40.0, pixels=(1200, 900))
    with Image.open(io.BytesIO(data)) as image:
        rendition = georef.render(
            image, georef.parse_world_file(world), 32637, max_side=300
        )
    assert max(rendition.width, rendition.height) == 300


def test_a_16_bit_raster_is_refused() -> None:
    image = Image.new("I;16", (10, 10))
    with pytest.raises(georef.OrthophotoError, match="8-bit"):
        georef.render(image, (1, 0, 0, 0, -1, 0), 32637)
