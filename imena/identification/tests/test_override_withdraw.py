"""Withdrawing an exclusion override: kept with its reason, audited, and the
exclusion counts again from the next computation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from imena.audit.history import action_label
from imena.audit.models import AuditEntry
from imena.identification import services
from imena.identification.models import BodyAnalysis, ExclusionOverride

pytestmark = pytest.mark.django_db


def _excluded(run, person) -> bool:
    analysis = BodyAnalysis.objects.get(run=run)
    return person.pk in {int(e["person"]) for e in analysis.exclusions}


def _override(body, person, users, key="sex") -> ExclusionOverride:
    return services.exclusion_override_create(
        actor=users["forensic_examiner"],
        body=body,
        person=person,
        key=key,
        reason="sex estimate unreliable (burnt)",
    )


def test_a_withdrawn_override_is_kept_and_the_exclusion_applies_again(
    run, body, persons, users
):
    woman = persons[1]
    assert _excluded(run, woman)
    override = _override(body, woman, users)
    examiner = users["forensic_examiner"]
    run2, _ = services.candidates_compute(actor=examiner, site=body.grave.site)
    assert not _excluded(run2, woman)

    reviewer = users["dna_analyst"]
    services.exclusion_override_withdraw(
        actor=reviewer, override=override, reason="the pelvis was read again: female"
    )
    override.refresh_from_db()
    assert override.withdrawn and override.withdrawn_by == reviewer
    assert override.withdrawn_reason == "the pelvis was read again: female"
    assert override.withdrawn_at is not None
    assert override.reason == "sex estimate unreliable (burnt)"  # kept as it was
    entry = AuditEntry.objects.get(action="identification.override.withdraw")
    after = entry.after_data
    assert after["withdrawn"] is True and after["key"] == "sex"
    assert action_label(entry) == "Exclusion override withdrawn"
    run3, _ = services.candidates_compute(actor=examiner, site=body.grave.site)
    assert _excluded(run3, woman)
    # the pair may be overridden anew; the withdrawn one stays
    _override(body, woman, users)
    assert ExclusionOverride.objects.filter(body=body, person=woman).count() == 2


def test_a_withdrawal_needs_a_reason_and_happens_once(body, persons, users):
    override = _override(body, persons[1], users)
    examiner = users["forensic_examiner"]
    with pytest.raises(ValidationError):
        services.exclusion_override_withdraw(
            actor=examiner, override=override, reason="  "
        )
    override.refresh_from_db()
    assert not override.withdrawn
    services.exclusion_override_withdraw(
        actor=examiner, override=override, reason="entered for the wrong pair"
    )
    with pytest.raises(ValidationError, match="already withdrawn"):
        services.exclusion_override_withdraw(
            actor=examiner, override=override, reason="again"
        )
    assert (
        AuditEntry.objects.filter(action="identification.override.withdraw").count()
        == 1
    )


def test_only_reviewers_withdraw(body, persons, users):
    override = _override(body, persons[1], users)
    with pytest.raises(PermissionDenied):
        services.exclusion_override_withdraw(
            actor=users["family_liaison"], override=override, reason="no"
        )
    override.refresh_from_db()
    assert not override.withdrawn


def _url(candidate, override) -> str:
    return reverse("identification:override_withdraw", args=[candidate.pk, override.pk])


def test_the_candidate_page_lists_overrides_and_withdraws_one(
    client, candidate, body, users
):
    override = _override(body, candidate.person, users, key="dental/46")
    client.force_login(users["investigator"])
    page = client.get(candidate.get_absolute_url()).content.decode()
    assert "[dental/46]" in page and _url(candidate, override) in page
    response = client.post(_url(candidate, override), {"reason": ""})
    assert response.status_code == 302
    override.refresh_from_db()
    assert not override.withdrawn
    client.post(_url(candidate, override), {"reason": "tooth 46 was misread"})
    override.refresh_from_db()
    assert override.withdrawn
    page = client.get(candidate.get_absolute_url()).content.decode()
    assert "tooth 46 was misread" in page and _url(candidate, override) not in page


def test_the_page_is_translated(client, candidate, body, users):
    _override(body, candidate.person, users, key="dental/46")
    client.force_login(users["investigator"])
    client.post(reverse("set_language"), {"language": "uk", "next": "/"})
    page = client.get(candidate.get_absolute_url()).content.decode()
    assert "Скасовані виключення" in page and "Відкликати скасування" in page


def test_who_may_withdraw_on_the_page(client, candidate, body, users, outsider):
    override = _override(body, candidate.person, users, key="dental/46")
    client.force_login(users["family_liaison"])
    page = client.get(candidate.get_absolute_url()).content.decode()
    assert "[dental/46]" in page and _url(candidate, override) not in page
    assert client.post(_url(candidate, override), {"reason": "x"}).status_code == 403
    client.force_login(outsider)  # a reviewer of another organisation
    assert client.post(_url(candidate, override), {"reason": "x"}).status_code == 404
    override.refresh_from_db()
    assert not override.withdrawn


def test_an_override_of_another_pair_is_not_found(
    client, candidate, body, persons, users
):
    other = next(p for p in persons if p.pk != candidate.person_id)
    override = _override(body, other, users)
    client.force_login(users["forensic_examiner"])
    assert client.post(_url(candidate, override), {"reason": "x"}).status_code == 404
    override.refresh_from_db()
    assert not override.withdrawn
