"""Candidate lists, proposed and confirmed identifications, family notification.

A ``CandidateRun`` is one computation for a site (parameters, journal
reliability, "none of these" prior). Per body it stores a ``BodyAnalysis``
(posterior of "none of these", exclusions with reasons) and the best
``Candidate`` rows with their evidence. An ``Identification`` is a proposal
(body -> missing person) with a snapshot of the posterior and evidence; it is
confirmed only by a second person (``Confirmation``: proposer != reviewer,
enforced by a CheckConstraint).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from imena.core.constraints import FieldConstraintErrors
from imena.core.fields import BulkJSONField
from imena.core.times import local_time
from imena.identification.shards import Shard
from imena.lib.ownership import OrganisationOwned
from imena.lib.withdrawal import Withdrawable, withdrawal_has_reason


class CandidateRun(FieldConstraintErrors, models.Model):
    """One computation of candidates and posteriors for every body of a site."""

    site = models.ForeignKey(
        "burials.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="candidate_runs",
    )
    params = models.JSONField(_("parameters"), default=dict)
    reliability = models.JSONField(_("journal reliability"), default=dict)
    p_unlisted = models.FloatField(_("prior of “none of these”"))
    p_unlisted_basis = models.CharField(
        _("basis of that prior"), max_length=300, blank=True
    )
    body_count = models.PositiveIntegerField(_("bodies"), default=0)
    person_count = models.PositiveIntegerField(_("open missing persons"), default=0)
    seconds = models.FloatField(_("seconds"), default=0)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    constraint_fields = {
        "candidaterun_p_unlisted_range": "p_unlisted",
    }

    class Meta:
        verbose_name = _("candidate computation")
        verbose_name_plural = _("candidate computations")
        get_latest_by = "created"
        constraints = [
            models.CheckConstraint(
                condition=Q(p_unlisted__gte=0) & Q(p_unlisted__lt=1),
                name="candidaterun_p_unlisted_range",
                violation_error_message=_(
                    "The probability that the person is not listed must be at least 0 and below 1."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {local_time(self.created)}"


class AnalysisQuerySet(models.QuerySet["BodyAnalysis"]):
    def current(self) -> AnalysisQuerySet:
        """The analyses of each site's latest run."""
        return self.filter(until__isnull=True)

    def of_run(self, run: CandidateRun) -> AnalysisQuerySet:
        """The analyses of ``run``: those it computed, and those an earlier
        run of the site computed and it kept (see ``BodyAnalysis``)."""
        return self.filter(site_id=run.site_id, run_id__lte=run.pk).filter(
            Q(until__isnull=True) | Q(until_id__gt=run.pk)
        )


class BodyAnalysis(FieldConstraintErrors, models.Model):
    """The result for one body, computed by one run and kept by the site's
    later runs until one computes the body again (or it leaves the site).

    ``run`` is the run that computed it; ``until`` the first later run of
    the site that no longer holds it (None: the latest run holds it). A run
    that keeps a body's result (the same candidates and exclusions) refers
    to this row instead of storing a copy (#13: copying every kept body's
    exclusions and candidates was most of the time an update took to store
    at a national register's sites). Rows are never changed but for
    ``until``, set once. The analyses of a run: ``BodyAnalysis.objects.
    of_run(run)``; of each site's latest run: ``.current()``.
    """

    run = models.ForeignKey(
        CandidateRun, on_delete=models.CASCADE, related_name="analyses"
    )
    site = models.ForeignKey("burials.Site", on_delete=models.PROTECT, related_name="+")
    until = models.ForeignKey(
        CandidateRun,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.ForeignKey(
        "exhumations.Body",
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="analyses",
    )
    posterior_unlisted = models.FloatField(_("posterior of “none of these”"))
    others_posterior = models.FloatField(
        _("posterior of the candidates not listed"), default=0
    )
    considered = models.PositiveIntegerField(_("missing persons considered"), default=0)
    method = models.CharField(_("method"), max_length=40, blank=True)
    # The listed exclusions: stored by the analysis that computed them; a
    # later run's analysis of the body with the same exclusions refers to
    # that one (``exclusions_of``) and stores none (an analysis lists up to
    # 200 excluded reports with their reasons, about 100 KB: copying them for
    # every body computed again was most of what an update of a national
    # register's site wrote, #13). Read them as ``exclusions``.
    own_exclusions = BulkJSONField(
        _("exclusions"),
        db_column="exclusions",
        default=list,
        blank=True,
        help_text=_("Every excluded missing person with the reasons."),
    )
    exclusions_of = models.ForeignKey(
        "self",
        verbose_name=_("exclusions as stored by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "The earlier analysis of the body whose listed exclusions these are."
        ),
    )

    objects = AnalysisQuerySet.as_manager()

    constraint_fields = {
        "analysis_once_per_run": "body",
        "analysis_until_after_run": "until",
    }

    class Meta:
        verbose_name = _("body analysis")
        verbose_name_plural = _("body analyses")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "body"],
                name="analysis_once_per_run",
                violation_error_message=_("This body is already analysed in the run."),
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gt=F("run")),
                name="analysis_until_after_run",
                violation_error_message=_(
                    "An analysis is held until a later run than the one that computed it."
                ),
            ),
        ]
        indexes = [
            # A site's latest analyses, and those of one of its runs.
            models.Index(fields=["site", "until"], name="analysis_site_until_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.body_id} · {self.run_id}"

    @property
    def exclusions(self) -> list[dict[str, Any]]:
        """The excluded reports listed with their reasons (those of
        ``exclusions_of`` when this analysis refers to them)."""
        if self.exclusions_of_id is not None:
            return self.exclusions_of.own_exclusions  # type: ignore[union-attr]
        listed: list[dict[str, Any]] = self.own_exclusions
        return listed

    @exclusions.setter
    def exclusions(self, value: list[dict[str, Any]]) -> None:
        self.own_exclusions, self.exclusions_of = value, None


class CandidateQuerySet(models.QuerySet["Candidate"]):
    def of_run(self, run: CandidateRun) -> CandidateQuerySet:
        """The candidates of ``run``'s analyses (``AnalysisQuerySet.of_run``)."""
        return self.filter(analysis__in=BodyAnalysis.objects.of_run(run))


class Candidate(FieldConstraintErrors, models.Model):
    """One missing person proposed for one body, with every piece of evidence."""

    analysis = models.ForeignKey(
        BodyAnalysis, on_delete=models.CASCADE, related_name="candidates"
    )
    person = models.ForeignKey(
        "missing.MissingPerson",
        verbose_name=_("missing person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rank = models.PositiveIntegerField(_("rank"))
    prior = models.FloatField(_("prior"))
    lr_journal = models.FloatField(_("journal LR"), default=1)
    lr_physical = models.FloatField(_("physical LR"), default=1)
    lr_dna = models.FloatField(_("DNA LR"), default=1)
    lr = models.FloatField(_("combined LR"))
    posterior = models.FloatField(_("posterior"))
    evidence = BulkJSONField(_("evidence"), default=dict)

    objects = CandidateQuerySet.as_manager()

    constraint_fields = {
        "candidate_once_per_analysis": "person",
        "candidate_posterior_range": "posterior",
    }

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["analysis", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "person"],
                name="candidate_once_per_analysis",
                violation_error_message=_(
                    "This person is already a candidate for the body in this run."
                ),
            ),
            models.CheckConstraint(
                condition=Q(posterior__gte=0) & Q(posterior__lte=1.0001),
                name="candidate_posterior_range",
                violation_error_message=_("A probability must be between 0 and 1."),
            ),
        ]
        indexes = [
            # Missing person page: where this person is a candidate.
            models.Index(fields=["person"]),
            # A body's best posterior, and bodies with a strong candidate (work
            # list, candidate lists): read from the index, not every candidate.
            models.Index(fields=["analysis", "-posterior"], name="candidate_best_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.analysis_id}: {self.person_id}"

    def get_absolute_url(self) -> str:
        return reverse("identification:candidate_detail", args=[self.pk])


class ExclusionOverride(FieldConstraintErrors, Withdrawable):
    """A reviewer's reason to set aside one hard exclusion for one pair.

    Withdrawn (with a reason, kept), it no longer applies: the exclusion counts
    again from the next computation, and the pair may be overridden anew.
    """

    body = models.ForeignKey(
        "exhumations.Body", on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "missing.MissingPerson", on_delete=models.PROTECT, related_name="+"
    )
    key = models.CharField(
        _("what is set aside"), max_length=120, help_text=_("e.g. sex, dental/46, dna")
    )
    reason = models.TextField(_("reason"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    reason_required = _("Say why the override is withdrawn.")

    constraint_fields = {
        "override_has_reason": "reason",
        "override_once_per_key": "key",
        "override_withdrawal_has_reason": "withdrawn_reason",
    }

    class Meta:
        verbose_name = _("exclusion override")
        verbose_name_plural = _("exclusion overrides")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="override_has_reason",
                violation_error_message=_(
                    "Give a reason for overriding the exclusion."
                ),
            ),
            models.UniqueConstraint(
                fields=["body", "person", "key"],
                condition=Q(withdrawn=False),
                name="override_once_per_key",
                violation_error_message=_(
                    "This exclusion is already overridden for the pair."
                ),
            ),
            withdrawal_has_reason("override"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.reason}"


class IdentificationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, waiting for a second reviewer")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    REOPENED = "reopened", _("Reopened")


class PrimaryIdentifier(models.TextChoices):
    NONE = "", _("none (presumptive identification)")
    DNA = "dna", _("DNA")
    DENTAL = "dental", _("dental comparison")
    FINGERPRINTS = "fingerprints", _("fingerprint comparison")


class Identification(FieldConstraintErrors, models.Model):
    """A proposal that a body is a missing person, and what became of it."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        "exhumations.Body",
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="identifications",
    )
    person = models.ForeignKey(
        "missing.MissingPerson",
        verbose_name=_("missing person"),
        on_delete=models.PROTECT,
        related_name="identifications",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=IdentificationStatus.choices,
        default=IdentificationStatus.PROPOSED,
    )
    posterior = models.FloatField(_("posterior when proposed"))
    evidence = models.JSONField(_("evidence when proposed"), default=dict)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)
    # Safeguards (docs/identification.md): the primary identifier the proposal
    # rests on ("" = none: the identification is presumptive), the warnings shown
    # when it was proposed, and the proposer's written justification for them.
    primary_identifier = models.CharField(
        _("primary identifier"),
        max_length=16,
        blank=True,
        choices=PrimaryIdentifier.choices,
        default=PrimaryIdentifier.NONE,
    )
    primary_reference = models.CharField(
        _("comparison report"),
        max_length=300,
        blank=True,
        help_text=_("The dental or fingerprint comparison that identifies."),
    )
    warnings = models.JSONField(_("warnings when proposed"), default=list, blank=True)
    justification = models.TextField(_("justification"), blank=True)

    constraint_fields = {
        "identification_status_valid": "status",
        "identification_one_live_per_body": "body",
        "identification_one_confirmed_per_person": "person",
        "identification_close_has_reason": "close_reason",
    }

    class Meta:
        verbose_name = _("identification")
        verbose_name_plural = _("identifications")
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=IdentificationStatus.values),
                name="identification_status_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            # One live proposal or confirmation per body, and per person.
            models.UniqueConstraint(
                fields=["body"],
                condition=Q(status__in=["proposed", "confirmed"]),
                name="identification_one_live_per_body",
                violation_error_message=_(
                    "This body already has a proposed or confirmed identification."
                ),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status="confirmed"),
                name="identification_one_confirmed_per_person",
                violation_error_message=_(
                    "This person is already confirmed as identified with another body."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "reopened"]) | ~Q(close_reason=""),
                name="identification_close_has_reason",
                violation_error_message=_(
                    "Say why the identification is rejected or reopened."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} → {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("identification:identification_detail", args=[self.pk])

    @property
    def presumptive(self) -> bool:
        """No primary identifier (DNA, dental, fingerprints) supports it."""
        return not self.primary_identifier


class Confirmation(FieldConstraintErrors, models.Model):
    """The second person's agreement. Proposer and reviewer must differ."""

    identification = models.OneToOneField(
        Identification,
        verbose_name=_("identification"),
        on_delete=models.PROTECT,
        related_name="confirmation",
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    warnings_acknowledged = models.BooleanField(
        _("warnings acknowledged"),
        default=False,
        help_text=_(
            "The reviewer confirmed explicitly despite the proposal's warnings."
        ),
    )

    constraint_fields = {
        "confirmation_two_people": "reviewer",
    }

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(proposer=F("reviewer")),
                name="confirmation_two_people",
                violation_error_message=_(
                    "The examiner who proposed the identification cannot also confirm it."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identification_id}: {self.reviewer_id}"


class NotificationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By telephone")
    LETTER = "letter", _("By letter")
    OTHER = "other", _("Other")


class FamilyNotification(FieldConstraintErrors, models.Model):
    """That the family was told, recorded by the liaison (never automated)."""

    identification = models.ForeignKey(
        Identification, on_delete=models.PROTECT, related_name="notifications"
    )
    notified_by = models.CharField(_("who notified"), max_length=200)
    notified_whom = models.CharField(_("whom"), max_length=200)
    relationship = models.CharField(
        _("relationship to the missing person"), max_length=100, blank=True
    )
    notified_on = models.DateTimeField(_("when"))
    method = models.CharField(
        _("how"), max_length=12, choices=NotificationMethod.choices
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    constraint_fields = {
        "notification_method_valid": "method",
        "notification_whom_given": "notified_whom",
    }

    class Meta:
        verbose_name = _("family notification")
        verbose_name_plural = _("family notifications")
        ordering = ["-notified_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=NotificationMethod.values),
                name="notification_method_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=~Q(notified_whom=""),
                name="notification_whom_given",
                violation_error_message=_("Say whom of the family you notified."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notified_whom} ({self.notified_on:%Y-%m-%d})"


class ScreeningStatus(models.TextChoices):
    DONE = "done", _("Done")
    EMPTY = "empty", _("Nothing to screen")


class ScreeningRun(FieldConstraintErrors, OrganisationOwned):
    """One screening of post-mortem profiles against the reference families:
    of one site's bodies, or (``national``) of every site of the organisation.

    Only the candidates worth reading are kept (see :class:`ScreeningCandidate`),
    never the full bodies x missing persons matrix.  A national run is kept up
    to date as profiles are stored (``updated``, ``markers``).
    """

    site = models.ForeignKey(
        "burials.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="dna_screenings",
        null=True,
        blank=True,
    )
    national = models.BooleanField(_("all sites"), default=False)
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
    # The run's marker set (names, alleles, frequencies, mutation), so that a
    # profile stored later is screened with the same markers as the run.
    markers = models.JSONField(_("markers"), default=list, blank=True)
    updated = models.DateTimeField(_("last updated"), null=True, blank=True)
    profiles_added = models.PositiveIntegerField(
        _("profiles screened since the run"), default=0
    )

    constraint_fields = {
        "screeningrun_status_valid": "status",
        "screeningrun_site_or_national": "site",
        "screeningrun_threshold_positive": "threshold",
        "screeningrun_dropout_range": "dropout",
        "screeningrun_theta_range": "theta",
    }

    class Meta:
        # The table keeps the name it had in the dna app (no data moved).
        db_table = "dna_screeningrun"
        verbose_name = _("DNA screening")
        verbose_name_plural = _("DNA screenings")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ScreeningStatus.values),
                name="screeningrun_status_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__gt=0),
                name="screeningrun_threshold_positive",
                violation_error_message=_("The threshold must be above 0."),
            ),
            models.CheckConstraint(
                condition=models.Q(dropout__gte=0, dropout__lt=1),
                name="screeningrun_dropout_range",
                violation_error_message=_(
                    "The drop-out probability must be at least 0 and below 1."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(theta__gte=0, theta__lt=1),
                name="screeningrun_theta_range",
                violation_error_message=_("θ must be at least 0 and below 1."),
            ),
            models.CheckConstraint(
                condition=models.Q(national=True, site__isnull=True)
                | models.Q(national=False, site__isnull=False),
                name="screeningrun_site_or_national",
                violation_error_message=_(
                    "A screening is of one site, or national without a site."
                ),
            ),
        ]
        indexes = [
            # The DNA page and the grave panel: a site's latest screening.
            models.Index(fields=["site", "created"]),
            # The latest national run of an organisation (grave panel, updates).
            models.Index(fields=["organisation", "national", "created"]),
        ]

    def __str__(self) -> str:
        where = self.site if self.site_id else _("all sites")
        return f"{where} · {local_time(self.created)}"

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


class ScreeningCandidate(FieldConstraintErrors, models.Model):
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
    per_marker = BulkJSONField(
        _("LR per marker"), default=dict, help_text=_('{"D3S1358": 2.5, ...}')
    )

    constraint_fields = {
        "screeningcandidate_unique_pair": "person",
        "screeningcandidate_lr_nonnegative": "lr",
    }

    class Meta:
        db_table = "dna_screeningcandidate"
        verbose_name = _("screening candidate")
        verbose_name_plural = _("screening candidates")
        ordering = ["run", "pm_label", "rank"]
        indexes = [
            # The screening page: a run's bodies (labels) a page at a time and
            # their rows in order, read from the index instead of every row of
            # the run (#13 item 5, page reads only).
            models.Index(
                fields=["run", "pm_label", "rank"], name="screeningcandidate_page_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "body", "person"],
                name="screeningcandidate_unique_pair",
                violation_error_message=_("This pair is already in the screening run."),
            ),
            models.CheckConstraint(
                condition=models.Q(lr__gte=0),
                name="screeningcandidate_lr_nonnegative",
                violation_error_message=_("A likelihood ratio cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pm_label} ~ {self.person_id}: {self.lr:.3g}"


class PendingKind(models.TextChoices):
    PERSON = "person", _("missing-person report")
    BODY = "body", _("body")
    SITE = "site", _("site")
    ORGANISATION = "organisation", _("whole register")


class PendingUpdate(models.Model):
    """A change that the stored candidates do not reflect yet.

    Written in the same transaction as the change itself
    (``imena.identification.changes``): a report created, corrected or closed,
    a post-mortem record or sample corrected, a DNA profile stored or
    withdrawn. ``site`` empty: every site of the organisation (a report changes
    the prior of every body). ``done``: when ``identification_update`` (or a
    full computation of the site, for a row of one site) took it into account.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    site = models.ForeignKey(
        "burials.Site",
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PendingKind.choices)
    object_id = models.BigIntegerField(_("record"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)
    done = models.DateTimeField(_("taken into account"), null=True, blank=True)

    class Meta:
        verbose_name = _("pending update")
        verbose_name_plural = _("pending updates")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["organisation", "done"], name="pendingupdate_open"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id or ''} ({self.reason})"


class WorkerTask(models.TextChoices):
    UPDATE = "update", _("taking pending changes into account")
    REFRESH = "refresh", _("computing deferred bodies again")
    WARM = "warm", _("building its state of a site")


class WorkerBeat(FieldConstraintErrors, models.Model):
    """What an identification worker (``imena identification update --loop``)
    last said about itself: one row per organisation and shard, written by the
    worker (``services.worker_started``, ``worker_seen``, ``worker_error``).

    Not a record of the register: each look replaces the row in place, and
    nothing else refers to it. The pages say from it whether the pending
    changes of a site are being taken into account (``state``).
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # "INDEX/COUNT" (``str(Shard)``); empty: every site of the organisation.
    shard = models.CharField(_("shard"), max_length=32, blank=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process"))
    interval = models.FloatField(_("seconds between looks"))
    started = models.DateTimeField(_("started"))
    seen = models.DateTimeField(_("last seen"))
    # Set while the worker computes (``task``); empty when it waits.
    busy_since = models.DateTimeField(_("busy since"), null=True, blank=True)
    task = models.CharField(
        _("task"), max_length=16, choices=WorkerTask.choices, blank=True
    )
    changes = models.PositiveIntegerField(_("pending changes"), default=0)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    # When its loop ended (stopped by a signal, --rounds, an error that ends
    # the command); empty while it runs.
    stopped = models.DateTimeField(_("stopped"), null=True, blank=True)

    constraint_fields = {"workerbeat_one_per_shard": "shard"}

    # A worker that waits writes at least this often (seconds) ...
    EVERY = 60.0
    # ... and is "gone" when not seen for this many times its interval or
    # of EVERY, whichever is longer.
    MISSED = 3

    class Meta:
        verbose_name = _("identification worker")
        verbose_name_plural = _("identification workers")
        ordering = ["organisation", "shard"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "shard"],
                name="workerbeat_one_per_shard",
                violation_error_message=_(
                    "The organisation has a worker of this shard already."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.shard or 'all sites'} @ {self.host}:{self.pid}"

    def covers(self, site_id: int) -> bool:
        """Whether the worker's shard holds the site."""
        return not self.shard or Shard.parse(self.shard).has(site_id)

    def state(self, now: Any) -> str:
        """``"stopped"`` (its loop ended, at ``stopped``), ``"busy"``
        (computing since ``busy_since``), ``"waiting"`` (looked lately, nothing
        to do), or ``"gone"`` (not seen for longer than ``MISSED`` looks: hung,
        the database away, or its process ended without a word)."""
        if self.stopped is not None:
            return "stopped"
        if self.busy_since is not None:
            return "busy"
        silence = max(self.interval, self.EVERY) * self.MISSED
        if (now - self.seen).total_seconds() > silence:
            return "gone"
        return "waiting"
