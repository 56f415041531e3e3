"""Reviewing drafts: who may, and accepting them into records through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imena.accounts.models import Role
from imena.audit.models import AuditEntry
from imena.evidence.models import CustodyAction, CustodyEntry, EvidenceItem
from imena.exhumations.models import Body, Exhumation, Injury, Sample, ToothFinding
from imena.odk import services
from imena.odk.models import Submission
from imena.odk.tests.conftest import grave_fields
from imena.odk.tests.factories import instance_xml, photo, real_jpeg, xml_file

pytestmark = pytest.mark.django_db


def receive(client, auth, form, fields, files=None, instance_id=None) -> Submission:
    xml = instance_xml(form.form_id, form.version, fields, instance_id)
    response = client.post(
        "/submission", {"xml_submission_file": xml_file(xml), **(files or {})}, **auth
    )
    assert response.status_code == 201, response.content
    return (
        Submission.objects.get(instance_id=instance_id)  # type: ignore[return-value]
        if instance_id
        else (Submission.objects.order_by("-pk").first())
    )


@pytest.fixture
def grave_draft(client, recorder_auth, grave_form, site) -> Submission:
    return receive(
        client,
        recorder_auth,
        grave_form,
        grave_fields(),
        {"marker.jpg": photo(content=real_jpeg())},
    )


@pytest.mark.parametrize("role", [Role.FORENSIC_EXAMINER, Role.INVESTIGATOR])
def test_reviewers_see_the_queue(client, users, grave_draft, role) -> None:
    client.force_login(users[role])
    body = client.get(reverse("odk:index")).content.decode()
    assert grave_draft.instance_id in body


@pytest.mark.parametrize(
    "role", [Role.FIELD_RECORDER, Role.DNA_ANALYST, Role.FAMILY_LIAISON]
)
def test_other_roles_may_not_review(client, users, grave_draft, role) -> None:
    client.force_login(users[role])
    assert client.get(reverse("odk:index")).status_code == 403
    url = reverse("odk:draft_accept", args=[grave_draft.pk])
    assert client.post(url).status_code == 403


def test_an_outsider_gets_404(client, outsider, grave_draft) -> None:
    client.force_login(outsider)
    assert (
        client.get(reverse("odk:draft_detail", args=[grave_draft.pk])).status_code
        == 404
    )
    att = grave_draft.attachments.get()
    url = reverse("odk:attachment", args=[grave_draft.pk, att.pk])
    assert client.get(url).status_code == 404


def test_the_draft_page_shows_fields_and_the_photo(
    client, examiner, grave_draft
) -> None:
    client.force_login(examiner)
    body = client.get(
        reverse("odk:draft_detail", args=[grave_draft.pk])
    ).content.decode()
    assert "№ 77" in body and "Cross" not in body or "cross" in body
    att = grave_draft.attachments.get()
    response = client.get(reverse("odk:attachment", args=[grave_draft.pk, att.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == real_jpeg()


def test_accepting_a_grave_registration_creates_the_grave(
    client, examiner, grave_draft, site
) -> None:
    client.force_login(examiner)
    client.post(reverse("odk:draft_accept", args=[grave_draft.pk]))
    grave_draft.refresh_from_db()
    assert grave_draft.status == "accepted" and grave_draft.reviewed_by == examiner
    grave = site.graves.get(marker_text="№ 77")
    assert (grave.lat, grave.lon) == (49.2, 37.25)
    assert grave_draft.instance_id in grave.notes
    assert grave_draft.records == [
        {"type": "burials.grave", "id": grave.pk, "repr": "№ 77"}
    ]
    assert AuditEntry.objects.filter(
        action="grave.create", object_id=str(grave.pk)
    ).exists()
    assert AuditEntry.objects.filter(action="odk.submission.accept").exists()
    # Accepting twice creates nothing more.
    client.post(reverse("odk:draft_accept", args=[grave_draft.pk]))
    assert site.graves.filter(marker_text="№ 77").count() == 1


def test_rejecting_needs_a_reason_and_keeps_the_draft(
    client, examiner, grave_draft
) -> None:
    client.force_login(examiner)
    client.post(reverse("odk:draft_reject", args=[grave_draft.pk]), {"reason": ""})
    grave_draft.refresh_from_db()
    assert grave_draft.status == "draft"
    client.post(
        reverse("odk:draft_reject", args=[grave_draft.pk]), {"reason": "duplicate"}
    )
    grave_draft.refresh_from_db()
    assert (grave_draft.status, grave_draft.reject_reason) == ("rejected", "duplicate")


def test_a_draft_for_an_unknown_site_is_not_accepted(
    client, recorder_auth, examiner, grave_form, site
) -> None:
    draft = receive(
        client, recorder_auth, grave_form, grave_fields(site_code="nowhere")
    )
    with pytest.raises(services.AcceptError, match="nowhere"):
        services.submission_accept(actor=examiner, submission=draft)
    draft.refresh_from_db()
    assert draft.status == "draft"


def exhumation_xml_fields(site, grave) -> str:
    return (
        f"<site>{site.code}</site><grave>{grave.pk}</grave>"
        "<exhumation_date>2025-05-02</exhumation_date><team>Олена К.\nІван П.</team>"
        "<witnesses>Прокурор Н.</witnesses><conditions>dry</conditions>"
        "<grave_type>individual</grave_type><depth_cm>120</depth_cm>"
        "<container>coffin</container><commingling>none</commingling><mni>1</mni>"
        "<body><body_no>IZM-PM-0901</body_no><body_kind>body</body_kind>"
        "<body_position>extended_supine</body_position><articulation>articulated"
        "</articulation><preservation>skeletonised</preservation>"
        "<body_photo>body1.jpg</body_photo><body_notes>read aloud</body_notes></body>"
        "<grave_photo><photo>grave1.jpg</photo><caption>before</caption></grave_photo>"
        "<family_present/><notes/><deviceid>collect:xyz</deviceid>"
    )


def test_accepting_an_exhumation_creates_exhumation_body_and_evidence(
    client, recorder_auth, examiner, published, site
) -> None:

    grave = site.graves.get(marker_text="12а")
    form = published["imena_exhumation"]
    draft = receive(
        client,
        recorder_auth,
        form,
        exhumation_xml_fields(site, grave),
        {
            "body1.jpg": photo("body1.jpg", real_jpeg((1, 2, 3))),
            "grave1.jpg": photo("grave1.jpg", real_jpeg((9, 8, 7))),
        },
    )
    services.submission_accept(actor=examiner, submission=draft)
    exhumation = Exhumation.objects.get(grave=grave)
    assert exhumation.depth_cm == 120 and exhumation.container == "coffin"
    body = Body.objects.get(pm_number="IZM-PM-0901")
    assert body.body_position == "extended_supine"
    assert body.pm.preservation == "skeletonised"
    assert EvidenceItem.objects.filter(exhumation=exhumation).count() == 2
    draft.refresh_from_db()
    types = [r["type"] for r in draft.records]
    assert types.count("exhumations.evidenceitem") == 2
    assert "exhumations.exhumation" in types and "exhumations.body" in types


def test_a_failing_acceptance_leaves_nothing_behind(
    client, recorder_auth, examiner, published, site
) -> None:

    grave = site.graves.get(marker_text="12а")
    form = published["imena_exhumation"]
    # The body photo was never received: acceptance stops, the exhumation is undone.
    draft = receive(
        client,
        recorder_auth,
        form,
        exhumation_xml_fields(site, grave),
        {"grave1.jpg": photo("grave1.jpg", real_jpeg())},
    )
    with pytest.raises(services.AcceptError, match="body1.jpg"):
        services.submission_accept(actor=examiner, submission=draft)
    assert not Exhumation.objects.exists()


def test_accepting_pm_sample_and_custody_drafts(
    client, recorder_auth, examiner, published, site
) -> None:

    grave = site.graves.get(marker_text="12а")
    ex = receive(
        client,
        recorder_auth,
        published["imena_exhumation"],
        exhumation_xml_fields(site, grave)
        .replace("<body_photo>body1.jpg</body_photo>", "")
        .replace(
            "<grave_photo><photo>grave1.jpg</photo><caption>before</caption>"
            "</grave_photo>",
            "",
        ),
    )
    services.submission_accept(actor=examiner, submission=ex)
    pm_fields = (
        "<body_no>IZM-PM-0901</body_no><examined_on>2025-05-03</examined_on>"
        "<examiner_name>Д-р Т.</examiner_name>"
        "<biological><sex_pm>probable_male</sex_pm><sex_certainty>probable</sex_certainty>"
        "<age_min>30</age_min><age_max>45</age_max><stature_min>170</stature_min>"
        "<stature_max>178</stature_max></biological>"
        "<physical><hair_colour>grey</hair_colour></physical>"
        "<pathology><preservation>skeletonised</preservation>"
        "<cause_of_death>gunshot</cause_of_death><manner_of_death>homicide"
        "</manner_of_death></pathology>"
        "<torture><torture_signs>bound_hands gunshot_wounds</torture_signs>"
        "<torture_indicators>falanga</torture_indicators></torture>"
        "<injury><injury_region>head</injury_region><injury_mechanism>gunshot"
        "</injury_mechanism><injury_timing>perimortem</injury_timing>"
        "<gunshot_wound>entrance</gunshot_wound></injury>"
        "<dental><tooth>36</tooth><tooth_status>present_sound</tooth_status></dental>"
        "<notes>синтетичні дані</notes>"
    )
    pm = receive(client, recorder_auth, published["imena_post_mortem"], pm_fields)
    services.submission_accept(actor=examiner, submission=pm)
    body = Body.objects.get(pm_number="IZM-PM-0901")
    body.pm.refresh_from_db()
    assert (body.pm.sex, body.pm.age_min, body.pm.stature_max) == (
        "probable_male",
        30,
        178,
    )
    assert body.pm.bound_hands and body.pm.gunshot_wounds and not body.pm.fractures
    assert body.pm.torture_indicators == ["falanga"]
    assert Injury.objects.get(body=body).gunshot_wound == "entrance"
    assert ToothFinding.objects.get(body=body).tooth == 36

    sample_fields = (
        "<body_no>IZM-PM-0901</body_no><sample_no>IZM-PM-0901-B1</sample_no>"
        "<pm_sample>bone</pm_sample><bone_element>femur</bone_element>"
        "<taken_by>Олена К.</taken_by><taken_on>2025-05-03</taken_on>"
        "<seal_no>S-77</seal_no><sample_photo>s.jpg</sample_photo>"
    )
    sd = receive(
        client,
        recorder_auth,
        published["imena_sample"],
        sample_fields,
        {"s.jpg": photo("s.jpg", real_jpeg((50, 50, 50)))},
    )
    services.submission_accept(actor=examiner, submission=sd)
    sample = Sample.objects.get(sample_id="IZM-PM-0901-B1")
    assert sample.bone_element == "femur"
    evidence = body.evidence.get(seal_number="S-77")

    custody_fields = (
        f"<item_ref>{evidence.number}</item_ref><action>handover</action>"
        "<transferred_at>2025-05-04T09:30:00.000+03:00</transferred_at>"
        "<from_person>Олена К.</from_person><to_person>Лабораторія</to_person>"
        "<place>Харків</place><purpose>DNA</purpose><seal_no>S-77</seal_no>"
        "<seal_intact>yes</seal_intact><signature>sig.jpg</signature>"
    )
    cd = receive(
        client,
        recorder_auth,
        published["imena_custody"],
        custody_fields,
        {"sig.jpg": photo("sig.jpg", real_jpeg((200, 200, 200)))},
    )
    services.submission_accept(actor=examiner, submission=cd)
    entry = CustodyEntry.objects.get(item=evidence, seq=2)
    assert (entry.action, entry.to_person) == ("handover", "Лабораторія")
    assert "Seal intact: yes." in entry.notes


def test_a_draft_with_an_already_stored_photo_is_accepted(
    client, recorder_auth, examiner, published, site
) -> None:
    """#22 item 3: the same photo bytes again link to the stored item."""

    grave = site.graves.get(marker_text="12а")
    same = real_jpeg((4, 4, 4))
    draft = receive(
        client,
        recorder_auth,
        published["imena_exhumation"],
        exhumation_xml_fields(site, grave),
        {
            "body1.jpg": photo("body1.jpg", same),
            "grave1.jpg": photo("grave1.jpg", same),
        },
    )
    services.submission_accept(actor=examiner, submission=draft)
    draft.refresh_from_db()
    assert draft.status == "accepted"
    item = EvidenceItem.objects.get()  # one stored file, used twice
    actions = list(item.custody.values_list("action", flat=True))
    assert actions == [CustodyAction.COLLECTED, CustodyAction.REFERENCED]
    last = item.custody.last()
    assert last is not None and draft.instance_id in last.purpose
