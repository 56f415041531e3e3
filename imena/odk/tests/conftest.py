from __future__ import annotations

import pytest

from imena.accounts.models import Role
from imena.burials import services as burials
from imena.burials.tests.factories import SiteFactory
from imena.odk import services
from imena.odk.models import XForm
from imena.odk.tests.factories import basic, token_for


@pytest.fixture
def site(org, examiner):
    site = SiteFactory(organisation=org, code="izium-forest", name="Лісове кладовище")
    for marker in ["№ 1", "№ 2", "12а"]:
        burials.grave_create(actor=examiner, site=site, marker_text=marker)
    return site


@pytest.fixture
def published(db) -> dict[str, XForm]:
    services.xform_publish()
    return services.xforms_current()


@pytest.fixture
def recorder(users):
    return users[Role.FIELD_RECORDER]


@pytest.fixture
def recorder_auth(recorder) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": basic(recorder.username, token_for(recorder))}


@pytest.fixture
def grave_form(published) -> XForm:
    return published["imena_grave_registration"]


def grave_fields(site_code: str = "izium-forest", **extra: str) -> dict[str, str]:
    fields = {
        "site": site_code,
        "marker_photo": "marker.jpg",
        "location": "49.2 37.25 120 5",
        "marker_text": "№ 77",
        "grave_marker": "cross",
        "kind": "individual",
        "bodies_expected": "",
        "notes": "",
        "started": "2025-05-01T10:00:00.000+03:00",
        "finished": "2025-05-01T10:05:00.000+03:00",
        "deviceid": "collect:abc123",
    }
    fields.update(extra)
    return fields


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    """Each test stores its files in a folder of its own."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings.EVIDENCE_ROOT


@pytest.fixture(autouse=True)
def _each_request_commits(monkeypatch):
    """Run a request's on-commit callbacks when it returns, as its own
    transaction would in production: files go into the store only then."""
    from django.test import Client, TestCase

    request = Client.request

    def committed(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return request(self, **kwargs)

    monkeypatch.setattr(Client, "request", committed)
