"""Offline field capture: published XForms, app tokens, submissions held as drafts.

A submission from ODK Collect or KoboToolbox never becomes evidence by itself: it
is kept as a draft (raw XML and attachments, content-addressed, SHA-256 at
receipt) until a reviewer accepts it into records through the same services as
the web forms, or rejects it with a reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from imena.core.constraints import FieldConstraintErrors
from imena.lib.ownership import OrganisationOwned


class XForm(FieldConstraintErrors, models.Model):
    """One published version of an XLSForm, as the XForm XML ODK Collect downloads."""

    form_id = models.CharField(_("form id"), max_length=100)
    version = models.CharField(_("version"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    xml = models.TextField(_("XForm XML"))
    md5 = models.CharField(_("MD5 of the XML"), max_length=32)
    vocabulary_version = models.CharField(_("vocabulary version"), max_length=32)
    published = models.DateTimeField(_("published"), auto_now_add=True)
    retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("Submissions made with a retired version are refused."),
    )
    retired_reason = models.TextField(_("reason for retirement"), blank=True)

    constraint_fields = {
        "odk_xform_version_unique": "version",
        "odk_xform_retirement_has_reason": "retired_reason",
    }

    class Meta:
        verbose_name = _("published form version")
        verbose_name_plural = _("published form versions")
        ordering = ["form_id", "-published"]
        constraints = [
            models.UniqueConstraint(
                fields=["form_id", "version"],
                name="odk_xform_version_unique",
                violation_error_message=_(
                    "This form version has already been uploaded."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(retired=True, retired_reason=""),
                name="odk_xform_retirement_has_reason",
                violation_error_message=_("Say why the form is retired."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} {self.version}"


class AppToken(models.Model):
    """A secret a user gives ODK Collect as its password; never stored itself.

    Basic authentication checks its SHA-256; Digest authentication (Collect
    over plain HTTP) its HA1, MD5(username:realm:token), kept for tokens
    created since Digest was offered.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="odk_tokens",
    )
    label = models.CharField(_("label"), max_length=100)
    prefix = models.CharField(_("first characters"), max_length=8)
    token_hash = models.CharField(_("token SHA-256"), max_length=64, unique=True)
    digest_ha1 = models.CharField(
        _("Digest HA1"),
        max_length=32,
        blank=True,
        help_text=_("MD5(username:realm:token) for HTTP Digest; empty: Basic only."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("app token")
        verbose_name_plural = _("app tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked is None


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted into records")
    REJECTED = "rejected", _("Rejected")


class Submission(FieldConstraintErrors, OrganisationOwned):
    """One filled-in form instance as received, waiting for (or after) review."""

    xform = models.ForeignKey(
        XForm,
        verbose_name=_("form version"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    form_id = models.CharField(_("form id"), max_length=100)
    instance_id = models.CharField(_("instance id"), max_length=200)
    device_id = models.CharField(_("device id"), max_length=200, blank=True)
    source = models.CharField(
        _("source"),
        max_length=20,
        default="openrosa",
        help_text=_("openrosa (sent by Collect) or import (from an export file)."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received = models.DateTimeField(_("received"), auto_now_add=True)
    xml_sha256 = models.CharField(_("XML SHA-256"), max_length=64)
    xml_size = models.PositiveBigIntegerField(_("XML size (bytes)"))
    data = models.JSONField(_("fields"), default=dict, blank=True)
    expected_attachments = models.JSONField(
        _("attachments named in the XML"), default=list, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DraftStatus.choices,
        default=DraftStatus.DRAFT,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejection"), blank=True)
    records = models.JSONField(
        _("records created"),
        default=list,
        blank=True,
        help_text=_('[{"type": "burials.grave", "id": 12}, ...]'),
    )

    constraint_fields = {
        "odk_submission_instance_unique": "instance_id",
        "odk_submission_status_valid": "status",
        "odk_submission_rejection_has_reason": "reject_reason",
        "odk_submission_review_has_reviewer": "reviewed_by",
    }

    class Meta:
        verbose_name = _("field submission")
        verbose_name_plural = _("field submissions")
        ordering = ["-received"]
        constraints = [
            # The same instance sent twice (Collect on a flaky network) is one draft.
            models.UniqueConstraint(
                fields=["organisation", "instance_id"],
                name="odk_submission_instance_unique",
                violation_error_message=_("This submission has already been received."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DraftStatus.values),
                name="odk_submission_status_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DraftStatus.REJECTED, reject_reason=""),
                name="odk_submission_rejection_has_reason",
                violation_error_message=_("Say why the submission is rejected."),
            ),
            models.CheckConstraint(
                condition=models.Q(status=DraftStatus.DRAFT)
                | models.Q(reviewed_by__isnull=False, reviewed__isnull=False),
                name="odk_submission_review_has_reviewer",
                violation_error_message=_(
                    "A reviewed submission names its reviewer and the time."
                ),
            ),
        ]
        indexes = [
            # The review queue: an organisation's drafts by status, newest first.
            models.Index(fields=["organisation", "status", "received"]),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} {self.instance_id}"

    def get_absolute_url(self) -> str:
        return reverse("odk:draft_detail", args=[self.pk])

    @property
    def missing_attachments(self) -> list[str]:
        have = set(self.attachments.values_list("filename", flat=True))
        return [name for name in self.expected_attachments if name not in have]


class Attachment(FieldConstraintErrors, models.Model):
    """A file sent with a submission (photo, signature), stored by its SHA-256."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    received = models.DateTimeField(_("received"), auto_now_add=True)

    constraint_fields = {
        "odk_attachment_name_unique": "filename",
    }

    class Meta:
        verbose_name = _("submission attachment")
        verbose_name_plural = _("submission attachments")
        ordering = ["filename"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "filename"],
                name="odk_attachment_name_unique",
                violation_error_message=_(
                    "This submission already has an attachment with this name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        """Shown inline as a thumbnail: JPEG or PNG by content, never SVG."""
        return self.content_type in ("image/jpeg", "image/png")


class Quarantine(models.Model):
    """A refused submission kept for inspection: the raw body where it is safe to keep."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received = models.DateTimeField(_("received"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=40)
    message = models.TextField(_("message"))
    form_id = models.CharField(_("form id"), max_length=100, blank=True)
    instance_id = models.CharField(_("instance id"), max_length=200, blank=True)
    device_id = models.CharField(_("device id"), max_length=200, blank=True)
    body_sha256 = models.CharField(_("body SHA-256"), max_length=64, blank=True)
    body_size = models.PositiveBigIntegerField(_("body size (bytes)"), default=0)

    class Meta:
        verbose_name = _("quarantined submission")
        verbose_name_plural = _("quarantined submissions")
        ordering = ["-received"]

    def __str__(self) -> str:
        return f"{self.reason} {self.instance_id or self.form_id}"
