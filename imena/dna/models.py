from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from imena.core.constraints import FieldConstraintErrors
from imena.lib.ownership import OrganisationOwned
from imena.lib.withdrawal import Withdrawable, withdrawal_has_reason


class ProfileKind(models.TextChoices):
    POST_MORTEM = "pm", _("Post-mortem (remains)")
    REFERENCE = "reference", _("Family reference")


class DNAProfile(FieldConstraintErrors, OrganisationOwned, Withdrawable):
    """An STR profile: of remains (post-mortem) or of a relative (reference).

    Other records point here: exhumation samples (post-mortem) and family
    reference samples. Profiles are visible to DNA analysts only and every view
    is audited. A correction is a new profile that supersedes the old one.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ProfileKind.choices)
    label = models.CharField(
        _("sample label"),
        max_length=120,
        help_text=_("The laboratory's sample name, e.g. IZM-PM-0123-B1."),
    )
    sex = models.PositiveSmallIntegerField(
        _("sex (1 male, 2 female, 0 unknown)"),
        default=0,
        choices=[(0, _("unknown")), (1, _("male")), (2, _("female"))],
    )
    # Blank: a profile may hold lineage markers only (issue 18).
    genotypes = models.JSONField(
        _("genotypes"),
        help_text=_('{"D3S1358": ["15", "16"], ...}'),
        default=dict,
        blank=True,
    )
    loci_typed = models.PositiveSmallIntegerField(_("loci typed"), default=0)
    # Lineage markers of the same sample (issue 18), normalised by
    # ``kinship.lineage``; empty when not typed.
    ystr = models.JSONField(
        _("Y-STR haplotype"),
        help_text=_('{"DYS391": ["10"], "DYS385": ["11", "14"], ...}'),
        default=dict,
        blank=True,
    )
    mtdna = models.JSONField(
        _("mtDNA sequence"),
        help_text=_(
            '{"variants": "263G 315.1C 16069T", "range": "16024-16569 1-576"}: '
            "differences to the rCRS and the range read"
        ),
        default=dict,
        blank=True,
    )
    source_format = models.CharField(_("source format"), max_length=40, blank=True)
    source_sha256 = models.CharField(
        _("source file SHA-256"), max_length=64, blank=True
    )
    lab = models.CharField(_("laboratory"), max_length=200, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("supersedes"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    reason_required = _("Say why the profile is withdrawn.")

    constraint_fields = {
        "dnaprofile_kind_valid": "kind",
        "dnaprofile_sex_valid": "sex",
        "dnaprofile_withdrawal_has_reason": "withdrawn_reason",
    }

    class Meta:
        verbose_name = _("DNA profile")
        verbose_name_plural = _("DNA profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ProfileKind.values),
                name="dnaprofile_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=models.Q(sex__in=[0, 1, 2]),
                name="dnaprofile_sex_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            withdrawal_has_reason("dnaprofile"),
        ]
        indexes = [
            # Screening loads the current profiles of one organisation by kind.
            models.Index(fields=["organisation", "kind", "withdrawn"]),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_current(self) -> bool:
        return not self.withdrawn and not hasattr(self, "superseded_by")

    def lineage_json(self) -> dict[str, Any]:
        """``{"ystr": ..., "mtdna": ...}`` as ``kinship`` case files hold them
        (only the typed kinds)."""
        out: dict[str, Any] = {}
        if self.ystr:
            out["ystr"] = self.ystr
        if self.mtdna:
            out["mtdna"] = self.mtdna
        return out


class LineageKind(models.TextChoices):
    YSTR = "ystr", _("Y-STR haplotypes")
    MTDNA = "mtdna", _("mtDNA sequences")


class LineageTable(FieldConstraintErrors, OrganisationOwned):
    """A population table of Y-STR haplotypes or mtDNA sequences.

    Lineage LRs count the victim's haplotype in it (``kinship.lineage``).  An
    organisation loads its own; the newest of each kind is the one in use, and
    older ones are kept for the record.
    """

    kind = models.CharField(_("kind"), max_length=8, choices=LineageKind.choices)
    name = models.CharField(_("name"), max_length=200)
    rows = models.JSONField(
        _("haplotypes"), help_text=_("Normalised haplotypes or sequences"), default=list
    )
    size = models.PositiveIntegerField(_("size"), default=0)
    rates = models.JSONField(
        _("mutation rates"),
        help_text=_('Y-STR: {"DYS391": 0.0025, ...}; mtDNA: {"rate": 0.005}'),
        default=dict,
        blank=True,
    )
    source_sha256 = models.CharField(
        _("source file SHA-256"), max_length=64, blank=True
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    constraint_fields = {
        "lineagetable_kind_valid": "kind",
    }

    class Meta:
        verbose_name = _("lineage population table")
        verbose_name_plural = _("lineage population tables")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=LineageKind.values),
                name="lineagetable_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
        ]
        indexes = [
            # The table in use: the newest of an organisation and kind.
            models.Index(fields=["organisation", "kind", "-created"]),
        ]

    def __str__(self) -> str:
        return self.name
