from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from imena.audit.models import AuditEntry
from imena.exhumations import services
from imena.exhumations.models import SectionDraft, ToothFinding
from matching.records import PMRecord


def _url(body, section):
    return reverse("exhumations:section", args=[body.pk, section])


@pytest.mark.django_db
def test_the_recorder_saves_a_section_and_it_shows_on_the_body_page(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    response = client.post(
        _url(body, "biological"),
        {
            "sex": "probable_male",
            "sex_method": "morphology",
            "age_min": 30,
            "age_max": 45,
            "stature_min": 170,
            "stature_max": 178,
            "build": "medium",
        },
    )
    assert response.status_code == 302
    body.pm.refresh_from_db()
    assert (body.pm.sex, body.pm.age_min, body.pm.age_max) == ("probable_male", 30, 45)
    page = client.get(body.get_absolute_url()).content.decode()
    assert "probably male" in page


@pytest.mark.django_db
def test_the_section_form_over_htmx_returns_the_section_fragment(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    response = client.post(
        _url(body, "torture"),
        {"bound_hands": "on", "torture_indicators": ["falanga"]},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="section"' in html and "Saved." in html
    body.pm.refresh_from_db()
    assert body.pm.bound_hands and body.pm.torture_indicators == ["falanga"]


@pytest.mark.django_db
def test_an_age_range_upside_down_is_refused(client, body, recorder) -> None:
    client.force_login(recorder)
    response = client.post(_url(body, "biological"), {"age_min": 50, "age_max": 30})
    assert response.status_code == 200
    body.pm.refresh_from_db()
    assert body.pm.age_min is None


@pytest.mark.django_db
def test_the_database_refuses_min_above_max(body) -> None:

    pm = body.pm
    pm.stature_min, pm.stature_max = 190, 170
    with pytest.raises(IntegrityError):
        pm.save()


@pytest.mark.django_db
def test_changing_a_recorded_finding_needs_a_reason_and_keeps_the_old_value(
    client, body, recorder
) -> None:
    services.pm_section_save(
        actor=recorder, body=body, section="physical", data={"hair_colour": "brown"}
    )
    client.force_login(recorder)
    response = client.post(_url(body, "physical"), {"hair_colour": "black"})
    assert "say why" in response.content.decode()
    body.pm.refresh_from_db()
    assert body.pm.hair_colour == "brown"
    client.post(_url(body, "physical"), {"hair_colour": "black", "reason": "lab light"})
    body.pm.refresh_from_db()
    assert body.pm.hair_colour == "black"
    entry = AuditEntry.objects.filter(action="pm.physical").order_by("-seq").first()
    assert entry.before_data["hair_colour"] == "brown"  # type: ignore[union-attr]
    assert entry.after_data == {"hair_colour": "black", "reason": "lab light"}  # type: ignore[union-attr]


@pytest.mark.django_db
def test_a_tooth_outside_fdi_is_refused_with_a_clear_error(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    response = client.post(
        _url(body, "dental"), {"tooth": 19, "status": "present_sound"}
    )
    assert "19 is not an FDI tooth number" in response.content.decode()
    assert not ToothFinding.objects.exists()
    with pytest.raises(ValidationError, match="not an FDI"):
        services.pm_item_add(
            actor=recorder,
            body=body,
            section="dental",
            data={"tooth": 56, "status": "present_sound"},
        )
    assert not ToothFinding.objects.exists()


@pytest.mark.django_db
def test_rows_are_withdrawn_with_a_reason_never_deleted(client, body, recorder) -> None:
    tooth = services.pm_item_add(
        actor=recorder,
        body=body,
        section="dental",
        data={
            "tooth": 36,
            "status": "present_sound",
            "restoration": "amalgam",
            "surfaces": "mo",
        },
    )
    assert tooth.surfaces == "MO"  # type: ignore[attr-defined]
    client.force_login(recorder)
    client.post(
        reverse("exhumations:item_withdraw", args=[body.pk, "dental", tooth.pk]),
        {"reason": "wrong jaw"},
    )
    tooth.refresh_from_db()
    assert tooth.withdrawn and tooth.withdrawn_reason == "wrong jaw"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_drafts_autosave_and_are_restored_when_the_page_reopens(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    response = client.post(
        reverse("exhumations:section_draft", args=[body.pk, "findings"]),
        {"findings": "Кістки зібрано, ліве стегно зламане"},
    )
    assert response.status_code == 200 and "Draft saved" in response.content.decode()
    page = client.get(_url(body, "findings")).content.decode()
    assert "ліве стегно зламане" in page and "draft was restored" in page
    client.post(_url(body, "findings"), {"findings": "Кістки зібрано"})
    assert not SectionDraft.objects.exists()


@pytest.mark.django_db
def test_a_finding_read_to_a_prosecutor_is_marked_with_who_was_present(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    client.post(
        reverse("exhumations:reading_create", args=[body.pk]),
        {"prosecutor": "Прокурор П.", "present": "Експерт Е., Свідок С."},
    )
    reading = body.readings.get()
    assert reading.read_by == recorder and "Свідок" in reading.present
    assert AuditEntry.objects.filter(action="pm.read_to_prosecutor").exists()


@pytest.mark.django_db
def test_the_pm_record_dict_is_accepted_by_the_comparison_package(
    body, recorder
) -> None:
    services.pm_section_save(
        actor=recorder,
        body=body,
        section="biological",
        data={
            "sex": "male",
            "age_min": 25,
            "age_max": 35,
            "stature_min": 172,
            "stature_max": 180,
            "build": "slight",
        },
    )
    services.pm_item_add(
        actor=recorder,
        body=body,
        section="dental",
        data={"tooth": 11, "status": "present_sound", "crown": "ceramic"},
    )
    services.pm_item_add(
        actor=recorder,
        body=body,
        section="particulars",
        data={
            "kind": "tattoo",
            "region": "forearm",
            "side": "L",
            "description": "anchor",
        },
    )
    services.pm_item_add(
        actor=recorder,
        body=body,
        section="clothing",
        data={"category": "jacket", "colours": ["khaki"]},
    )
    services.pm_item_add(
        actor=recorder,
        body=body,
        section="documents",
        data={"category": "passport", "serial": "МК 000001"},
    )
    record = PMRecord.from_dict(services.pm_record_as_dict(body))
    assert record.body_id == "IZM-PM-0001"
    assert record.sex == "male" and record.age_min == 25 and record.stature_cm == 176
    assert record.dental[11].crown == "ceramic"
    assert record.particulars[0].region == "forearm"
    assert record.clothing[0].colours == frozenset({"khaki"})
    assert record.documents[0].number == "МК 000001"
