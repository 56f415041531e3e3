"""Evidence items (photos, videos, audio notes, documents, physical items) and custody.

An item belongs to a grave and, optionally, to one of its exhumations or bodies,
or to a whole site (an orthophoto of it); each has an append-only chain of custody. Files are in the content-addressed
store of :mod:`imena.evidence.storage`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from imena.core.constraints import FieldConstraintErrors
from imena.lib.ownership import OrganisationOwned


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Audio note")
    DOCUMENT = "document", _("Document")
    PHYSICAL = "physical", _("Physical item")


class EvidenceItem(FieldConstraintErrors, OrganisationOwned):
    """A photo, video, audio note, document or physical item, with its custody.

    Files live content-addressed under ``settings.EVIDENCE_ROOT`` as
    ``ab/cd/<sha256>``; physical items have no file.
    """

    number = models.CharField(_("evidence number"), max_length=40)
    grave = models.ForeignKey(
        "burials.Grave",
        verbose_name=_("grave"),
        on_delete=models.PROTECT,
        related_name="evidence",
        null=True,
        blank=True,
    )
    # An item of the whole site (a drone orthophoto), not of one grave.
    site = models.ForeignKey(
        "burials.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="evidence",
        null=True,
        blank=True,
    )
    exhumation = models.ForeignKey(
        "exhumations.Exhumation",
        verbose_name=_("exhumation"),
        on_delete=models.PROTECT,
        related_name="evidence",
        null=True,
        blank=True,
    )
    body = models.ForeignKey(
        "exhumations.Body",
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="evidence",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EvidenceKind.choices)
    description = models.TextField(_("description"), blank=True)
    seal_number = models.CharField(_("seal number"), max_length=80, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    original_name = models.CharField(
        _("original file name"), max_length=255, blank=True
    )
    media_type = models.CharField(_("file type"), max_length=60, blank=True)
    captured_at = models.DateTimeField(_("captured at (EXIF)"), null=True, blank=True)
    gps_lat = models.FloatField(_("GPS latitude (EXIF)"), null=True, blank=True)
    gps_lon = models.FloatField(_("GPS longitude (EXIF)"), null=True, blank=True)
    metadata = models.JSONField(_("capture metadata"), default=dict, blank=True)
    holder = models.CharField(_("current holder"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    constraint_fields = {
        "evidence_number_unique_per_org": "number",
        "evidence_file_once_per_org": "sha256",
        "evidence_kind_valid": "kind",
        "evidence_file_kinds_have_file": "sha256",
        "evidence_gps_lat_range": "gps_lat",
        "evidence_gps_lon_range": "gps_lon",
        "evidence_of_a_grave_or_a_site": "grave",
    }

    class Meta:
        # The tables keep the names they had in the exhumations app (no data moved).
        db_table = "exhumations_evidenceitem"
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"],
                name="evidence_number_unique_per_org",
                violation_error_message=_(
                    "Another evidence item of your organisation has this number."
                ),
            ),
            models.UniqueConstraint(
                fields=["organisation", "sha256"],
                condition=~Q(sha256=""),
                name="evidence_file_once_per_org",
                violation_error_message=_(
                    "This file is already registered as evidence in your organisation."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EvidenceKind.values),
                name="evidence_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=Q(kind="physical") | ~Q(sha256=""),
                name="evidence_file_kinds_have_file",
                violation_error_message=_(
                    "Photos, videos, audio and documents need a file."
                ),
            ),
            models.CheckConstraint(
                condition=Q(grave__isnull=False, site__isnull=True)
                | Q(
                    grave__isnull=True,
                    site__isnull=False,
                    exhumation__isnull=True,
                    body__isnull=True,
                ),
                name="evidence_of_a_grave_or_a_site",
                violation_error_message=_(
                    "An evidence item belongs to a grave or to a whole site."
                ),
            ),
            models.CheckConstraint(
                condition=Q(gps_lat__isnull=True)
                | Q(gps_lat__gte=-90, gps_lat__lte=90),
                name="evidence_gps_lat_range",
                violation_error_message=_(
                    "Latitude must be between −90 and 90 degrees."
                ),
            ),
            models.CheckConstraint(
                condition=Q(gps_lon__isnull=True)
                | Q(gps_lon__gte=-180, gps_lon__lte=180),
                name="evidence_gps_lon_range",
                violation_error_message=_(
                    "Longitude must be between −180 and 180 degrees."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("exhumations:evidence_detail", args=[self.pk])

    @property
    def relative_path(self) -> str:
        s = self.sha256
        return f"{s[:2]}/{s[2:4]}/{s}" if s else ""


class CustodyAction(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    HANDOVER = "handover", _("Handed over")
    TRANSFER = "transfer", _("Transferred")
    CHECK_OUT = "check_out", _("Checked out")
    CHECK_IN = "check_in", _("Checked in")
    ANALYSIS = "analysis", _("Analysed")
    # The same file arrived again for another record: the item is used, not copied.
    REFERENCED = "referenced", _("Referenced by another record")


class CustodyEntry(FieldConstraintErrors, models.Model):
    """One link of an item's chain of custody. Entries are only ever added."""

    item = models.ForeignKey(
        EvidenceItem,
        verbose_name=_("evidence item"),
        on_delete=models.PROTECT,
        related_name="custody",
    )
    seq = models.PositiveIntegerField(_("sequence"))
    action = models.CharField(_("action"), max_length=12, choices=CustodyAction.choices)
    from_person = models.CharField(_("from"), max_length=200, blank=True)
    to_person = models.CharField(_("to"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    seal_number = models.CharField(_("seal number"), max_length=80, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    constraint_fields = {
        "custody_seq_unique": "seq",
        "custody_action_valid": "action",
    }

    class Meta:
        db_table = "exhumations_custodyentry"
        verbose_name = _("custody entry")
        verbose_name_plural = _("custody entries")
        ordering = ["item", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "seq"],
                name="custody_seq_unique",
                violation_error_message=_(
                    "Someone else added a custody entry to this item at the same moment; reload and try again."
                ),
            ),
            models.CheckConstraint(
                condition=Q(action__in=CustodyAction.values),
                name="custody_action_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} #{self.seq} {self.action}"


class Orthophoto(FieldConstraintErrors, OrganisationOwned):
    """A georeferenced image of a site (a drone orthophoto), drawn under its graves.

    The uploaded file is the evidence item (hash, custody); the map shows a
    rendition warped to Web Mercator whose WGS84 bounds are stored here.
    ``transform`` maps pixel corners to the source CRS: ``x = a*col + b*row + c``,
    ``y = d*col + e*row + f`` (``[a, b, c, d, e, f]``, ``col``/``row`` 0 at the
    upper-left corner of the upper-left pixel).
    """

    site = models.ForeignKey(
        "burials.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="orthophotos",
    )
    item = models.OneToOneField(
        EvidenceItem,
        verbose_name=_("evidence item"),
        on_delete=models.PROTECT,
        related_name="orthophoto",
    )
    epsg = models.PositiveIntegerField(_("EPSG code"))
    transform = models.JSONField(_("pixel to coordinates"))
    world_file = models.TextField(_("world file"), blank=True)
    width = models.PositiveIntegerField(_("width (pixels)"))
    height = models.PositiveIntegerField(_("height (pixels)"))
    south = models.FloatField(_("south"))
    west = models.FloatField(_("west"))
    north = models.FloatField(_("north"))
    east = models.FloatField(_("east"))
    rendition = models.CharField(_("rendition"), max_length=120)
    rendition_type = models.CharField(_("rendition type"), max_length=40)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    constraint_fields = {"orthophoto_bounds_valid": "south"}

    class Meta:
        verbose_name = _("orthophoto")
        verbose_name_plural = _("orthophotos")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    south__gte=-90,
                    north__lte=90,
                    south__lt=models.F("north"),
                    west__gte=-180,
                    east__lte=180,
                    west__lt=models.F("east"),
                ),
                name="orthophoto_bounds_valid",
                violation_error_message=_(
                    "The orthophoto's bounds are not a valid latitude/longitude box."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.number} ({self.site})"
