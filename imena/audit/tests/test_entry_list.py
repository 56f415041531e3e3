"""The audit log page names actions and authors in the reader's language."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from imena.audit.services import audit_record


def test_the_log_shows_readable_actions_and_names(client, users) -> None:
    examiner = users["investigator"]
    examiner.first_name, examiner.last_name = "Ірина", "Тестова"
    examiner.save()
    audit_record(
        actor=examiner,
        action="identification.override",
        object_type="t",
        object_id=1,
        before={},
        after={"v": 1},
    )
    client.force_login(examiner)
    with translation.override("en"):
        html = client.get(reverse("audit:entry_list"), HTTP_ACCEPT_LANGUAGE="en")
    text = html.content.decode()
    assert "Engine result overridden" in text
    assert '<code class="muted">identification.override</code>' in text
    assert "Ірина Тестова" in text
