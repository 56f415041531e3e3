"""One time zone, named, everywhere; ISO 8601 with offset in exports (#21 item 10)."""

from __future__ import annotations

import datetime as dt

from imena.core.times import iso_time, local_time

MOMENT = dt.datetime(2026, 12, 4, 13, 38, 7, 123456, tzinfo=dt.UTC)
SUMMER = dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.UTC)


def test_a_moment_is_shown_in_the_site_zone_with_its_name() -> None:
    assert local_time(MOMENT) == "2026-12-04 15:38 EET"
    assert local_time(SUMMER) == "2026-07-01 12:05 EEST"


def test_exports_write_iso_8601_with_the_offset_to_the_second() -> None:
    assert iso_time(MOMENT) == "2026-12-04T15:38:07+02:00"


def test_the_template_filter_names_the_zone_and_keeps_empty_times_empty() -> None:
    from django.template import Context, Template

    shown = Template('{% load times %}{{ a|local_time }}|{{ a|local_time:"s" }}|{{ b|local_time|default:"—" }}')  # fmt: skip
    assert shown.render(Context({"a": MOMENT, "b": None})) == (
        "2026-12-04 15:38 EET|2026-12-04 15:38:07 EET|—"
    )


def test_no_page_template_formats_a_time_without_the_zone() -> None:
    """Times on pages go through ``local_time``; ``|date`` is for dates only."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    offenders = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in [
            *root.glob("templates/**/*.html"),
            *root.glob("imena/*/templates/**/*.html"),
        ]  # fmt: skip
        for match in re.finditer(
            r"\|date:[\"'][^\"']*[HGgi][^\"']*[\"']", path.read_text()
        )
    ]
    assert not offenders
