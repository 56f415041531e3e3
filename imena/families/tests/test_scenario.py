from __future__ import annotations

import pytest

from imena.families.scenario import load_scenario
from imena.families.selectors import drafts, proposed_duplicates
from imena.lib.scenario import ScenarioContext
from imena.missing.tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_the_demo_queue_has_a_second_relatives_report(org, tmp_path) -> None:
    known = make_person(org, family_name="Тестенко", given_names="Вигадан")
    context = ScenarioContext(directory=tmp_path, organisation=org, actor=None)
    load_scenario(context)
    assert context.summary["family_reports"] == 2
    first, second = drafts()
    assert proposed_duplicates(first, org) == [known]
    assert proposed_duplicates(second, org) == []
