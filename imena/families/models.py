"""Families online: public draft reports, private case links, family additions.

A family member files a :class:`PublicReport` without an account; it is a
draft until a liaison officer accepts it as a new missing-person report or
merges it into an existing one. The family then follows the case through a
:class:`CaseAccess` link whose secret is stored only as a hash.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from imena.core.constraints import FieldConstraintErrors
from imena.lib.vocab import VocabChoices
from imena.missing.vocab import codes


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for a liaison officer")
    ACCEPTED = "accepted", _("Accepted as a new report")
    MERGED = "merged", _("Merged into an existing report")
    REJECTED = "rejected", _("Rejected")


class ConsentUse(models.TextChoices):
    """What a family may agree to, one use at a time."""

    SEARCH = "search", _("Staff may search and compare this report")
    DNA = "dna", _("DNA comparison with the relatives' reference samples")
    SHARING = (
        "sharing",
        _("Sharing with other organisations searching for missing persons"),
    )
    NOTIFY = "notify", _("E-mail when there is news in the case")


class PublicReport(FieldConstraintErrors, models.Model):
    """A missing-person report filed online by a family member; a draft."""

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.DRAFT,
    )
    language = models.CharField(_("family's language"), max_length=8, default="uk")
    # The missing person, names in any script as the family writes them
    family_name = models.CharField(_("surname"), max_length=120, blank=True)
    family_name_unknown = models.BooleanField(_("surname unknown"), default=False)
    given_names = models.CharField(_("given name"), max_length=120)
    patronymic = models.CharField(_("patronymic"), max_length=120, blank=True)
    aliases = models.TextField(_("other spellings"), blank=True)
    sex = models.CharField(
        _("sex"), max_length=16, choices=VocabChoices("sex_am"), default="unknown"
    )
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True
    )
    birth_month = models.PositiveSmallIntegerField(
        _("month of birth"), null=True, blank=True
    )
    birth_day = models.PositiveSmallIntegerField(
        _("day of birth"), null=True, blank=True
    )
    last_seen_date = models.DateField(_("last seen (date)"), null=True, blank=True)
    last_seen_place = models.CharField(
        _("last seen (place)"), max_length=300, blank=True
    )
    circumstances = models.CharField(
        _("circumstances"),
        max_length=16,
        choices=VocabChoices("circumstances"),
        default="unknown",
    )
    circumstances_text = models.TextField(_("what happened"), blank=True)
    # Physical description (the AM vocabulary) and free text
    stature_cm = models.PositiveSmallIntegerField(
        _("height (cm)"), null=True, blank=True
    )
    build = models.CharField(
        _("build"), max_length=10, choices=VocabChoices("build"), blank=True
    )
    hair_colour = models.CharField(
        _("hair colour"), max_length=16, choices=VocabChoices("hair_colour"), blank=True
    )
    eye_colour = models.CharField(
        _("eye colour"), max_length=10, choices=VocabChoices("eye_colour"), blank=True
    )
    marks = models.TextField(_("tattoos, scars, birthmarks"), blank=True)
    description = models.TextField(_("other description"), blank=True)
    # Clothing and effects: vocabulary-coded rows, as on the staff form
    clothing = models.JSONField(_("clothing last worn"), default=list, blank=True)
    effects = models.JSONField(_("personal effects"), default=list, blank=True)
    # Medical and dental
    medical_notes = models.TextField(
        _("medical history (surgery, implants, fractures, illness)"), blank=True
    )
    dental_notes = models.TextField(_("teeth (fillings, crowns, gaps)"), blank=True)
    dentist = models.CharField(_("dentist or clinic"), max_length=200, blank=True)
    # The reporter
    reporter_name = models.CharField(_("your name"), max_length=200)
    reporter_relationship = models.CharField(
        _("your relationship to the missing person"), max_length=60
    )
    reporter_phone = models.CharField(_("telephone"), max_length=40, blank=True)
    reporter_email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    reporter_address = models.CharField(_("postal address"), max_length=300, blank=True)
    # Relatives who could give a DNA reference sample: donor_relationship codes
    dna_relatives = models.JSONField(
        _("relatives who could give a DNA sample"), default=list, blank=True
    )
    dna_relatives_note = models.TextField(_("about these relatives"), blank=True)
    # What became of the draft
    person = models.ForeignKey(
        "missing.MissingPerson",
        verbose_name=_("missing-person report"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_reports",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_reason = models.TextField(_("reason"), blank=True)
    created = models.DateTimeField(_("received"), auto_now_add=True)

    constraint_fields = {
        "publicreport_status_valid": "status",
        "publicreport_given_name_required": "given_names",
        "publicreport_surname_or_unknown": "family_name",
        "publicreport_sex_valid": "sex",
        "publicreport_reporter_reachable": "reporter_phone",
        "publicreport_case_when_accepted": "person",
    }

    class Meta:
        verbose_name = _("report from a family")
        verbose_name_plural = _("reports from families")
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values),
                name="publicreport_status_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=~Q(given_names=""),
                name="publicreport_given_name_required",
                violation_error_message=_("Give the given name."),
            ),
            models.CheckConstraint(
                condition=~Q(family_name="") | Q(family_name_unknown=True),
                name="publicreport_surname_or_unknown",
                violation_error_message=_(
                    "Give the family name, or tick that it is unknown."
                ),
            ),
            models.CheckConstraint(
                condition=Q(sex__in=codes("sex_am")),
                name="publicreport_sex_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=~Q(reporter_phone="")
                | ~Q(reporter_email="")
                | ~Q(reporter_address=""),
                name="publicreport_reporter_reachable",
                violation_error_message=_(
                    "Give a phone number, an e-mail address or a postal address to reach you."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="draft", person__isnull=True)
                | Q(status="rejected")
                | Q(status__in=["accepted", "merged"], person__isnull=False),
                name="publicreport_case_when_accepted",
                violation_error_message=_(
                    "An accepted or merged report names its case; a draft does not."
                ),
            ),
        ]
        indexes = [
            # The liaison queue: drafts, oldest first.
            models.Index(fields=["status", "created"]),
        ]

    def __str__(self) -> str:
        return f"public report #{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(
            p for p in (self.family_name, self.given_names, self.patronymic) if p
        )

    def consent(self, use: str) -> Consent | None:
        for c in self.consents.all():
            if c.use == use:
                return c
        return None

    def has_consent(self, use: str) -> bool:
        c = self.consent(use)
        return c is not None and c.active


class Consent(FieldConstraintErrors, models.Model):
    """One use the family agreed to, when, and when they withdrew it."""

    report = models.ForeignKey(
        PublicReport, on_delete=models.PROTECT, related_name="consents"
    )
    use = models.CharField(_("use"), max_length=10, choices=ConsentUse.choices)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    constraint_fields = {
        "consent_one_per_use": "use",
        "consent_use_valid": "use",
    }

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["report", "use"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "use"],
                name="consent_one_per_use",
                violation_error_message=_(
                    "This consent is already recorded for the report."
                ),
            ),
            models.CheckConstraint(
                condition=Q(use__in=ConsentUse.values),
                name="consent_use_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.use} ({self.report_id})"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class FamilyPhoto(FieldConstraintErrors, models.Model):
    """A photo given by a family, re-encoded without its metadata.

    The stripped file lives in the evidence store; on acceptance it is
    attached to the missing-person report as an ante-mortem photo.
    """

    report = models.ForeignKey(
        PublicReport, on_delete=models.PROTECT, related_name="photos"
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    media_type = models.CharField(_("file type"), max_length=60)
    width = models.PositiveIntegerField(_("width (px)"))
    height = models.PositiveIntegerField(_("height (px)"))
    created = models.DateTimeField(_("received"), auto_now_add=True)

    constraint_fields = {
        "familyphoto_has_file": "sha256",
    }

    class Meta:
        verbose_name = _("photo from a family")
        verbose_name_plural = _("photos from families")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(sha256=""),
                name="familyphoto_has_file",
                violation_error_message=_("A photo needs a file."),
            ),
        ]

    def __str__(self) -> str:
        return f"photo #{self.pk} of public report #{self.report_id}"


class CaseAccess(FieldConstraintErrors, models.Model):
    """A family's private link to one case. The secret is stored as a hash.

    Only one link per report is live; issuing a new one revokes the old.
    """

    person = models.ForeignKey(
        "missing.MissingPerson",
        verbose_name=_("missing-person report"),
        on_delete=models.PROTECT,
        related_name="family_accesses",
    )
    report = models.ForeignKey(
        PublicReport,
        verbose_name=_("report from a family"),
        on_delete=models.PROTECT,
        related_name="accesses",
    )
    case_code = models.CharField(_("case code"), max_length=20)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # The last status the family was told about by e-mail (notifications).
    notified_status = models.CharField(max_length=16, blank=True)

    constraint_fields = {
        "caseaccess_one_live_per_report": "report",
    }

    class Meta:
        verbose_name = _("family case link")
        verbose_name_plural = _("family case links")
        ordering = ["-created"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(revoked_at__isnull=True),
                name="caseaccess_one_live_per_report",
                violation_error_message=_("This report already has a live case link."),
            ),
        ]

    def __str__(self) -> str:
        return self.case_code

    @property
    def live(self) -> bool:
        return self.revoked_at is None


class AdditionKind(models.TextChoices):
    INFORMATION = "info", _("Information")
    PHOTO = "photo", _("Photo or photographed document")
    RELATIVE = "relative", _("A relative willing to give a DNA sample")


class FamilyAddition(FieldConstraintErrors, models.Model):
    """Something a family added on its case page: a draft for the liaison officer."""

    access = models.ForeignKey(
        CaseAccess, on_delete=models.PROTECT, related_name="additions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AdditionKind.choices)
    text = models.TextField(_("text"), blank=True)
    relationship = models.CharField(
        _("relationship to the missing person"),
        max_length=24,
        choices=VocabChoices("donor_relationship"),
        blank=True,
    )
    photo = models.ForeignKey(
        FamilyPhoto,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("received"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    constraint_fields = {
        "familyaddition_kind_valid": "kind",
        "familyaddition_photo_has_file": "photo",
    }

    class Meta:
        verbose_name = _("addition from a family")
        verbose_name_plural = _("additions from families")
        ordering = ["created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AdditionKind.values),
                name="familyaddition_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="photo") | Q(photo__isnull=False),
                name="familyaddition_photo_has_file",
                violation_error_message=_("A photo addition needs a photo."),
            ),
        ]
        indexes = [
            # The liaison queue: additions not yet handled.
            models.Index(fields=["handled_at", "created"]),
        ]

    def __str__(self) -> str:
        return f"addition #{self.pk}"
