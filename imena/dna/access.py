"""DNA profiles: DNA analysts only, and every view is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from imena.accounts.access import in_organisation, require
from imena.audit.services import audit_record
from imena.dna.models import DNAProfile

if TYPE_CHECKING:
    from imena.accounts.models import User


def profiles_for_user(user: User) -> QuerySet[DNAProfile]:
    """Profiles the analyst may list (labels only; opening one is audited)."""
    require(user, "dna.view")
    return DNAProfile.objects.filter(in_organisation(user))


def profile_for_user(
    user: User, pk: int, *, capability: str = "dna.view"
) -> DNAProfile:
    """Fetch one profile for viewing its genotypes, and audit the view."""
    require(user, capability)
    profile = get_object_or_404(DNAProfile, pk=pk, organisation_id=user.organisation_id)
    audit_record(actor=user, action="dna.profile.view", obj=profile)
    return profile
