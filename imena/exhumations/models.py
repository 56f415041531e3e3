"""Exhumations, recovered bodies, their post-mortem records, samples and evidence.

Choice fields take their codes and labels from the shared AM/PM vocabulary
(``matching.vocabulary`` through :mod:`imena.exhumations.vocab`), so the
post-mortem form, the missing-person form and the ODK forms agree.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from imena.core.constraints import FieldConstraintErrors
from imena.exhumations.vocab import FDI_ALL, VocabChoices
from imena.exhumations.vocab import label as vocab_label
from imena.exhumations.vocab import labels as vocab_labels
from imena.lib.ownership import OrganisationOwned
from imena.lib.withdrawal import Withdrawable, WithdrawnQuerySet, withdrawal_has_reason


def _range_ok(low: str, high: str) -> Q:
    return (
        Q(**{f"{low}__isnull": True})
        | Q(**{f"{high}__isnull": True})
        | Q(**{f"{low}__lte": F(high)})
    )


class JournalFlag(models.TextChoices):
    NONE = "", _("as expected or no expectation")
    UNEXPECTED_BODY = (
        "unexpected_body",
        _("bodies found where the journals expected none"),
    )
    MISSING_BODY = "missing_body", _("no body found where the journals expected one")
    COUNT_DIFFERS = "count_differs", _("number of bodies differs from the journals")


class Exhumation(FieldConstraintErrors, OrganisationOwned, Withdrawable):
    """One exhumation of one grave: who dug, when, what was found."""

    grave = models.ForeignKey(
        "burials.Grave",
        verbose_name=_("grave"),
        on_delete=models.PROTECT,
        related_name="exhumations",
    )
    date = models.DateField(_("date"))
    team = models.TextField(_("team members"), help_text=_("One name a line."))
    conditions = models.TextField(_("conditions"), blank=True)
    depth_cm = models.PositiveIntegerField(_("depth (cm)"), null=True, blank=True)
    container = models.CharField(
        _("coffin, bag or none"),
        max_length=20,
        blank=True,
        choices=VocabChoices("container"),
    )
    bodies_found = models.PositiveIntegerField(_("number of bodies found"), default=0)
    bodies_expected = models.PositiveIntegerField(
        _("bodies expected (journals)"), null=True, blank=True
    )
    journal_flag = models.CharField(
        _("journal check"),
        max_length=20,
        blank=True,
        choices=JournalFlag.choices,
        default=JournalFlag.NONE,
    )
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = WithdrawnQuerySet.as_manager()

    constraint_fields = {
        "exhumation_journal_flag_valid": "journal_flag",
        "exhumation_withdrawal_has_reason": "withdrawn_reason",
    }

    class Meta:
        verbose_name = _("exhumation")
        verbose_name_plural = _("exhumations")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(journal_flag__in=JournalFlag.values),
                name="exhumation_journal_flag_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            withdrawal_has_reason("exhumation"),
        ]
        indexes = [
            # The exhumation list of an organisation, newest first.
            models.Index(fields=["organisation", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.grave} · {self.date:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("exhumations:exhumation_detail", args=[self.pk])

    @property
    def team_list(self) -> list[str]:
        return [line.strip() for line in self.team.splitlines() if line.strip()]


class BodyKind(models.TextChoices):
    BODY = "body", _("Body")
    COMMINGLED = "commingled", _("Commingled remains")
    PARTIAL = "partial", _("Partial remains")


class BodyCategory(models.TextChoices):
    """Civilian or military, as the examiner reads the post-mortem evidence."""

    CIVILIAN = "civilian", _("Civilian")
    MILITARY = "military", _("Military")
    UNKNOWN = "unknown", _("Unknown")


class BodyQuerySet(WithdrawnQuerySet):
    pass


class Body(FieldConstraintErrors, OrganisationOwned, Withdrawable):
    """A body, or a set of commingled remains, with its own post-mortem number."""

    exhumation = models.ForeignKey(
        Exhumation,
        verbose_name=_("exhumation"),
        on_delete=models.PROTECT,
        related_name="bodies",
    )
    grave = models.ForeignKey(
        "burials.Grave",
        verbose_name=_("grave"),
        on_delete=models.PROTECT,
        related_name="bodies",
    )
    pm_number = models.CharField(
        _("post-mortem number"), max_length=40, help_text=_("e.g. IZM-PM-0123")
    )
    marker_text = models.CharField(
        _("grave marker as found"), max_length=200, blank=True
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=BodyKind.choices, default=BodyKind.BODY
    )
    body_position = models.CharField(
        _("body position"),
        max_length=20,
        blank=True,
        choices=VocabChoices("body_position"),
    )
    articulation = models.CharField(
        _("articulation"),
        max_length=20,
        blank=True,
        choices=VocabChoices("articulation"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(
        _("civilian or military"),
        max_length=10,
        choices=BodyCategory.choices,
        default=BodyCategory.UNKNOWN,
        help_text=_(
            "As the post-mortem evidence shows it (uniform, military "
            "documents); unknown when nothing shows it."
        ),
    )

    objects = BodyQuerySet.as_manager()

    constraint_fields = {
        "body_pm_number_unique_per_org": "pm_number",
        "body_kind_valid": "kind",
        "body_pm_number_not_empty": "pm_number",
        "body_category_valid": "category",
        "body_withdrawal_has_reason": "withdrawn_reason",
    }

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["pm_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "pm_number"],
                name="body_pm_number_unique_per_org",
                violation_error_message=_(
                    "Another body of your organisation has this post-mortem number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=BodyKind.values),
                name="body_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=~Q(pm_number=""),
                name="body_pm_number_not_empty",
                violation_error_message=_("Give the post-mortem number."),
            ),
            models.CheckConstraint(
                condition=Q(category__in=BodyCategory.values),
                name="body_category_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            withdrawal_has_reason("body"),
        ]
        indexes = [
            # Statistics count a site's current bodies by category.
            models.Index(fields=["grave", "withdrawn", "category"]),
        ]

    def __str__(self) -> str:
        return self.pm_number

    def get_absolute_url(self) -> str:
        return reverse("exhumations:body_detail", args=[self.pk])


class TortureSign(models.TextChoices):
    """Structured torture and ill-treatment indicators of the exhumation form.

    The vocabulary's ``torture_indicator`` list follows the Istanbul Protocol and
    names restraints and gunshots elsewhere; these six are the field team's
    check-boxes and are kept as booleans on the record.
    """

    LIGATURE_MARKS = "ligature_marks", _("ligature marks")
    BOUND_HANDS = "bound_hands", _("bound hands")
    GUNSHOT_WOUNDS = "gunshot_wounds", _("gunshot wounds")
    BLUNT_FORCE = "blunt_force", _("blunt force")
    FRACTURES = "fractures", _("fractures")
    BURN_MARKS = "burn_marks", _("burn marks")


class PostMortemRecord(FieldConstraintErrors, models.Model):
    """The INTERPOL DVI post-mortem sections of one body (single-valued parts).

    Lists (particulars, teeth, clothing, effects, documents, injuries) are
    their own rows below.
    """

    body = models.OneToOneField(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="pm"
    )
    # Biological profile
    sex = models.CharField(
        _("estimated sex"), max_length=20, blank=True, choices=VocabChoices("sex_pm")
    )
    sex_method = models.CharField(
        _("sex estimation method"),
        max_length=20,
        blank=True,
        choices=VocabChoices("sex_method"),
    )
    sex_certainty = models.CharField(
        _("certainty"), max_length=20, blank=True, choices=VocabChoices("certainty")
    )
    age_min = models.PositiveSmallIntegerField(_("age from"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("age to"), null=True, blank=True)
    age_method = models.CharField(
        _("age estimation method"),
        max_length=30,
        blank=True,
        choices=VocabChoices("age_method"),
    )
    stature_min = models.PositiveSmallIntegerField(
        _("stature from (cm)"), null=True, blank=True
    )
    stature_max = models.PositiveSmallIntegerField(
        _("stature to (cm)"), null=True, blank=True
    )
    stature_formula = models.CharField(_("stature formula"), max_length=60, blank=True)
    build = models.CharField(
        _("build"), max_length=20, blank=True, choices=VocabChoices("build")
    )
    # Physical description
    hair_colour = models.CharField(
        _("hair colour"), max_length=20, blank=True, choices=VocabChoices("hair_colour")
    )
    hair_length = models.CharField(
        _("hair length"), max_length=20, blank=True, choices=VocabChoices("hair_length")
    )
    facial_hair = models.CharField(
        _("facial hair"), max_length=20, blank=True, choices=VocabChoices("facial_hair")
    )
    eye_colour = models.CharField(
        _("eye colour"), max_length=20, blank=True, choices=VocabChoices("eye_colour")
    )
    # Pathology
    preservation = models.CharField(
        _("preservation"),
        max_length=20,
        blank=True,
        choices=VocabChoices("preservation"),
    )
    cause_of_death = models.CharField(
        _("cause of death"),
        max_length=20,
        blank=True,
        choices=VocabChoices("cause_of_death"),
    )
    cause_of_death_text = models.CharField(
        _("cause of death (as written)"), max_length=300, blank=True
    )
    manner_of_death = models.CharField(
        _("manner of death"),
        max_length=20,
        blank=True,
        choices=VocabChoices("manner_of_death"),
    )
    # Torture and ill-treatment
    ligature_marks = models.BooleanField(_("ligature marks"), default=False)
    bound_hands = models.BooleanField(_("bound hands"), default=False)
    gunshot_wounds = models.BooleanField(_("gunshot wounds"), default=False)
    blunt_force = models.BooleanField(_("blunt force"), default=False)
    fractures = models.BooleanField(_("fractures"), default=False)
    burn_marks = models.BooleanField(_("burn marks"), default=False)
    torture_indicators = models.JSONField(
        _("other torture indicators (Istanbul Protocol)"), default=list, blank=True
    )
    restraint_material = models.CharField(
        _("restraint material"),
        max_length=20,
        blank=True,
        choices=VocabChoices("restraint_material"),
    )
    restraint_location = models.CharField(
        _("restraint location"),
        max_length=20,
        blank=True,
        choices=VocabChoices("restraint_location"),
    )
    torture_consistency = models.CharField(
        _("consistency with torture"),
        max_length=20,
        blank=True,
        choices=VocabChoices("torture_consistency"),
    )
    # Free text
    findings = models.TextField(_("findings (free text)"), blank=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    #: Fields holding vocabulary codes without model choices, for history cards.
    history_vocab: ClassVar[dict[str, tuple[str, ...]]] = {
        "torture_indicators": ("torture_indicator",),
    }

    constraint_fields = {
        "pm_age_min_le_max": "age_max",
        "pm_stature_min_le_max": "stature_max",
    }

    class Meta:
        verbose_name = _("post-mortem record")
        verbose_name_plural = _("post-mortem records")
        constraints = [
            models.CheckConstraint(
                condition=_range_ok("age_min", "age_max"),
                name="pm_age_min_le_max",
                violation_error_message=_(
                    "The lower age must not exceed the upper age."
                ),
            ),
            models.CheckConstraint(
                condition=_range_ok("stature_min", "stature_max"),
                name="pm_stature_min_le_max",
                violation_error_message=_(
                    "The lower stature must not exceed the upper stature."
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.body)

    @property
    def torture_signs(self) -> list[str]:
        return [s for s in TortureSign.values if getattr(self, s)]

    @property
    def torture_sign_labels(self) -> list[str]:
        return [str(TortureSign(s).label) for s in self.torture_signs]


class PostMortemRow(Withdrawable):
    """A row of a post-mortem section (mark, tooth, item, injury)."""

    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True


class Particular(FieldConstraintErrors, PostMortemRow):
    """A scar, tattoo, amputation, prosthesis or other distinguishing mark."""

    body = models.ForeignKey(
        Body,
        verbose_name=_("body"),
        on_delete=models.PROTECT,
        related_name="particulars",
    )
    kind = models.CharField(
        _("kind of particular"), max_length=20, choices=VocabChoices("particular_kind")
    )
    region = models.CharField(
        _("body region"), max_length=20, blank=True, choices=VocabChoices("body_region")
    )
    side = models.CharField(
        _("side"), max_length=10, blank=True, choices=VocabChoices("body_side")
    )
    subtype = models.CharField(
        _("subtype"),
        max_length=30,
        blank=True,
        help_text=_("Scar cause, amputation level, prosthesis or implant type."),
    )
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    description = models.TextField(_("description"), blank=True)

    history_vocab: ClassVar[dict[str, tuple[str, ...]]] = {
        "subtype": (
            "scar_cause",
            "amputation_level",
            "prosthesis_type",
            "implant_type",
            "fracture_state",
        ),
    }

    constraint_fields = {
        "particular_withdrawal_has_reason": "withdrawn_reason",
    }

    class Meta:
        verbose_name = _("particular")
        verbose_name_plural = _("particulars")
        ordering = ["pk"]
        constraints = [withdrawal_has_reason("particular")]

    def __str__(self) -> str:
        return f"{self.body}: {self.kind}"


class ToothFinding(FieldConstraintErrors, PostMortemRow):
    """One tooth of the post-mortem dental chart, in FDI numbering."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="teeth"
    )
    tooth = models.PositiveSmallIntegerField(_("tooth (FDI)"))
    status = models.CharField(
        _("tooth status"),
        max_length=24,
        choices=VocabChoices("tooth_status"),
        default="present_sound",
    )
    restoration = models.CharField(
        _("restoration material"),
        max_length=20,
        blank=True,
        choices=VocabChoices("restoration"),
    )
    surfaces = models.CharField(
        _("restored surfaces"),
        max_length=8,
        blank=True,
        help_text=_("Letters M O I D B F L P, e.g. MO"),
    )
    crown = models.CharField(
        _("crown"), max_length=30, blank=True, choices=VocabChoices("crown")
    )
    bridge = models.CharField(
        _("bridge"), max_length=20, blank=True, choices=VocabChoices("bridge")
    )
    implant = models.CharField(
        _("implant"), max_length=20, blank=True, choices=VocabChoices("dental_implant")
    )
    endodontics = models.JSONField(_("endodontics"), default=list, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    history_vocab: ClassVar[dict[str, tuple[str, ...]]] = {
        "endodontics": ("endodontics",),
    }

    constraint_fields = {
        "tooth_is_fdi": "tooth",
        "tooth_once_per_body": "tooth",
        "toothfinding_withdrawal_has_reason": "withdrawn_reason",
    }

    class Meta:
        verbose_name = _("tooth finding")
        verbose_name_plural = _("tooth findings")
        ordering = ["tooth"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tooth__in=FDI_ALL),
                name="tooth_is_fdi",
                violation_error_message=_("Not an FDI tooth number."),
            ),
            models.UniqueConstraint(
                fields=["body", "tooth"],
                condition=Q(withdrawn=False),
                name="tooth_once_per_body",
                violation_error_message=_(
                    "This tooth is already recorded for the body; correct that finding instead."
                ),
            ),
            withdrawal_has_reason("toothfinding"),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.tooth}"


class ItemKind(models.TextChoices):
    CLOTHING = "clothing", _("Clothing")
    EFFECT = "effect", _("Personal effect")
    DOCUMENT = "document", _("Document")


#: The vocabulary field of each item kind's categories.
ITEM_CATEGORY_FIELDS = {
    "clothing": "clothing_category",
    "effect": "effect",
    "document": "identity_document",
}


class BodyItem(FieldConstraintErrors, PostMortemRow):
    """Clothing, a personal effect or a document found on the body."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    category = models.CharField(
        _("category"),
        max_length=30,
        help_text=_("Clothing category, effect or identity document type."),
    )
    colours = models.JSONField(_("colours"), default=list, blank=True)
    pattern = models.CharField(
        _("pattern"), max_length=20, blank=True, choices=VocabChoices("pattern")
    )
    material = models.CharField(_("material"), max_length=30, blank=True)
    size_eu = models.FloatField(_("size (EU)"), null=True, blank=True)
    label_text = models.CharField(_("label or engraving"), max_length=200, blank=True)
    serial = models.CharField(_("serial or document number"), max_length=80, blank=True)
    name_on_item = models.CharField(_("name written on it"), max_length=200, blank=True)
    location_on_body = models.CharField(
        _("location on body"),
        max_length=20,
        blank=True,
        choices=VocabChoices("location_on_body"),
    )
    description = models.TextField(_("description"), blank=True)

    history_vocab: ClassVar[dict[str, tuple[str, ...]]] = {
        "category": ("clothing_category", "effect", "identity_document"),
        "colours": ("colour",),
        "material": ("material",),
    }

    constraint_fields = {
        "bodyitem_kind_valid": "kind",
        "bodyitem_withdrawal_has_reason": "withdrawn_reason",
    }

    class Meta:
        verbose_name = _("item found with the body")
        verbose_name_plural = _("items found with the body")
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ItemKind.values),
                name="bodyitem_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            withdrawal_has_reason("bodyitem"),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.category}"

    @property
    def category_label(self) -> str:
        """The category in the reader's language (as written when not a code)."""
        return vocab_label(ITEM_CATEGORY_FIELDS.get(self.kind, ""), self.category)

    @property
    def colour_labels(self) -> str:
        return vocab_labels("colour", self.colours)

    @property
    def material_label(self) -> str:
        return vocab_label("material", self.material)


class Injury(FieldConstraintErrors, PostMortemRow):
    """An injury with its body location."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="injuries"
    )
    region = models.CharField(
        _("injury region"), max_length=20, choices=VocabChoices("injury_region")
    )
    side = models.CharField(
        _("side"), max_length=10, blank=True, choices=VocabChoices("body_side")
    )
    mechanism = models.CharField(
        _("injury mechanism"),
        max_length=20,
        blank=True,
        choices=VocabChoices("injury_mechanism"),
    )
    timing = models.CharField(
        _("injury timing"),
        max_length=24,
        blank=True,
        choices=VocabChoices("injury_timing"),
    )
    gunshot_wound = models.CharField(
        _("gunshot wound"),
        max_length=10,
        blank=True,
        choices=VocabChoices("gunshot_wound"),
    )
    gunshot_range = models.CharField(
        _("range of fire"),
        max_length=20,
        blank=True,
        choices=VocabChoices("gunshot_range"),
    )
    description = models.TextField(_("description"), blank=True)

    constraint_fields = {
        "injury_withdrawal_has_reason": "withdrawn_reason",
    }

    class Meta:
        verbose_name = _("injury")
        verbose_name_plural = _("injuries")
        ordering = ["pk"]
        constraints = [withdrawal_has_reason("injury")]

    def __str__(self) -> str:
        return f"{self.body}: {self.region}"


class FindingReading(models.Model):
    """Findings read aloud to a prosecutor, and who was present."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="readings"
    )
    section = models.CharField(_("section"), max_length=30, blank=True)
    read_at = models.DateTimeField(_("read at"))
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("read by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    prosecutor = models.CharField(_("prosecutor"), max_length=200)
    present = models.TextField(_("others present"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("finding read to a prosecutor")
        verbose_name_plural = _("findings read to a prosecutor")
        ordering = ["-read_at"]

    def __str__(self) -> str:
        return f"{self.body} · {self.prosecutor}"


class SectionDraft(FieldConstraintErrors, models.Model):
    """An autosaved, unsaved section form of one user for one body."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="+")
    section = models.CharField(max_length=30)
    data = models.JSONField(default=dict)
    updated = models.DateTimeField(auto_now=True)

    constraint_fields = {
        "draft_once_per_user_body_section": "section",
    }

    class Meta:
        verbose_name = _("section draft")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "body", "section"],
                name="draft_once_per_user_body_section",
                violation_error_message=_(
                    "Your draft of this section was being saved at the same moment; try again."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.body_id}/{self.section}"


class SampleStatus(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    SENT = "sent", _("Sent to laboratory")
    PROFILE = "profile", _("Profile obtained")
    PARTIAL = "partial", _("Partial profile")
    FAILED = "failed", _("No profile")


class Sample(FieldConstraintErrors, OrganisationOwned):
    """A DNA sample taken from a body (bone, tooth, tissue)."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="samples"
    )
    sample_id = models.CharField(_("sample id"), max_length=60)
    sample_type = models.CharField(
        _("sample type"), max_length=20, choices=VocabChoices("pm_sample")
    )
    bone_element = models.CharField(
        _("bone element"),
        max_length=20,
        blank=True,
        choices=VocabChoices("bone_element"),
    )
    tooth = models.PositiveSmallIntegerField(_("tooth (FDI)"), null=True, blank=True)
    taken_by = models.CharField(_("taken by"), max_length=200)
    taken_on = models.DateField(_("date taken"))
    lab = models.CharField(_("laboratory sent to"), max_length=200, blank=True)
    sent_on = models.DateField(_("date sent"), null=True, blank=True)
    status = models.CharField(
        _("result status"),
        max_length=12,
        choices=SampleStatus.choices,
        default=SampleStatus.COLLECTED,
    )
    profile = models.ForeignKey(
        "dna.DNAProfile",
        verbose_name=_("DNA profile"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pm_samples",
    )
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
        "sample_id_unique_per_org": "sample_id",
        "sample_status_valid": "status",
        "sample_tooth_is_fdi": "tooth",
    }

    class Meta:
        verbose_name = _("DNA sample")
        verbose_name_plural = _("DNA samples")
        ordering = ["sample_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sample_id"],
                name="sample_id_unique_per_org",
                violation_error_message=_(
                    "Another sample of your organisation has this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=SampleStatus.values),
                name="sample_status_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=Q(tooth__isnull=True) | Q(tooth__in=FDI_ALL),
                name="sample_tooth_is_fdi",
                violation_error_message=_("Not an FDI tooth number."),
            ),
        ]

    def __str__(self) -> str:
        return self.sample_id
