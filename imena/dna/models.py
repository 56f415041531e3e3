from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ProfileKind(models.TextChoices):
    POST_MORTEM = "pm", _("Post-mortem (remains)")
    REFERENCE = "reference", _("Family reference")


class DNAProfile(models.Model):
    """An STR profile: of remains (post-mortem) or of a relative (reference).

    Other records point here: exhumation samples (post-mortem) and family
    reference samples. Profiles are visible to DNA analysts only and every view
    is audited. A correction is a new profile that supersedes the old one.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
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
    genotypes = models.JSONField(
        _("genotypes"), help_text=_('{"D3S1358": ["15", "16"], ...}'), default=dict
    )
    loci_typed = models.PositiveSmallIntegerField(_("loci typed"), default=0)
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
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("DNA profile")
        verbose_name_plural = _("DNA profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ProfileKind.values),
                name="dnaprofile_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(sex__in=[0, 1, 2]), name="dnaprofile_sex_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(withdrawn=True, withdrawn_reason=""),
                name="dnaprofile_withdrawal_has_reason",
            ),
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


class ScreeningStatus(models.TextChoices):
    DONE = "done", _("Done")
    EMPTY = "empty", _("Nothing to screen")


class ScreeningRun(models.Model):
    """One screening of a site's post-mortem profiles against the reference families.

    Only the candidates worth reading are kept (see :class:`ScreeningCandidate`),
    never the full bodies x missing persons matrix.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    site = models.ForeignKey(
        "burials.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="dna_screenings",
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    threshold = models.FloatField(_("LR threshold"), default=1e4)
    top_k = models.PositiveSmallIntegerField(_("candidates kept per body"), default=5)
    dropout = models.FloatField(_("allele drop-out probability"), default=0.0)
    theta = models.FloatField(_("theta (co-ancestry)"), default=0.0)
    mutation = models.CharField(_("mutation model"), max_length=20, default="none")
    mutation_rate = models.FloatField(_("mutation rate"), default=0.0)
    bodies = models.PositiveIntegerField(_("bodies screened"), default=0)
    families = models.PositiveIntegerField(_("families"), default=0)
    missing_persons = models.PositiveIntegerField(_("missing persons"), default=0)
    pairs = models.PositiveBigIntegerField(_("pairs compared"), default=0)
    candidates = models.PositiveIntegerField(_("candidates kept"), default=0)
    above_threshold = models.PositiveIntegerField(
        _("candidates above threshold"), default=0
    )
    seconds = models.FloatField(_("seconds"), default=0.0)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ScreeningStatus.choices,
        default=ScreeningStatus.DONE,
    )
    message = models.TextField(_("message"), blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        verbose_name = _("DNA screening")
        verbose_name_plural = _("DNA screenings")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ScreeningStatus.values),
                name="screeningrun_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__gt=0),
                name="screeningrun_threshold_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(dropout__gte=0, dropout__lt=1),
                name="screeningrun_dropout_range",
            ),
            models.CheckConstraint(
                condition=models.Q(theta__gte=0, theta__lt=1),
                name="screeningrun_theta_range",
            ),
        ]
        indexes = [
            # The DNA page and the grave panel: a site's latest screening.
            models.Index(fields=["site", "created"]),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.created:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("dna:screening_detail", args=[self.pk])

    @property
    def parameters(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "top_k": self.top_k,
            "dropout": self.dropout,
            "theta": self.theta,
            "mutation": self.mutation,
            "mutation_rate": self.mutation_rate,
        }


class ScreeningCandidate(models.Model):
    """A body x missing person pair kept by a screening, with its per-marker LRs."""

    run = models.ForeignKey(
        ScreeningRun,
        verbose_name=_("screening"),
        on_delete=models.PROTECT,
        related_name="candidate_rows",
    )
    body = models.ForeignKey(
        "exhumations.Body",
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    pm_label = models.CharField(_("post-mortem number"), max_length=40)
    person = models.ForeignKey(
        "missing.MissingPerson",
        verbose_name=_("missing person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rank = models.PositiveSmallIntegerField(_("rank for the body"), default=1)
    lr = models.FloatField(_("LR"))
    log10_lr = models.FloatField(
        _("log10 LR"), help_text=_("Over the consistent loci.")
    )
    inconsistent = models.PositiveSmallIntegerField(_("inconsistent loci"), default=0)
    per_marker = models.JSONField(
        _("LR per marker"), default=dict, help_text=_('{"D3S1358": 2.5, ...}')
    )

    class Meta:
        verbose_name = _("screening candidate")
        verbose_name_plural = _("screening candidates")
        ordering = ["run", "pm_label", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "body", "person"], name="screeningcandidate_unique_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(lr__gte=0), name="screeningcandidate_lr_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pm_label} ~ {self.person_id}: {self.lr:.3g}"
