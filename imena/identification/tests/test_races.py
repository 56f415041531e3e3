"""#19 rows 5/6: 20 proposals for one body at once, on the live server.

The `identification_one_live_per_body` constraint keeps one; the others used to
be HTTP 500 on PostgreSQL. Now: a redirect (proposed, or told it exists) or 409.
"""

from __future__ import annotations

import pytest

from imena.core.testing import post_at_once
from imena.identification.models import Identification

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_proposals_for_one_body_never_fail(
    live_server, client, candidate, users
) -> None:
    client.force_login(users["forensic_examiner"])
    statuses = post_at_once(
        f"{live_server.url}/identification/candidates/{candidate.pk}/propose/",
        {
            "comment": "Stature, age and the tattoo agree",
            "primary_identifier": "dental",
            "primary_reference": "OD-2022-017",
            "justification": "Dental comparison by the odontologist identifies.",
        },
        session=client.cookies["sessionid"].value,
    )
    assert set(statuses) <= {302, 409}, statuses
    assert 302 in statuses
    assert Identification.objects.count() == 1
