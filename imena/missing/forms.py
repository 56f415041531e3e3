from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from imena.missing.models import MissingPerson, PedigreeMember, PhotoKind, Status
from imena.missing.search import parse_birth, query_problem
from imena.missing.services import SECTION_FIELDS
from imena.missing.vocab import field_label, vchoices

REPORT_FORM_FIELDS = [
    "family_name",
    "family_name_unknown",
    "given_names",
    "patronymic",
    "aliases",
    "sex",
    "age_min",
    "age_max",
    "place_of_birth",
    "home_city",
    "home_street",
    "home_region",
    "home_country",
    "last_seen_date",
    "last_seen_place",
    "circumstances",
    "circumstances_text",
    "stature_cm",
    "stature_source",
    "build",
    "handedness",
    "hair_colour",
    "hair_length",
    "hair_style",
    "facial_hair",
    "eye_colour",
    "particulars_asked",
    "medical_notes",
    "dentist",
    "dental_as_of",
    "description",
    "reporter_name",
    "reporter_relationship",
    "reporter_contact",
    "consent_identification",
    "consent_dna",
    "consent_publication",
    "consent_date",
    "consent_withdrawn_date",
]


class DateInput(forms.DateInput):
    input_type = "date"


class ReportForm(forms.ModelForm):
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        required=False,
        max_length=10,
        help_text=_("Year (1961), year and month (1961-11) or full date (1961-11-06)."),
    )

    class Meta:
        model = MissingPerson
        fields = REPORT_FORM_FIELDS
        widgets = {
            "last_seen_date": DateInput(),
            "consent_date": DateInput(),
            "consent_withdrawn_date": DateInput(),
            "aliases": forms.Textarea(attrs={"rows": 2}),
            "circumstances_text": forms.Textarea(attrs={"rows": 3}),
            "medical_notes": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The services give the precise messages; the form only parses.
        self.fields["family_name"].required = False
        self.fields["reporter_name"].required = True
        if self.instance.pk:
            self.initial.setdefault("date_of_birth", self.instance.date_of_birth)

    def clean_date_of_birth(self) -> tuple[int | None, int | None, int | None]:
        text = self.cleaned_data["date_of_birth"].strip()
        if not text:
            return (None, None, None)
        parsed = parse_birth(text)
        if parsed is None:
            raise forms.ValidationError(
                _("Write the date of birth as 1961, 1961-11 or 1961-11-06.")
            )
        return parsed

    def _post_clean(self) -> None:
        # Model validation runs in the service (with the derived fields).
        pass

    def report_fields(self) -> dict[str, Any]:
        data = {k: self.cleaned_data[k] for k in REPORT_FORM_FIELDS}
        y, m, d = self.cleaned_data["date_of_birth"]
        data.update(birth_year=y, birth_month=m, birth_day=d)
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectionForm(ReportForm):
    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(forms.Form):
    into = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why these reports are the same person"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


#: Section fields that are not vocabulary fields.
PLAIN_LABELS = {
    "bone": _("bone"),
    "description": _("description"),
    "number": _("number"),
    "serial": _("serial or document number"),
    "size_eu": _("size (EU)"),
    "subtype": _("subtype"),
    "year": _("year"),
}


def _field_or_name(key: str) -> str:
    """A section field's label in the active language."""
    if key in PLAIN_LABELS:
        return str(PLAIN_LABELS[key])
    try:
        return field_label(key)
    except KeyError:
        return key.replace("_", " ")


#: Labels of the section forms follow the language of each request (the forms
#: are built once, at import).
lazy_field_label = lazy(_field_or_name, str)


def section_form(section: str) -> type[forms.Form]:
    """A small form for one row of a repeating section, from the vocabulary."""
    attrs: dict[str, forms.Field] = {}
    for name, (kind, multi, required) in SECTION_FIELDS[section].items():
        if kind == "text":
            f: forms.Field = forms.CharField(
                label=lazy_field_label(name), required=required, max_length=200
            )
        elif kind in ("int", "fdi"):
            f = forms.IntegerField(
                label=_("FDI tooth") if kind == "fdi" else lazy_field_label(name),
                required=required,
            )
        elif kind == "float":
            f = forms.FloatField(label=lazy_field_label(name), required=required)
        elif multi:
            f = forms.MultipleChoiceField(
                label=lazy_field_label(kind),
                choices=vchoices(kind),
                required=required,
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            choices = vchoices(kind) if required else [("", "—"), *vchoices(kind)]
            f = forms.ChoiceField(
                label=lazy_field_label(kind), choices=choices, required=required
            )
        attrs[name] = f
    return type(f"{section.title()}Form", (forms.Form,), attrs)


SECTION_FORMS = {s: section_form(s) for s in SECTION_FIELDS}


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    sex = forms.TypedChoiceField(
        label=_("Sex"),
        coerce=int,
        choices=[(1, _("male")), (2, _("female")), (0, _("unknown"))],
    )
    relationship = forms.ChoiceField(
        label=_("Relationship to the missing person"),
        required=False,
        choices=[("", "—"), *vchoices("donor_relationship")],
    )
    father = forms.ModelChoiceField(
        label=_("Father"), required=False, queryset=PedigreeMember.objects.none()
    )
    mother = forms.ModelChoiceField(
        label=_("Mother"), required=False, queryset=PedigreeMember.objects.none()
    )
    parent_of = forms.ModelChoiceField(
        label=_("Is the father or mother of"),
        required=False,
        queryset=PedigreeMember.objects.none(),
    )

    def __init__(self, *args: Any, person: MissingPerson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = person.pedigree.all()
        for name in ("father", "mother", "parent_of"):
            self.fields[name].queryset = qs  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = lambda m: (  # type: ignore[attr-defined]
                f"{m.member_id} {m.name}".strip()
            )


class SampleForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Donor (pedigree member)"), queryset=PedigreeMember.objects.none()
    )
    sample_id = forms.CharField(label=_("Sample id"), max_length=80)
    consent_scope = forms.MultipleChoiceField(
        label=_("Consent given for"),
        choices=vchoices("consent_purpose"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent_date = forms.DateField(label=_("Consent given on"), widget=DateInput)
    profile_file = forms.FileField(
        label=_("Profile (GeneMapper CSV export)"),
        required=False,
        help_text=_("Optional. One sample per file, or the sample named by its id."),
    )

    def __init__(self, *args: Any, person: MissingPerson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = person.pedigree.filter(is_missing=False)  # type: ignore[attr-defined]
        field.label_from_instance = lambda m: " · ".join(  # type: ignore[attr-defined]
            x for x in (m.member_id, m.name, str(m.get_relationship_display())) if x
        )


class CaseImportForm(forms.Form):
    case_file = forms.FileField(label=_("DVI case JSON (dvi-examples format)"))
    family = forms.CharField(label=_("Family name in the file"), max_length=80)
    missing_id = forms.CharField(
        label=_("Id of this report's missing person in the file"),
        max_length=80,
        required=False,
        help_text=_("Needed only when the family has several."),
    )


class FamilySearchForm(forms.Form):
    name = forms.CharField(
        label=_("Full name of the missing person"),
        max_length=200,
        help_text=_("Surname and given name, in any spelling, Cyrillic or Latin."),
    )
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        max_length=10,
        help_text=_("1961-11-06, 06.11.1961 or only the year, 1961."),
    )

    def clean_date_of_birth(self) -> tuple[int, int | None, int | None]:
        parsed = parse_birth(self.cleaned_data["date_of_birth"])
        if parsed is None:
            raise forms.ValidationError(
                _("Write the date of birth as 1961-11-06, 06.11.1961 or 1961.")
            )
        return parsed

    def clean(self) -> dict[str, Any]:
        """One person per search (#19 row 7): two or three words, and the
        patronymic when the date of birth is not complete."""
        data = super().clean() or {}
        name, birth = data.get("name"), data.get("date_of_birth")
        if name and birth:
            problem = query_problem(name, birth)
            if problem == "words":
                self.add_error(
                    "name",
                    _(
                        "Write one person's surname and given name, and the "
                        "patronymic if you know it: two or three words."
                    ),
                )
            elif problem == "patronymic":
                self.add_error(
                    "name",
                    _(
                        "With only the year or month of birth, also write the "
                        "patronymic, or give the full date of birth."
                    ),
                )
        return data


class ContactRequestForm(FamilySearchForm):
    requester_name = forms.CharField(label=_("Your name"), max_length=200)
    requester_contact = forms.CharField(
        label=_("How we can reach you (phone or e-mail)"), max_length=300
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class PhotoForm(forms.Form):
    file = forms.FileField(
        label=_("Photo (JPEG, PNG or TIFF)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/tiff"}
        ),
    )
    kind = forms.ChoiceField(label=_("Kind of photo"), choices=PhotoKind.choices)
    taken_on = forms.DateField(
        label=_("Date taken"), required=False, widget=DateInput()
    )
    consent_use = forms.BooleanField(
        label=_("The family consents to its use for identification"), required=False
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PFIFImportForm(forms.Form):
    file = forms.FileField(label=_("PFIF 1.4 XML file"))
    lenient = forms.BooleanField(
        label=_("Import a readable file even if it is not schema-valid PFIF 1.4"),
        required=False,
    )
    mode = forms.ChoiceField(
        label=_("What to do"),
        initial="preview",
        widget=forms.RadioSelect,
        choices=[
            ("preview", _("Show what would be imported first")),
            ("import", _("Import now")),
        ],
    )
