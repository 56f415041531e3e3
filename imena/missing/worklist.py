"""Families' contact requests waiting for a liaison officer (home page work list)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from imena.accounts.models import User
from imena.accounts.roles import can
from imena.lib.worklist import WorkItem, WorkRow, work_item
from imena.missing.access import contact_requests_for_user


def work_items(user: User) -> list[WorkItem]:
    if not can(user, "missing.change"):
        return []
    requests_ = (
        contact_requests_for_user(user).filter(handled=False).order_by("created", "pk")
    )
    url = reverse("missing:contact_requests")
    return [
        work_item(
            "contact_requests",
            _("Contact requests from families"),
            requests_,
            url,
            lambda r: WorkRow(r.searched_name, url, r.created.strftime("%Y-%m-%d")),
        )
    ]
