"""Fast typing on a post-mortem section never fails its autosave (#21 item 3)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import browser_login
from imena.burials.models import Grave
from imena.burials.tests.factories import GraveFactory, SiteFactory
from imena.exhumations import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_changing_selects_and_typing_fast_saves_the_last_state(
    page, org, users
) -> None:
    site = SiteFactory(organisation=org, name="Лісове кладовище")
    grave: Grave = GraveFactory(site=site, marker_text="№ 4")  # type: ignore[assignment]
    ex = services.exhumation_create(
        actor=users["field_recorder"],
        grave=grave,
        date=dt.date(2022, 9, 16),
        team="Команда",
        pm_numbers=["IZM-PM-0004"],
    )
    body = ex.bodies.get()
    failed: list[str] = []
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    # Autosaves in flight at once, and the most ever seen.
    in_flight = {"now": 0, "most": 0, "sent": 0}

    def sent(request) -> None:
        if "/draft/" in request.url:
            in_flight["now"] += 1
            in_flight["sent"] += 1
            in_flight["most"] = max(in_flight["most"], in_flight["now"])

    def done(request) -> None:
        if "/draft/" in request.url:
            in_flight["now"] -= 1

    page.on("request", sent)
    page.on("requestfinished", done)
    page.on("requestfailed", done)
    browser_login(page, "forensic_examiner")
    page.goto(page.base_url + f"/exhumations/bodies/{body.pk}/biological/")
    # No pause between changes: each fires an autosave.
    for _ in range(3):
        for select in ("#id_sex", "#id_sex_method", "#id_sex_certainty", "#id_build"):
            for index in (1, 2):
                page.select_option(select, index=index)
    page.type("#id_age_min", "3", delay=10)
    page.type("#id_age_max", "45", delay=10)
    page.type("#id_stature_formula", "Trotter and Gleser 1958", delay=5)
    page.locator("#id_stature_formula").dispatch_event("change")
    page.wait_for_selector("#draft-status:has-text('Draft saved')")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # the last debounced autosave
    page.wait_for_load_state("networkidle")
    assert not failed
    # Serialised and debounced: one at a time, far fewer than the 24 changes.
    assert in_flight["most"] == 1
    assert 1 <= in_flight["sent"] < 12
    draft = services.draft_get(
        user=users["forensic_examiner"], body=body, section="biological"
    )
    assert draft is not None
    shown = {
        name: page.input_value(f"#id_{name}")
        for name in ("sex", "sex_method", "age_min", "age_max", "stature_formula")
    }
    assert {k: draft.get(k) for k in shown} == shown
    assert "Draft saved" in page.inner_text("#draft-status")
