"""E-mail to families when their case's status changes (optional, with consent).

The message holds no personal data: no name, no case number, no status; only
"there is news in your case", in the family's language. Sent through Django's
e-mail backend (the console unless an SMTP host is configured).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from imena.audit.services import audit_record
from imena.families.models import CaseAccess, ConsentUse
from imena.families.selectors import case_person, case_status


def _message() -> tuple[str, str]:
    subject = _("Imena: there is news in your case")
    body = _(
        "There is news in your case. Please open your private case page with the "
        "link you were given, or call your family liaison officer.\n\n"
        "This message was sent automatically; please do not reply to it."
    )
    site = getattr(settings, "IMENA_SITE_URL", "")
    if site:
        body += "\n\n" + site
    return subject, body


def case_notifications_send() -> int:
    """E-mail every family whose case changed status since it was last told;
    the number of e-mails sent."""
    sent = 0
    live = CaseAccess.objects.filter(
        revoked_at__isnull=True,
        report__consents__use=ConsentUse.NOTIFY,
        report__consents__withdrawn_at__isnull=True,
    ).select_related("report", "person")
    for access in live.exclude(report__reporter_email=""):
        status = case_status(case_person(access))
        if status == access.notified_status:
            continue
        with transaction.atomic():
            locked = CaseAccess.objects.select_for_update().get(pk=access.pk)
            if locked.notified_status == status:
                continue
            with translation.override(access.report.language or "uk"):
                subject, body = _message()
            send_mail(subject, body, None, [access.report.reporter_email])
            locked.notified_status = status
            locked.save(update_fields=["notified_status"])
            audit_record(
                actor=None,
                action="families.notify",
                obj=access.person,
                after={"case_code": access.case_code, "status": status},
                organisation_id=access.person.organisation_id,
            )
        sent += 1
    return sent
