"""Field-capture drafts waiting for a reviewer (home page work list)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from imena.accounts.models import User
from imena.accounts.roles import can
from imena.core.times import local_time
from imena.lib.worklist import WorkItem, WorkRow, work_item
from imena.odk.access import submissions_for_user
from imena.odk.models import DraftStatus


def work_items(user: User) -> list[WorkItem]:
    if not can(user, "odk.review"):
        return []
    drafts = (
        submissions_for_user(user)
        .filter(status=DraftStatus.DRAFT)
        .select_related("submitted_by")
        .order_by("received", "pk")
    )
    return [
        work_item(
            "odk_drafts",
            _("Field-capture drafts waiting for review"),
            drafts,
            reverse("odk:index"),
            lambda d: WorkRow(
                label=d.form_id,
                url=reverse("odk:draft_detail", args=[d.pk]),
                detail=f"{d.submitted_by} · {local_time(d.received)}",
            ),
        )
    ]
