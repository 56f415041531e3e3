"""CSV cells write a moment as ISO 8601 with the site zone's offset (#21 item 10)."""

from __future__ import annotations

import datetime as dt

from imena.reports.exports import cell


def test_a_moment_is_iso_8601_with_offset_to_the_second() -> None:
    moment = dt.datetime(2026, 12, 4, 13, 38, 7, 123456, tzinfo=dt.UTC)
    assert cell(moment) == "2026-12-04T15:38:07+02:00"
    assert cell(dt.date(2026, 12, 4)) == "2026-12-04"
