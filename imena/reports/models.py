"""Figures the reports pages show that are too costly to work out on each view."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from imena.burials.models import Site
from imena.core.constraints import FieldConstraintErrors


class SiteRecordCount(FieldConstraintErrors, models.Model):
    """How many records a site's full JSON record holds for one set of readers.

    Counting a site's record walks every model linked to the site (seconds at
    national size), so it is counted off the statistics page (by ``imena report
    counts`` or by the page's deferred request) and stored with the moment and
    the audit chain's head it was counted at: the page states that moment, and
    says so when the register has changed since. ``reader`` names the set of
    models the readers may see (readers who see the same models see the same
    counts). Not part of the register: a figure derived from it, never exported.
    """

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    reader = models.CharField(_("models the readers may see"), max_length=64)
    plain = models.PositiveIntegerField(_("records"))
    analysis = models.PositiveIntegerField(_("analysis records"))
    counted_at = models.DateTimeField(_("counted at"))
    audit_head = models.CharField(_("audit chain head when counted"), max_length=64)

    constraint_fields = {"reports_site_record_count_once": "reader"}

    class Meta:
        verbose_name = _("site record count")
        verbose_name_plural = _("site record counts")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "reader"],
                name="reports_site_record_count_once",
                violation_error_message=_(
                    "The site's records are already counted for these readers."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.site_id}/{self.reader}: {self.plain}+{self.analysis}"
