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
