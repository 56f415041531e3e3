from __future__ import annotations

import pytest

from imena.reports.tests.factories import populated_site


@pytest.fixture
def site(org, examiner):
    return populated_site(org, examiner)


@pytest.fixture
def investigator(users):
    return users["investigator"]
