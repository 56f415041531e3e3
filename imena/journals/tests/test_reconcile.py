from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from imena.accounts.models import Role
from imena.audit.models import AuditEntry
from imena.journals import selectors, services
from imena.journals.models import DecisionKind, JournalRow, ReviewItem

pytestmark = pytest.mark.django_db


def _cluster_of(run, row):
    return run.clusters.get(members__row=row)


def test_the_same_person_in_two_journals_is_one_cluster(imported, examiner):
    run = services.reconcile_site(actor=examiner, site=imported)
    ru = JournalRow.objects.get(surname="Шевченко", journal__name="Funeral home")
    uk = JournalRow.objects.get(surname="Шевченко", journal__name="Volunteers")
    assert _cluster_of(run, ru) == _cluster_of(run, uk)
    cluster = _cluster_of(run, ru)
    assert cluster.grave_number == "12" and cluster.journal_count == 2
    assert AuditEntry.objects.filter(action="journal.reconcile").count() == 1


def test_different_people_stay_apart(imported, examiner):
    run = services.reconcile_site(actor=examiner, site=imported)
    a = JournalRow.objects.get(surname="Шевченко", journal__name="Funeral home")
    b = JournalRow.objects.get(surname="Коваленко", journal__name="Funeral home")
    assert _cluster_of(run, a) != _cluster_of(run, b)


def test_a_row_without_grave_is_a_review_item(imported, examiner):
    services.reconcile_site(actor=examiner, site=imported)
    items = selectors.review_queue(imported)
    assert items.filter(kind="row_without_grave", rows__surname="Мельник").exists()


def _pair_item(site, a, b):
    run = selectors.latest_run(site)
    key = services._question_key("pair", [a.pk, b.pk])
    item = ReviewItem.objects.create(
        run=run, kind="borderline_match", key=key, message=""
    )
    item.rows.set([a, b])
    return item


def test_a_rejection_survives_a_rerun(imported, examiner):
    services.reconcile_site(actor=examiner, site=imported)
    a = JournalRow.objects.get(surname="Шевченко", journal__name="Funeral home")
    b = JournalRow.objects.get(surname="Шевченко", journal__name="Volunteers")
    item = _pair_item(imported, a, b)
    services.review_decide(
        actor=examiner,
        item=item,
        kind=DecisionKind.DIFFERENT_PEOPLE,
        reason="different fathers per the police file",
    )
    run = services.reconcile_site(actor=examiner, site=imported)
    assert _cluster_of(run, a) != _cluster_of(run, b)
    assert run.decision_count == 1
    # The answered question is not asked again.
    assert not run.review_items.filter(key=item.key).exists()


def test_an_acceptance_links_rows_the_model_kept_apart(imported, examiner):
    services.reconcile_site(actor=examiner, site=imported)
    a = JournalRow.objects.get(surname="Коваленко", journal__name="Funeral home")
    b = JournalRow.objects.get(surname="Бондаренко", journal__name="Funeral home")
    item = _pair_item(imported, a, b)
    services.review_decide(
        actor=examiner,
        item=item,
        kind=DecisionKind.SAME_PERSON,
        reason="test: forced link",
    )
    run = services.reconcile_site(actor=examiner, site=imported)
    assert _cluster_of(run, a) == _cluster_of(run, b)


def test_a_later_decision_supersedes_and_keeps_the_earlier(imported, examiner):
    services.reconcile_site(actor=examiner, site=imported)
    a = JournalRow.objects.get(surname="Шевченко", journal__name="Funeral home")
    b = JournalRow.objects.get(surname="Шевченко", journal__name="Volunteers")
    item = _pair_item(imported, a, b)
    first = services.review_decide(
        actor=examiner, item=item, kind="cannot_link", reason="x"
    )
    services.review_decide(
        actor=examiner, item=item, kind="must_link", reason="checked again"
    )
    first.refresh_from_db()
    assert first.superseded
    entry = (
        AuditEntry.objects.filter(action="journal.decision").order_by("-seq").first()
    )
    assert entry.before_data["superseded"][0]["kind"] == "cannot_link"


def test_a_decision_needs_a_reason(imported, examiner):
    services.reconcile_site(actor=examiner, site=imported)
    item = selectors.review_queue(imported).first()
    with pytest.raises(ValidationError):
        services.review_decide(actor=examiner, item=item, kind="resolved", reason="  ")


def test_the_grave_page_shows_rows_names_and_conflicts(client, imported, examiner):
    services.reconcile_site(actor=examiner, site=imported)
    grave = imported.graves.get(number="12")
    client.force_login(examiner)
    body = client.get(reverse("burials:grave_detail", args=[grave.pk])).content.decode()
    assert "Шевченко Олександр Миколайович" in body or "Шевченко Александр" in body
    assert "Funeral home" in body and "Volunteers" in body


def test_the_review_queue_is_refused_to_other_organisations(
    client, imported, examiner, outsider
):
    services.reconcile_site(actor=examiner, site=imported)
    client.force_login(outsider)
    assert (
        client.get(reverse("journals:review_queue", args=[imported.pk])).status_code
        == 404
    )
    item = selectors.review_queue(imported).first()
    assert (
        client.get(reverse("journals:review_item", args=[item.pk])).status_code == 404
    )


def test_a_dna_analyst_cannot_see_journals(client, users, imported):
    client.force_login(users[Role.DNA_ANALYST])
    assert client.get(reverse("journals:index")).status_code == 403


def test_a_field_recorder_sees_but_cannot_decide(client, users, imported, examiner):
    services.reconcile_site(actor=examiner, site=imported)
    item = selectors.review_queue(imported).first()
    client.force_login(users[Role.FIELD_RECORDER])
    assert (
        client.get(reverse("journals:review_item", args=[item.pk])).status_code == 200
    )
    response = client.post(
        reverse("journals:review_item", args=[item.pk]),
        {"kind": "resolved", "reason": "x"},
    )
    assert response.status_code == 403


def test_upload_preview_then_import_through_the_web(
    client, site, examiner, funeral_home_file, settings
):
    settings.IMENA_IMPORT_IN_BACKGROUND = False
    client.force_login(examiner)
    with funeral_home_file.open("rb") as f:
        response = client.post(
            reverse("journals:upload"),
            {"site": site.pk, "journal_name": "Funeral home", "file": f},
        )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert "cp1251" in body and "Шевченко" in body
    assert JournalRow.objects.count() == 0  # nothing stored before confirming
    data = {
        "confirm": "1",
        **{
            f"map_{k}": v
            for k, v in {
                "grave": "№ могилы",
                "surname": "Фамилия",
                "given_name": "Имя",
                "patronymic": "Отчество",
                "birth_date": "Дата рождения",
            }.items()
        },
    }
    done = client.post(response["Location"], data)
    assert done.status_code == 302
    assert JournalRow.objects.count() == 4


def test_an_unreadable_upload_is_refused_with_the_file_named(
    client, site, examiner, tmp_path
):
    bad = tmp_path / "noheader.csv"
    bad.write_bytes("Шевченко,Олександр,12\nКоваленко,Ганна,13\n".encode())
    client.force_login(examiner)
    with bad.open("rb") as f:
        response = client.post(
            reverse("journals:upload"),
            {"site": site.pk, "journal_name": "J", "file": f},
            follow=True,
        )
    assert "noheader.csv" in response.content.decode()
    assert JournalRow.objects.count() == 0


def test_the_journals_page_is_translated(client, imported, examiner):
    client.force_login(examiner)
    client.post(reverse("set_language"), {"language": "uk", "next": "/"})
    body = client.get(reverse("journals:index")).content.decode()
    assert "Журнали поховань" in body and "Звірити журнали" in body
