"""Missing persons: ante-mortem reports, pedigrees, family reference samples.

The report follows the INTERPOL DVI ante-mortem form in the AM/PM vocabulary
(``matching.vocabulary``). Repeating sections (particulars, fractures, dental
chart, clothing, effects, documents) are JSON lists of vocabulary-coded rows,
validated by the services before they are stored.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from imena.core.constraints import FieldConstraintErrors
from imena.lib.ownership import OrganisationOwned
from imena.lib.vocab import VocabChoices
from imena.lib.withdrawal import Withdrawable, withdrawal_has_reason
from imena.missing.vocab import codes


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IDENTIFIED = "identified", _("Identified")
    CLOSED = "closed", _("Closed")


#: The family's relationship words as the registers write them, for reading.
RELATIONSHIPS = {
    "wife": _("wife"),
    "husband": _("husband"),
    "mother": _("mother"),
    "father": _("father"),
    "daughter": _("daughter"),
    "son": _("son"),
    "sister": _("sister"),
    "brother": _("brother"),
    "grandmother": _("grandmother"),
    "grandfather": _("grandfather"),
    "granddaughter": _("granddaughter"),
    "grandson": _("grandson"),
    "aunt": _("aunt"),
    "uncle": _("uncle"),
    "niece": _("niece"),
    "nephew": _("nephew"),
    "cousin": _("cousin"),
    "neighbour": _("neighbour"),
    "friend": _("friend"),
}


class MissingPerson(FieldConstraintErrors, OrganisationOwned):
    """One missing-person report (the ante-mortem record)."""

    case_no = models.CharField(_("AM case number"), max_length=40)
    # Identity, in Cyrillic as written
    family_name = models.CharField(_("surname"), max_length=120, blank=True)
    family_name_unknown = models.BooleanField(_("surname unknown"), default=False)
    given_names = models.CharField(_("given name"), max_length=120)
    patronymic = models.CharField(_("patronymic"), max_length=120, blank=True)
    # Computed: KMU 2010 transliteration and Russian forms
    family_name_latin = models.CharField(
        _("surname (Latin)"), max_length=160, blank=True
    )
    given_names_latin = models.CharField(
        _("given name (Latin)"), max_length=160, blank=True
    )
    patronymic_latin = models.CharField(
        _("patronymic (Latin)"), max_length=160, blank=True
    )
    family_name_ru = models.CharField(
        _("surname (Russian form)"), max_length=160, blank=True
    )
    given_names_ru = models.CharField(
        _("given name (Russian form)"), max_length=160, blank=True
    )
    patronymic_ru = models.CharField(
        _("patronymic (Russian form)"), max_length=160, blank=True
    )
    aliases = models.TextField(
        _("other spellings"), blank=True, help_text=_("One spelling a line.")
    )
    sex = models.CharField(
        _("sex"), max_length=16, choices=VocabChoices("sex_am"), default="unknown"
    )
    # Birth: a partial date (year, year-month or full) or a reported age
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True
    )
    birth_month = models.PositiveSmallIntegerField(
        _("month of birth"), null=True, blank=True
    )
    birth_day = models.PositiveSmallIntegerField(
        _("day of birth"), null=True, blank=True
    )
    age_min = models.PositiveSmallIntegerField(
        _("age at disappearance, from"), null=True, blank=True
    )
    age_max = models.PositiveSmallIntegerField(
        _("age at disappearance, to"), null=True, blank=True
    )
    place_of_birth = models.CharField(_("place of birth"), max_length=200, blank=True)
    home_city = models.CharField(_("home town or village"), max_length=120, blank=True)
    home_street = models.CharField(
        _("home street (no house number)"), max_length=200, blank=True
    )
    home_region = models.CharField(_("home region"), max_length=120, blank=True)
    home_country = models.CharField(
        _("home country (ISO code)"), max_length=2, blank=True, default="UA"
    )
    # Last seen
    last_seen_date = models.DateField(_("last seen (date)"), null=True, blank=True)
    last_seen_place = models.CharField(
        _("last seen (place)"), max_length=300, blank=True
    )
    last_seen_lat = models.FloatField(_("last seen latitude"), null=True, blank=True)
    last_seen_lon = models.FloatField(_("last seen longitude"), null=True, blank=True)
    circumstances = models.CharField(
        _("circumstances"),
        max_length=16,
        choices=VocabChoices("circumstances"),
        default="unknown",
    )
    circumstances_text = models.TextField(_("what happened"), blank=True)
    # Biological profile and physical description
    stature_cm = models.PositiveSmallIntegerField(
        _("stature (cm)"), null=True, blank=True
    )
    stature_source = models.CharField(
        _("stature source"),
        max_length=20,
        choices=VocabChoices("stature_source"),
        blank=True,
    )
    build = models.CharField(
        _("build"), max_length=10, choices=VocabChoices("build"), blank=True
    )
    handedness = models.CharField(
        _("handedness"), max_length=10, choices=VocabChoices("handedness"), blank=True
    )
    hair_colour = models.CharField(
        _("hair colour"), max_length=16, choices=VocabChoices("hair_colour"), blank=True
    )
    hair_length = models.CharField(
        _("hair length"), max_length=10, choices=VocabChoices("hair_length"), blank=True
    )
    hair_style = models.CharField(
        _("hair style"), max_length=10, choices=VocabChoices("hair_style"), blank=True
    )
    facial_hair = models.CharField(
        _("facial hair"), max_length=10, choices=VocabChoices("facial_hair"), blank=True
    )
    eye_colour = models.CharField(
        _("eye colour"), max_length=10, choices=VocabChoices("eye_colour"), blank=True
    )
    # Repeating sections, vocabulary-coded rows (see services.SECTION_FIELDS)
    particulars = models.JSONField(_("physical particulars"), default=list, blank=True)
    particulars_asked = models.BooleanField(
        _("family was asked about marks and devices"), default=True
    )
    fractures = models.JSONField(_("fractures"), default=list, blank=True)
    medical_notes = models.TextField(
        _("medical history (surgery, implants, illness)"), blank=True
    )
    dental_chart = models.JSONField(_("dental chart (FDI)"), default=list, blank=True)
    dentist = models.CharField(
        _("dentist or dental record source"), max_length=200, blank=True
    )
    dental_as_of = models.CharField(_("dental record date"), max_length=10, blank=True)
    clothing = models.JSONField(_("clothing last worn"), default=list, blank=True)
    effects = models.JSONField(_("personal effects"), default=list, blank=True)
    documents = models.JSONField(_("identity documents"), default=list, blank=True)
    description = models.TextField(_("other description"), blank=True)
    # Reporting person and consent
    reporter_name = models.CharField(_("reporting person"), max_length=200)
    reporter_relationship = models.CharField(
        _("relationship to the missing person"), max_length=60, blank=True
    )
    reporter_contact = models.CharField(
        _("contact (phone, e-mail, address)"), max_length=300, blank=True
    )
    consent_identification = models.BooleanField(
        _("consent: identification"), default=False
    )
    consent_dna = models.BooleanField(_("consent: DNA analysis"), default=False)
    consent_publication = models.BooleanField(_("consent: publication"), default=False)
    consent_date = models.DateField(_("consent given on"), null=True, blank=True)
    consent_withdrawn_date = models.DateField(
        _("consent withdrawn on"), null=True, blank=True
    )
    # Status and merging of duplicate reports
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_reports",
    )
    merge_reason = models.TextField(_("reason for the merge"), blank=True)
    pfif_record_id = models.CharField(_("PFIF record id"), max_length=200, blank=True)
    source_date = models.DateTimeField(_("source date"), null=True, blank=True)
    # A record imported from another PFIF repository, as received: {"person":
    # {element: text}, "notes": [{element: text}, ...]}; re-exported unchanged.
    pfif_record = models.JSONField(
        _("PFIF record as received"), default=dict, blank=True
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
    updated = models.DateTimeField(_("updated"), auto_now=True)

    #: Vocabulary keys of the codes inside the repeating sections, for history cards.
    history_vocab: ClassVar[dict[str, tuple[str, ...]]] = {
        "particulars": ("particular_kind", "body_region", "body_side"),
        "fractures": ("body_side",),
        "dental_chart": ("tooth_status", "restoration", "crown", "endodontics"),
        "clothing": ("clothing_category", "colour", "pattern", "material"),
        "effects": ("effect",),
        "documents": ("identity_document",),
    }

    constraint_fields = {
        "missing_case_no_unique_per_org": "case_no",
        "missing_given_name_required": "given_names",
        "missing_surname_or_unknown": "family_name",
        "missing_status_valid": "status",
        "missing_sex_valid": "sex",
        "missing_circumstances_valid": "circumstances",
        "missing_birth_month_valid": "birth_month",
        "missing_birth_day_valid": "birth_day",
        "missing_age_min_le_max": "age_max",
        "missing_stature_range": "stature_cm",
        "missing_not_merged_into_itself": "merged_into",
    }

    class Meta:
        verbose_name = _("missing person")
        verbose_name_plural = _("missing persons")
        ordering = ["family_name", "given_names"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case_no"],
                name="missing_case_no_unique_per_org",
                violation_error_message=_(
                    "Another missing-person case of your organisation has this number."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(given_names=""),
                name="missing_given_name_required",
                violation_error_message=_("Give the given name."),
            ),
            models.CheckConstraint(
                condition=~Q(family_name="") | Q(family_name_unknown=True),
                name="missing_surname_or_unknown",
                violation_error_message=_(
                    "Give the family name, or tick that it is unknown."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values),
                name="missing_status_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=Q(sex__in=codes("sex_am")),
                name="missing_sex_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=Q(circumstances__in=codes("circumstances")),
                name="missing_circumstances_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True)
                | Q(birth_month__gte=1, birth_month__lte=12, birth_year__isnull=False),
                name="missing_birth_month_valid",
                violation_error_message=_(
                    "A birth month is 1 to 12 and needs the birth year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(birth_day__isnull=True)
                | Q(birth_day__gte=1, birth_day__lte=31, birth_month__isnull=False),
                name="missing_birth_day_valid",
                violation_error_message=_(
                    "A birth day is 1 to 31 and needs the birth month."
                ),
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True)
                | Q(age_max__isnull=True)
                | Q(age_min__lte=F("age_max")),
                name="missing_age_min_le_max",
                violation_error_message=_(
                    "The lower age must not exceed the upper age."
                ),
            ),
            models.CheckConstraint(
                condition=Q(stature_cm__isnull=True)
                | Q(stature_cm__gte=40, stature_cm__lte=250),
                name="missing_stature_range",
                violation_error_message=_("Stature must be between 40 and 250 cm."),
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("pk")),
                name="missing_not_merged_into_itself",
                violation_error_message=_("A case cannot be merged into itself."),
            ),
        ]
        indexes = [
            # The list page: open reports of one organisation.
            models.Index(fields=["organisation", "status"]),
            # The search by case number (``case_no__iexact``), without reading
            # every report (#13 item 5).
            models.Index(Upper("case_no"), name="missing_case_no_upper"),
            # The statistics pages' reports per status, read from the index
            # alone instead of every report's row.
            models.Index(
                fields=["organisation", "status"],
                condition=Q(merged_into__isnull=True),
                name="missing_unmerged_status",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.case_no

    @property
    def reporter_relationship_label(self) -> str:
        """The relationship in the reader's language when it is a known word."""
        word = RELATIONSHIPS.get(self.reporter_relationship.strip().lower())
        return str(word) if word is not None else self.reporter_relationship

    def get_absolute_url(self) -> str:
        return reverse("missing:person_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return " ".join(
            p for p in (self.family_name, self.given_names, self.patronymic) if p
        )

    @property
    def full_name_latin(self) -> str:
        parts = (self.family_name_latin, self.given_names_latin, self.patronymic_latin)
        return " ".join(p for p in parts if p)

    @property
    def birth_precision(self) -> str:
        if self.birth_year is None:
            return ""
        if self.birth_day:
            return "day"
        return "month" if self.birth_month else "year"

    @property
    def date_of_birth(self) -> str:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (as PFIF writes it)."""
        if self.birth_year is None:
            return ""
        out = f"{self.birth_year:04d}"
        if self.birth_month:
            out += f"-{self.birth_month:02d}"
            if self.birth_day:
                out += f"-{self.birth_day:02d}"
        return out

    def birth_range(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day the birth may fall on."""

        if self.birth_year is None:
            return None
        y, m, d = self.birth_year, self.birth_month, self.birth_day
        first = dt.date(y, m or 1, d or 1)
        last_m = m or 12
        last = dt.date(y, last_m, d or calendar.monthrange(y, last_m)[1])
        return first, last

    def age_range(self) -> tuple[float, float] | None:
        """Age at disappearance, from the birth date (or the reported age)."""
        rng = self.birth_range()
        if rng is not None and self.last_seen_date is not None:
            ref = self.last_seen_date
            lo = (ref - rng[1]).days / 365.25
            hi = (ref - rng[0]).days / 365.25
            return (max(0.0, round(lo, 1)), max(0.0, round(hi, 1)))
        if self.age_min is not None:
            return (float(self.age_min), float(self.age_max or self.age_min))
        return None

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class NameKey(FieldConstraintErrors, models.Model):
    """A search key of one name part: the Latin skeleton of a spelling.

    Family search and duplicate detection look people up by these keys.
    """

    person = models.ForeignKey(
        MissingPerson, on_delete=models.CASCADE, related_name="keys"
    )
    part = models.CharField(max_length=1)  # f(amily), g(iven), p(atronymic)
    key = models.CharField(max_length=80)

    constraint_fields = {
        "namekey_unique": "key",
        "namekey_part_valid": "part",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "part", "key"],
                name="namekey_unique",
                violation_error_message=_(
                    "This name key is already stored for the person."
                ),
            ),
            models.CheckConstraint(
                condition=Q(part__in=["f", "g", "p"]),
                name="namekey_part_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
        ]
        indexes = [
            # Family search and duplicate proposals: people by one key.
            models.Index(fields=["key", "part"]),
        ]

    def __str__(self) -> str:
        return f"{self.part}:{self.key}"


class PedigreeMember(FieldConstraintErrors, models.Model):
    """One person on a missing person's pedigree: the missing person, a relative
    who gives DNA, or an untyped member that connects them."""

    person = models.ForeignKey(
        MissingPerson,
        verbose_name=_("missing person"),
        on_delete=models.PROTECT,
        related_name="pedigree",
    )
    member_id = models.CharField(_("id in the family"), max_length=40)
    name = models.CharField(_("name"), max_length=200, blank=True)
    sex = models.PositiveSmallIntegerField(
        _("sex"),
        default=0,
        choices=[(0, _("unknown")), (1, _("male")), (2, _("female"))],
    )
    father = models.ForeignKey(
        "self",
        verbose_name=_("father"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    mother = models.ForeignKey(
        "self",
        verbose_name=_("mother"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_missing = models.BooleanField(_("the missing person"), default=False)
    relationship = models.CharField(
        _("relationship to the missing person"),
        max_length=24,
        choices=VocabChoices("donor_relationship"),
        blank=True,
    )

    constraint_fields = {
        "pedigree_member_id_unique": "member_id",
        "pedigree_one_missing_person": "is_missing",
        "pedigree_sex_valid": "sex",
        "pedigree_not_own_father": "father",
        "pedigree_not_own_mother": "mother",
    }

    class Meta:
        verbose_name = _("pedigree member")
        verbose_name_plural = _("pedigree members")
        ordering = ["person", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "member_id"],
                name="pedigree_member_id_unique",
                violation_error_message=_(
                    "Another family member of this case has this identifier."
                ),
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_missing=True),
                name="pedigree_one_missing_person",
                violation_error_message=_(
                    "The pedigree already has its missing person."
                ),
            ),
            models.CheckConstraint(
                condition=Q(sex__in=[0, 1, 2]),
                name="pedigree_sex_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=Q(father__isnull=True) | ~Q(father=F("pk")),
                name="pedigree_not_own_father",
                violation_error_message=_("A person cannot be their own father."),
            ),
            models.CheckConstraint(
                condition=Q(mother__isnull=True) | ~Q(mother=F("pk")),
                name="pedigree_not_own_mother",
                violation_error_message=_("A person cannot be their own mother."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.member_id


class ReferenceSample(FieldConstraintErrors, models.Model):
    """A relative's DNA reference sample (or a direct sample of the missing person)."""

    member = models.ForeignKey(
        PedigreeMember,
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="samples",
    )
    sample_id = models.CharField(_("sample id"), max_length=80)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    reference_kind = models.CharField(
        _("reference kind"),
        max_length=10,
        choices=VocabChoices("reference_kind"),
        default="kinship",
    )
    direct_source = models.CharField(
        _("direct source"),
        max_length=20,
        choices=VocabChoices("direct_source"),
        blank=True,
    )
    profile = models.ForeignKey(
        "dna.DNAProfile",
        verbose_name=_("DNA profile"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    consent_scope = models.JSONField(_("consent scope"), default=list, blank=True)
    consent_date = models.DateField(_("consent given on"), null=True, blank=True)
    consent_withdrawn_date = models.DateField(
        _("consent withdrawn on"), null=True, blank=True
    )
    consent_withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    collected = models.DateField(_("collected on"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    constraint_fields = {
        "reference_sample_id_unique_per_org": "sample_id",
        "reference_kind_valid": "reference_kind",
        "reference_withdrawal_has_reason": "consent_withdrawn_reason",
    }

    class Meta:
        verbose_name = _("reference sample")
        verbose_name_plural = _("reference samples")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sample_id"],
                name="reference_sample_id_unique_per_org",
                violation_error_message=_(
                    "Another sample of your organisation has this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(reference_kind__in=codes("reference_kind")),
                name="reference_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=Q(consent_withdrawn_date__isnull=True)
                | ~Q(consent_withdrawn_reason=""),
                name="reference_withdrawal_has_reason",
                violation_error_message=_("Say why consent was withdrawn."),
            ),
        ]

    def __str__(self) -> str:
        return self.sample_id

    @property
    def consent_active(self) -> bool:
        return self.consent_date is not None and self.consent_withdrawn_date is None


class ContactRequest(models.Model):
    """A family's request for contact left on the public family-search page."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        MissingPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_requests",
    )
    searched_name = models.CharField(_("name searched for"), max_length=300)
    searched_birth = models.CharField(_("date of birth searched for"), max_length=10)
    requester_name = models.CharField(_("your name"), max_length=200)
    requester_contact = models.CharField(_("how to reach you"), max_length=300)
    message = models.TextField(_("message"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    handled = models.BooleanField(_("handled"), default=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        ordering = ["-created"]
        indexes = [
            # Liaison officers' list: open requests of their organisation.
            models.Index(fields=["organisation", "handled"]),
        ]

    def __str__(self) -> str:
        return f"contact request #{self.pk}"


class SearchCounter(FieldConstraintErrors, models.Model):
    """Public family searches in one time window, per client and overall.

    Counted with one conditional UPDATE (``count < limit``), which both
    databases apply atomically, so parallel searches cannot pass the limit.
    ``key`` is a keyed hash of the client address (never the address itself)
    or ``"*"`` for all clients together.
    """

    key = models.CharField(max_length=64)
    window = models.BigIntegerField()  # the window's start, seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    constraint_fields = {
        "searchcounter_one_per_window": "window",
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window"],
                name="searchcounter_one_per_window",
                violation_error_message=_(
                    "The search counter was created at the same moment; try again."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]}@{self.window}: {self.count}"


class PhotoKind(models.TextChoices):
    FACE = "face", _("Face")
    SMILE = "smile", _("Smile (teeth visible)")
    TATTOO = "tattoo", _("Tattoo")
    OTHER = "other", _("Other")


class MissingPhoto(FieldConstraintErrors, Withdrawable):
    """An ante-mortem photo given by the family.

    The file lives in the content-addressed store of the evidence files
    (``EVIDENCE_ROOT/ab/cd/<sha256>``, see :mod:`imena.evidence.storage`).
    Photos are never shown on the public family search.
    """

    person = models.ForeignKey(
        MissingPerson,
        verbose_name=_("missing person"),
        on_delete=models.PROTECT,
        related_name="photos",
    )
    kind = models.CharField(
        _("kind of photo"), max_length=10, choices=PhotoKind.choices
    )
    taken_on = models.DateField(_("date taken"), null=True, blank=True)
    consent_use = models.BooleanField(
        _("consent to use for identification"),
        default=False,
        help_text=_(
            "The family agrees that the photo is used to compare with the remains."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    original_name = models.CharField(
        _("original file name"), max_length=255, blank=True
    )
    media_type = models.CharField(_("file type"), max_length=60)
    width = models.PositiveIntegerField(_("width (px)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height (px)"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    reason_required = _("Say why the photo is withdrawn.")

    constraint_fields = {
        "missingphoto_kind_valid": "kind",
        "missingphoto_has_file": "sha256",
        "missingphoto_withdrawal_has_reason": "withdrawn_reason",
        "missingphoto_once_per_person": "sha256",
    }

    class Meta:
        verbose_name = _("ante-mortem photo")
        verbose_name_plural = _("ante-mortem photos")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PhotoKind.values),
                name="missingphoto_kind_valid",
                violation_error_message=_("Choose one of the listed values."),
            ),
            models.CheckConstraint(
                condition=~Q(sha256=""),
                name="missingphoto_has_file",
                violation_error_message=_("A photo needs a file."),
            ),
            withdrawal_has_reason("missingphoto"),
            models.UniqueConstraint(
                fields=["person", "sha256"],
                condition=Q(withdrawn=False),
                name="missingphoto_once_per_person",
                violation_error_message=_(
                    "This photo is already stored for the person."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.case_no}: {self.kind}"
