from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_examiner_sees_candidate(client, candidate, users):
    client.force_login(users["forensic_examiner"])
    assert client.get(candidate.get_absolute_url()).status_code == 200


def test_field_recorder_is_refused(client, candidate, users):
    client.force_login(users["field_recorder"])
    assert client.get(candidate.get_absolute_url()).status_code == 403


def test_outsider_gets_404(client, candidate, outsider):
    client.force_login(outsider)
    assert client.get(candidate.get_absolute_url()).status_code == 404


def test_liaison_cannot_propose(client, candidate, users):
    client.force_login(users["family_liaison"])
    resp = client.post(f"/identification/candidates/{candidate.pk}/propose/")
    assert resp.status_code == 403


def test_index_page(client, run, users):
    client.force_login(users["investigator"])
    assert client.get("/identification/").status_code == 200
