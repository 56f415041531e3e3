from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class User(AbstractUser):
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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.is_superuser or self.role in roles)

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)
