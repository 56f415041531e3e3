from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from imena.core.constraints import FieldConstraintErrors


class Organisation(models.Model):
    """A team that owns sites and cases: a prosecutor's office, a forensic bureau."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    FIELD_RECORDER = "field_recorder", _("Field recorder")
    FORENSIC_EXAMINER = "forensic_examiner", _("Forensic examiner")
    DNA_ANALYST = "dna_analyst", _("DNA analyst")
    INVESTIGATOR = "investigator", _("Investigator / prosecutor")
    FAMILY_LIAISON = "family_liaison", _("Family liaison officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(FieldConstraintErrors, AbstractUser):
    """A person working in Imena, always a member of one organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.FIELD_RECORDER
    )
    # The interface language the person last chose; kept across logins.
    language = models.CharField(_("interface language"), max_length=8, blank=True)

    constraint_fields = {
        "user_role_valid": "role",
    }

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="user_role_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
        ]

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


class UserChangeRequest(FieldConstraintErrors, models.Model):
    """A change of a user's organisation, role or permissions waiting for a
    second administrator (two-person rule, #19 row 3). Made through Django
    admin; applied by ``imena.accounts.services.user_change_approve``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    changes = models.JSONField(_("requested changes"))
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested = models.DateTimeField(_("requested"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided = models.DateTimeField(_("decided"), null=True, blank=True)

    constraint_fields = {
        "user_change_second_administrator": "decided_by",
        "user_change_not_own": "decided_by",
        "user_change_decided_by_someone": "decided_by",
    }

    class Meta:
        verbose_name = _("user change request")
        verbose_name_plural = _("user change requests")
        ordering = ["-requested"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="user_change_second_administrator",
                violation_error_message=_(
                    "A second administrator must decide a change another administrator asked for."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("user")),
                name="user_change_not_own",
                violation_error_message=_(
                    "No one may decide a change to their own account."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending", decided_by__isnull=True)
                | (~models.Q(status="pending") & models.Q(decided_by__isnull=False)),
                name="user_change_decided_by_someone",
                violation_error_message=_(
                    "A decided change names who decided it; a pending one does not."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.changes} ({self.status})"
