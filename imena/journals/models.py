from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from imena.core.constraints import FieldConstraintErrors
from imena.core.times import local_time


class Journal(FieldConstraintErrors, models.Model):
    """A burial register kept for a site: the funeral home's, the volunteers'."""

    site = models.ForeignKey(
        "burials.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="journals",
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        blank=True,
        help_text=_("Saved column mapping: field -> column header."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    constraint_fields = {
        "journal_name_unique_per_site": "name",
    }

    class Meta:
        verbose_name = _("burial journal")
        verbose_name_plural = _("burial journals")
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "name"],
                name="journal_name_unique_per_site",
                violation_error_message=_(
                    "This site already has a journal with this name."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("journals:journal_detail", args=[self.pk])


class JournalImport(FieldConstraintErrors, models.Model):
    """One file read into a journal. The same file (by SHA-256) is read once."""

    journal = models.ForeignKey(
        Journal,
        verbose_name=_("journal"),
        on_delete=models.PROTECT,
        related_name="imports",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    format = models.CharField(_("format"), max_length=10)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=4, blank=True)
    header = models.JSONField(_("header"), default=list)
    header_row = models.PositiveIntegerField(_("header row"), default=1)
    mapping = models.JSONField(_("column mapping used"), default=dict)
    file_problems = models.JSONField(_("file problems"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    problem_row_count = models.PositiveIntegerField(_("rows with problems"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("imported"), auto_now_add=True)

    constraint_fields = {
        "journal_file_once": "sha256",
    }

    class Meta:
        verbose_name = _("journal import")
        verbose_name_plural = _("journal imports")
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "sha256"],
                name="journal_file_once",
                violation_error_message=_(
                    "This file has already been imported into this journal."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"


class JournalRow(FieldConstraintErrors, models.Model):
    """One row of a journal: the cells verbatim, and the parsed fields beside them."""

    journal = models.ForeignKey(
        Journal,
        verbose_name=_("journal"),
        on_delete=models.PROTECT,
        related_name="rows",
    )
    source_import = models.ForeignKey(
        JournalImport,
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        related_name="rows",
    )
    row_number = models.PositiveIntegerField(_("row number in the file"))
    raw = models.JSONField(_("cells as written"))
    grave_raw = models.CharField(_("grave as written"), max_length=200, blank=True)
    grave_number = models.CharField(_("grave number"), max_length=40, blank=True)
    grave = models.ForeignKey(
        "burials.Grave",
        verbose_name=_("grave"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_rows",
    )
    surname = models.CharField(_("surname"), max_length=120, blank=True)
    given_name = models.CharField(_("given name"), max_length=120, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=120, blank=True)
    full_name = models.CharField(_("name as written"), max_length=300, blank=True)
    birth_date = models.CharField(_("birth date"), max_length=10, blank=True)
    age_min = models.PositiveSmallIntegerField(_("age from"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("age to"), null=True, blank=True)
    death_date = models.CharField(_("death date"), max_length=10, blank=True)
    burial_date = models.CharField(_("burial date"), max_length=10, blank=True)
    cause = models.CharField(_("cause of death"), max_length=300, blank=True)
    brought_by = models.CharField(_("brought by"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)

    constraint_fields = {
        "journal_row_once": "row_number",
        "journal_row_age_range": "age_max",
    }

    class Meta:
        verbose_name = _("journal row")
        verbose_name_plural = _("journal rows")
        ordering = ["journal", "source_import", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_import", "row_number"],
                name="journal_row_once",
                violation_error_message=_(
                    "This row of the file has already been imported."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="journal_row_age_range",
                violation_error_message=_(
                    "The lower age must not exceed the upper age."
                ),
            ),
        ]
        indexes = [
            # Grave page: every row that points to a grave.
            models.Index(fields=["grave"]),
            # Matching rows to graves by number within a journal.
            models.Index(fields=["journal", "grave_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.journal} #{self.row_number}"

    @property
    def display_name(self) -> str:
        parts = [self.surname, self.given_name, self.patronymic]
        return " ".join(p for p in parts if p) or self.full_name

    @property
    def ref(self) -> tuple[str, int]:
        """The row's key in the linkage package: (journal source, row id)."""
        return (f"j{self.journal_id}", self.pk)


class ReconcileRun(models.Model):
    """One run of the linkage model over every journal row of a site."""

    site = models.ForeignKey(
        "burials.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="reconcile_runs",
    )
    engine = models.CharField(_("engine"), max_length=10, default="duckdb")
    threshold = models.FloatField(_("threshold"))
    model = models.JSONField(_("trained model"), default=dict)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    cluster_count = models.PositiveIntegerField(_("people"), default=0)
    conflict_count = models.PositiveIntegerField(_("conflicts"), default=0)
    decision_count = models.PositiveIntegerField(
        _("human decisions applied"), default=0
    )
    seconds = models.FloatField(_("seconds"), default=0)
    notes = models.JSONField(_("notes"), default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        get_latest_by = "created"

    def __str__(self) -> str:
        return f"{self.site} · {local_time(self.created)}"


class PersonCluster(FieldConstraintErrors, models.Model):
    """Rows that the latest run takes to be one person, with a proposed grave."""

    run = models.ForeignKey(
        ReconcileRun,
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        related_name="clusters",
    )
    key = models.CharField(_("cluster id"), max_length=40)
    name = models.CharField(_("proposed name"), max_length=300, blank=True)
    surname = models.CharField(_("surname"), max_length=120, blank=True)
    given_name = models.CharField(_("given name"), max_length=120, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=120, blank=True)
    grave_number = models.CharField(
        _("proposed grave number"), max_length=40, blank=True
    )
    grave = models.ForeignKey(
        "burials.Grave",
        verbose_name=_("proposed grave"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="person_clusters",
    )
    grave_votes = models.JSONField(_("grave votes"), default=dict)
    size = models.PositiveIntegerField(_("rows"), default=1)
    journal_count = models.PositiveSmallIntegerField(_("journals"), default=1)

    constraint_fields = {
        "cluster_key_unique_per_run": "key",
    }

    class Meta:
        verbose_name = _("reconciled person")
        verbose_name_plural = _("reconciled people")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "key"],
                name="cluster_key_unique_per_run",
                violation_error_message=_(
                    "This group of rows already exists in the reconciliation."
                ),
            ),
        ]
        indexes = [
            # Grave page: the reconciled names of a grave in the latest run.
            models.Index(fields=["run", "grave"]),
        ]

    def __str__(self) -> str:
        return self.name or self.key


class ClusterMember(FieldConstraintErrors, models.Model):
    cluster = models.ForeignKey(
        PersonCluster, on_delete=models.CASCADE, related_name="members"
    )
    row = models.ForeignKey(
        JournalRow, on_delete=models.PROTECT, related_name="memberships"
    )
    probability = models.FloatField(_("match probability to its cluster"), null=True)
    # The row's strongest scored pair inside its cluster, shown on the row's
    # page as a match-weight waterfall.
    link_row = models.ForeignKey(
        JournalRow,
        verbose_name=_("strongest link"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    link_weight = models.FloatField(_("match weight of the link"), null=True)
    link_explanation = models.JSONField(
        _("explanation of the link"), default=list, blank=True
    )
    # How the link was made (a key of ``linkage.reconcile.RULES``: "splink",
    # "must_link" or a clustering rule) and the rule's evidence (keys of
    # ``linkage.reconcile.EVIDENCE``); a rule may link rows the model did not
    # score, whose link then has no waterfall.
    link_rule = models.CharField(
        _("how the link was made"), max_length=60, blank=True, default=""
    )
    link_evidence = models.JSONField(
        _("evidence of the link"), default=list, blank=True
    )

    constraint_fields = {
        "cluster_member_once": "row",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "row"],
                name="cluster_member_once",
                violation_error_message=_("This journal row is already in the group."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id}:{self.row_id}"


class ReviewKind(models.TextChoices):
    GRAVE_MULTIPLE_PEOPLE = "grave_multiple_people", _("One grave, several names")
    PERSON_MULTIPLE_GRAVES = "person_multiple_graves", _("One person, several graves")
    ROW_WITHOUT_GRAVE = "row_without_grave", _("Row without a grave number")
    BORDERLINE_MATCH = "borderline_match", _("Proposed match to check")


class ReviewItem(FieldConstraintErrors, models.Model):
    """A conflict or a borderline match from a run, waiting for a person."""

    run = models.ForeignKey(
        ReconcileRun,
        verbose_name=_("run"),
        on_delete=models.CASCADE,
        related_name="review_items",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ReviewKind.choices)
    key = models.CharField(
        _("stable key"),
        max_length=200,
        help_text=_("Identifies the same question across runs, so answers carry over."),
    )
    priority = models.FloatField(_("priority"), default=0)
    message = models.TextField(_("message"))
    grave_number = models.CharField(_("grave number"), max_length=40, blank=True)
    rows = models.ManyToManyField(JournalRow, related_name="review_items")
    match_probability = models.FloatField(_("match probability"), null=True, blank=True)
    match_weight = models.FloatField(_("match weight"), null=True, blank=True)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    # for a conflict of rows joined by a clustering rule: the rule and its
    # evidence (as ``ClusterMember.link_rule``/``link_evidence``)
    rule = models.CharField(
        _("how the link was made"), max_length=60, blank=True, default=""
    )
    evidence = models.JSONField(_("evidence of the link"), default=list, blank=True)

    constraint_fields = {
        "review_key_unique_per_run": "key",
    }

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        ordering = ["-priority", "pk"]
        indexes = [
            # The work list's first rows across every site's latest run, in
            # queue order, without sorting every open question (#13 item 5).
            models.Index(fields=["-priority", "id"], name="review_item_queue_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "key"],
                name="review_key_unique_per_run",
                violation_error_message=_(
                    "This review question already exists in the reconciliation."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.key}"


class DecisionKind(models.TextChoices):
    SAME_PERSON = "must_link", _("Same person")
    DIFFERENT_PEOPLE = "cannot_link", _("Different people")
    SPLIT = "isolate", _("Split this row off")
    RESOLVED = "resolved", _("Conflict explained")


class LinkDecision(FieldConstraintErrors, models.Model):
    """A person's answer about journal rows. Kept across runs; never deleted.

    A later decision on the same question supersedes an earlier one; the
    earlier one stays, marked, with the audit log holding both.
    """

    site = models.ForeignKey(
        "burials.Site",
        verbose_name=_("site"),
        on_delete=models.PROTECT,
        related_name="link_decisions",
    )
    kind = models.CharField(_("decision"), max_length=16, choices=DecisionKind.choices)
    question_key = models.CharField(_("question"), max_length=200)
    row_a = models.ForeignKey(
        JournalRow,
        verbose_name=_("row"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    row_b = models.ForeignKey(
        JournalRow,
        verbose_name=_("other row"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created = models.DateTimeField(_("decided"), auto_now_add=True)
    superseded = models.BooleanField(_("superseded"), default=False)

    constraint_fields = {
        "link_decision_has_reason": "reason",
        "link_decision_kind_valid": "kind",
        "one_current_decision_per_question": "question_key",
    }

    class Meta:
        verbose_name = _("link decision")
        verbose_name_plural = _("link decisions")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""),
                name="link_decision_has_reason",
                violation_error_message=_("Give a reason for the decision."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=DecisionKind.values),
                name="link_decision_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.UniqueConstraint(
                fields=["site", "question_key"],
                condition=models.Q(superseded=False),
                name="one_current_decision_per_question",
                violation_error_message=_(
                    "This question has already been decided; reload the page to see the decision."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.question_key}"
