"""The demo: a local database with a simulated scenario and one user per role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from imena.accounts.models import Organisation, Role, User
from imena.lib.scenario import ScenarioContext, load_scenario

DEMO_ORG_CODE = "demo"
DEMO_USERS: list[tuple[str, str, str]] = [
    # username, role, display name
    ("recorder", Role.FIELD_RECORDER, "Польова Записувачка"),
    ("examiner", Role.FORENSIC_EXAMINER, "Судовий Експерт"),
    ("examiner2", Role.FORENSIC_EXAMINER, "Другий Експерт"),
    ("dna", Role.DNA_ANALYST, "ДНК Аналітик"),
    ("prosecutor", Role.INVESTIGATOR, "Прокурор Слідчий"),
    ("liaison", Role.FAMILY_LIAISON, "Зв'язкова З Родинами"),
    ("admin", Role.ADMINISTRATOR, "Адміністратор"),
]


def demo_password(username: str) -> str:
    return f"imena-{username}"


@dataclass
class DemoResult:
    created: bool
    summary: dict[str, int]
    logins: list[tuple[str, str, str]]


@transaction.atomic
def demo_load(
    *, scenario_dir: Path, progress: bool = False, compute: bool = True
) -> DemoResult:
    """Create the demo organisation, its users and the scenario, once.

    ``progress`` draws a progress bar per loading step on stderr; without
    ``compute`` only the data is loaded (no DNA screening, no candidate lists).
    """
    org = Organisation.objects.filter(code=DEMO_ORG_CODE).first()
    logins = [(u, demo_password(u), str(Role(r).label)) for u, r, _ in DEMO_USERS]
    if org is not None:
        return DemoResult(False, {}, logins)
    org = Organisation.objects.create(
        name="Demo: forensic team (synthetic data)", code=DEMO_ORG_CODE
    )
    users: dict[str, User] = {}
    for username, role, display in DEMO_USERS:
        first, _, last = display.partition(" ")
        user = User(
            username=username,
            role=role,
            organisation=org,
            first_name=first,
            last_name=last,
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        user.set_password(demo_password(username))
        user.save()
        users[username] = user
    # A second organisation whose user must see none of the demo's records.
    other = Organisation.objects.create(name="Another team", code="other")
    outsider = User(username="outsider", role=Role.INVESTIGATOR, organisation=other)
    outsider.set_password(demo_password("outsider"))
    outsider.save()
    context = ScenarioContext(
        directory=scenario_dir,
        organisation=org,
        actor=users["examiner"],
        users=users,
        progress=progress,
        compute=compute,
    )
    summary = load_scenario(context)
    return DemoResult(True, summary, logins)
