"""Families' drafts and additions waiting for a liaison officer (home page)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from imena.accounts.models import User
from imena.accounts.roles import can
from imena.families import access
from imena.lib.worklist import WorkItem, WorkRow, work_item


def work_items(user: User) -> list[WorkItem]:
    if not can(user, "missing.change"):
        return []
    url = reverse("families:queue")
    drafts = access.reports_for_user(user).filter(status="draft").order_by("created")
    additions = (
        access.additions_for_user(user)
        .filter(handled_at__isnull=True)
        .order_by("created", "pk")
    )
    return [
        work_item(
            "family_reports",
            _("Reports from families"),
            drafts,
            url,
            lambda r: WorkRow(
                r.full_name,
                reverse("families:report_detail", args=[r.pk]),
                r.created.strftime("%Y-%m-%d"),
            ),
        ),
        work_item(
            "family_additions",
            _("Added by families on their case pages"),
            additions,
            url + "#additions",
            lambda a: WorkRow(
                a.access.person.case_no,
                url + "#additions",
                a.created.strftime("%Y-%m-%d"),
            ),
        ),
    ]
