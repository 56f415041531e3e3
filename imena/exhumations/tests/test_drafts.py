"""Section drafts: autosaves that never fail and never go back in time (#21 item 3)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError
from django.urls import reverse
from django.utils import timezone

from imena.exhumations import services
from imena.exhumations.models import SectionDraft

pytestmark = pytest.mark.django_db


def _draft(client, body, section="findings", **data):
    return client.post(
        reverse("exhumations:section_draft", args=[body.pk, section]), data
    )


def _stored(recorder, body, section="findings"):
    return services.draft_get(user=recorder, body=body, section=section)


def test_a_later_autosave_is_kept_when_an_earlier_one_arrives_after_it(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    page = timezone.now().isoformat()
    assert (
        _draft(client, body, findings="два", draft_page=page, draft_seq=2).status_code
        == 200
    )
    late = _draft(client, body, findings="один", draft_page=page, draft_seq=1)
    assert late.status_code == 204
    assert _stored(recorder, body) == {"findings": "два"}


def test_an_autosave_from_before_the_section_was_saved_is_dropped(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    page = timezone.now().isoformat()
    client.post(
        reverse("exhumations:section", args=[body.pk, "findings"]),
        {"findings": "Кістки зібрано"},
    )
    late = _draft(client, body, findings="Кістки", draft_page=page, draft_seq=3)
    assert late.status_code == 204
    assert not SectionDraft.objects.exists()
    # A page shown after the save autosaves again.
    fresh = timezone.now().isoformat()
    assert (
        _draft(client, body, findings="Ще", draft_page=fresh, draft_seq=1).status_code
        == 200
    )
    assert _stored(recorder, body) == {"findings": "Ще"}


def test_a_busy_database_is_answered_with_a_retry_not_a_500(
    client, body, recorder
) -> None:
    client.force_login(recorder)
    with mock.patch.object(
        services, "draft_save", side_effect=OperationalError("database is locked")
    ):
        response = _draft(client, body, findings="x", HTTP_HX_REQUEST="true")
    assert response.status_code == 503
    assert "HX-Refresh" not in response
    assert "trying again" in response.content.decode()


def test_a_first_save_that_loses_the_insert_race_is_tried_again(body, recorder) -> None:
    # Another request inserted the same draft between this one's look-up and
    # insert: the insert fails once, and the save starts over.
    real_create = SectionDraft.objects.create
    calls = []

    def lose_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise IntegrityError("UNIQUE constraint failed")
        return real_create(**kwargs)

    with mock.patch.object(SectionDraft.objects, "create", side_effect=lose_once):
        stored = services.draft_save(
            user=recorder, body=body, section="findings", data={"findings": "mine"}
        )
    assert stored and len(calls) == 2
    assert _stored(recorder, body) == {"findings": "mine"}
