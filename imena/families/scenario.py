"""Two reports from families for the demo's liaison queue (#16).

One is a second relative's report of a person already in the register (record
linkage proposes the existing report); the other is of a person not yet
reported. Names are taken from, or made like, the simulated (synthetic) data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imena.families.models import ConsentUse
from imena.families.services import public_report_submit
from imena.missing.models import MissingPerson

if TYPE_CHECKING:
    from imena.lib.scenario import ScenarioContext


def load_scenario(context: ScenarioContext) -> None:
    known = (
        MissingPerson.objects.filter(
            organisation=context.organisation,
            merged_into__isnull=True,
            birth_year__isnull=False,
        )
        .exclude(family_name="")
        .order_by("case_no")
        .first()
    )
    if known is None:
        return
    consents = [ConsentUse.SEARCH, ConsentUse.DNA]
    public_report_submit(
        fields={
            "family_name": known.family_name,
            "given_names": known.given_names,
            "patronymic": known.patronymic,
            "sex": known.sex,
            "birth_year": known.birth_year,
            "birth_month": known.birth_month,
            "birth_day": known.birth_day,
            "reporter_name": "Сестра (демо)",
            "reporter_relationship": "сестра",
            "reporter_phone": "+380 00 000 0000",
            "dna_relatives": ["full_sibling"],
        },
        consents=consents,
        language="uk",
    )
    public_report_submit(
        fields={
            "family_name": "Демоненко",
            "given_names": "Вигадан",
            "patronymic": "Тестович",
            "sex": "male",
            "birth_year": 1988,
            "last_seen_place": "Демо-село",
            "circumstances": "shelling",
            "reporter_name": "Демоненко Ганна (демо)",
            "reporter_relationship": "мати",
            "reporter_email": "family@example.org",
            "dna_relatives": ["mother", "father"],
        },
        consents=[*consents, ConsentUse.NOTIFY],
        language="uk",
    )
    context.summary["family_reports"] = 2
