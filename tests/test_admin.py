from __future__ import annotations

import pytest
from django.urls import reverse

from imena.audit.models import AuditEntry
from imena.burials.tests.factories import GraveFactory, SiteFactory


@pytest.mark.django_db
def test_an_admin_edit_is_audited_and_delete_is_refused(client, org, users) -> None:
    admin = users["administrator"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    grave = GraveFactory(site=SiteFactory(organisation=org), marker_text="№ 5")
    client.force_login(admin)
    url = reverse("admin:burials_grave_change", args=[grave.pk])  # type: ignore[attr-defined]
    response = client.post(
        url,
        {
            "site": grave.site_id,  # type: ignore[attr-defined]
            "ref": grave.ref,
            "marker_text": "№ 6",
            "kind": "individual",
            "status": "registered",
            "notes": "",
            "withdrawn_reason": "",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.before_data["marker_text"] == "№ 5"
    assert entry.after_data["marker_text"] == "№ 6"
    assert entry.after_data["number"] == "6"
    delete = client.post(
        reverse("admin:burials_grave_delete", args=[grave.pk]),  # type: ignore[attr-defined]
        {"post": "yes"},
    )
    assert delete.status_code == 403
