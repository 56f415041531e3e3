from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from imena.burials.numbering import normalise_grave_number
from imena.core.constraints import FieldConstraintErrors
from imena.lib.withdrawal import Withdrawable, withdrawal_has_reason


class Site(FieldConstraintErrors, models.Model):
    """A burial site: a cemetery section, a forest, a yard."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="sites",
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    settlement = models.CharField(_("settlement"), max_length=120, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON polygon)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    constraint_fields = {
        "site_code_unique_per_org": "code",
        "site_lat_range": "lat",
        "site_lon_range": "lon",
    }

    class Meta:
        verbose_name = _("burial site")
        verbose_name_plural = _("burial sites")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="site_code_unique_per_org",
                violation_error_message=_(
                    "Another site of your organisation has this code."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(lat__isnull=True)
                | models.Q(lat__gte=-90, lat__lte=90),
                name="site_lat_range",
                violation_error_message=_(
                    "Latitude must be between −90 and 90 degrees."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(lon__isnull=True)
                | models.Q(lon__gte=-180, lon__lte=180),
                name="site_lon_range",
                violation_error_message=_(
                    "Longitude must be between −180 and 180 degrees."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("burials:site_detail", args=[self.pk])


class GraveKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    MASS = "mass", _("Mass grave")
    UNKNOWN = "unknown", _("Unknown")


class GraveStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    EXHUMED = "exhumed", _("Exhumed")
    AT_MORGUE = "at_morgue", _("Remains at morgue")
    IDENTIFIED = "identified", _("Identified")
    RETURNED = "returned", _("Returned to family")


class Grave(FieldConstraintErrors, Withdrawable):
    """A grave as found on the site, with its marker exactly as written."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.PROTECT, related_name="graves"
    )
    ref = models.CharField(
        _("register number"),
        max_length=40,
        help_text=_("Imena's own number for the grave, unique on its site."),
    )
    marker_text = models.CharField(
        _("marker as written"),
        max_length=200,
        blank=True,
        help_text=_("Exactly as on the cross or plank, e.g. “№ 12а”, “123/2”, “БН”."),
    )
    number = models.CharField(
        _("grave number"),
        max_length=40,
        blank=True,
        help_text=_("Derived from the marker; empty when the marker has no number."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=GraveKind.choices,
        default=GraveKind.INDIVIDUAL,
    )
    bodies_expected = models.PositiveIntegerField(
        _("bodies expected"), null=True, blank=True
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    x = models.FloatField(_("grid x (m)"), null=True, blank=True)
    y = models.FloatField(_("grid y (m)"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=GraveStatus.choices,
        default=GraveStatus.REGISTERED,
    )
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)

    reason_required = _("Say why the grave is withdrawn.")

    constraint_fields = {
        "grave_ref_unique_per_site": "ref",
        "grave_kind_valid": "kind",
        "grave_status_valid": "status",
        "grave_lat_range": "lat",
        "grave_lon_range": "lon",
        "grave_withdrawal_has_reason": "withdrawn_reason",
    }

    class Meta:
        verbose_name = _("grave")
        verbose_name_plural = _("graves")
        ordering = ["site", "ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "ref"],
                name="grave_ref_unique_per_site",
                violation_error_message=_(
                    "Another grave of this site has this register number."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=GraveKind.values),
                name="grave_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=GraveStatus.values),
                name="grave_status_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=models.Q(lat__isnull=True)
                | models.Q(lat__gte=-90, lat__lte=90),
                name="grave_lat_range",
                violation_error_message=_(
                    "Latitude must be between −90 and 90 degrees."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(lon__isnull=True)
                | models.Q(lon__gte=-180, lon__lte=180),
                name="grave_lon_range",
                violation_error_message=_(
                    "Longitude must be between −180 and 180 degrees."
                ),
            ),
            withdrawal_has_reason("grave"),
        ]
        indexes = [
            # Site page search and journal matching: graves by normalised number.
            models.Index(fields=["site", "number"]),
            # Site page filter by status.
            models.Index(fields=["site", "status"]),
        ]

    def __str__(self) -> str:
        return self.marker_text or self.ref

    def get_absolute_url(self) -> str:
        return reverse("burials:grave_detail", args=[self.pk])

    @staticmethod
    def make_ref(site_code: str, n: int) -> str:
        """Imena's register number of the ``n``-th grave of a site: ``IZM-G00012``.

        One form for graves registered on the web, by ODK, by import and in the
        demo (whose generator writes the same form), so a document never mixes
        ``G00446`` with ``IZM-G00001``.
        """
        return f"{site_code}-G{n:05d}"

    def derive_number(self) -> None:
        self.number = normalise_grave_number(self.marker_text)

    @property
    def is_mass(self) -> bool:
        return self.kind == GraveKind.MASS
