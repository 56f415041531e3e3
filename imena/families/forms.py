"""Forms of the family pages (public) and of the liaison queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from imena.families.models import AdditionKind, PublicReport
from imena.missing.search import parse_birth
from imena.missing.vocab import vchoices

#: Longest free text accepted in one field of the public form.
MAX_TEXT = 4000
#: Rows of clothing and of personal effects on the public form.
CLOTHING_ROWS, EFFECT_ROWS = 3, 2
#: Photos on the public form.
PHOTO_FIELDS = ("photo_1", "photo_2", "photo_3")


def _blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


class DateInput(forms.DateInput):
    input_type = "date"


class PublicReportForm(forms.ModelForm):
    """The family's report, in steps (the template groups the fields)."""

    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        max_length=10,
        required=False,
        help_text=_("1961-11-06, 06.11.1961 or only the year, 1961."),
    )
    dna_relatives = forms.MultipleChoiceField(
        label=_("Relatives who could give a DNA reference sample"),
        choices=vchoices("donor_relationship"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    consent_search = forms.BooleanField(
        label=_(
            "I agree that the staff of the forensic teams search for my relative "
            "with this report and compare it with what they find."
        ),
        required=True,
    )
    consent_dna = forms.BooleanField(
        label=_(
            "I agree that DNA reference samples given by the family are compared "
            "for identification."
        ),
        required=False,
    )
    consent_sharing = forms.BooleanField(
        label=_(
            "I agree that the report is shared with other organisations searching "
            "for missing persons."
        ),
        required=False,
    )
    consent_notify = forms.BooleanField(
        label=_("Send me an e-mail when there is news in the case."),
        required=False,
    )
    # A field people never see (hidden by the stylesheet); robots fill it.
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200
    )

    class Meta:
        model = PublicReport
        fields = [
            "family_name",
            "family_name_unknown",
            "given_names",
            "patronymic",
            "aliases",
            "sex",
            "last_seen_date",
            "last_seen_place",
            "circumstances",
            "circumstances_text",
            "stature_cm",
            "build",
            "hair_colour",
            "eye_colour",
            "marks",
            "description",
            "medical_notes",
            "dental_notes",
            "dentist",
            "reporter_name",
            "reporter_relationship",
            "reporter_phone",
            "reporter_email",
            "reporter_address",
            "dna_relatives_note",
        ]
        widgets = {
            "last_seen_date": DateInput(),
            "aliases": forms.Textarea(attrs={"rows": 2}),
            "circumstances_text": forms.Textarea(attrs={"rows": 3}),
            "marks": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "medical_notes": forms.Textarea(attrs={"rows": 2}),
            "dental_notes": forms.Textarea(attrs={"rows": 2}),
            "dna_relatives_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.max_length = MAX_TEXT  # type: ignore[attr-defined]
                field.validators.append(MaxLengthValidator(MAX_TEXT))
                field.widget.attrs["maxlength"] = str(MAX_TEXT)
        self.fields["stature_cm"].widget.attrs.update(min="40", max="250")
        self.fields["website"].widget.attrs.update(autocomplete="off", tabindex="-1")
        self.fields["reporter_email"].help_text = _(
            "Needed only for the e-mail about news in the case."
        )
        for i in range(1, CLOTHING_ROWS + 1):
            self.fields[f"clothing_{i}_category"] = forms.ChoiceField(
                label=_("Garment"),
                choices=_blank(vchoices("clothing_category")),
                required=False,
            )
            self.fields[f"clothing_{i}_colour"] = forms.ChoiceField(
                label=_("Colour"), choices=_blank(vchoices("colour")), required=False
            )
            self.fields[f"clothing_{i}_text"] = forms.CharField(
                label=_("Label, brand, other details"), max_length=200, required=False
            )
        for i in range(1, EFFECT_ROWS + 1):
            self.fields[f"effect_{i}_category"] = forms.ChoiceField(
                label=_("Item"), choices=_blank(vchoices("effect")), required=False
            )
            self.fields[f"effect_{i}_text"] = forms.CharField(
                label=_("Description, engraving"), max_length=200, required=False
            )
        for name in PHOTO_FIELDS:
            self.fields[name] = forms.FileField(
                label=_("Photo"),
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/jpeg,image/png,image/webp"}
                ),
            )

    def rows(self, prefix: str, count: int) -> list[list[forms.BoundField]]:
        """The bound fields of each clothing or effect row, for the template."""
        return [
            [self[n] for n in self.fields if n.startswith(f"{prefix}_{i}_")]
            for i in range(1, count + 1)
        ]

    def clothing_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("clothing", CLOTHING_ROWS)

    def effect_rows(self) -> list[list[forms.BoundField]]:
        return self.rows("effect", EFFECT_ROWS)

    def clean_date_of_birth(self) -> tuple[int, int | None, int | None] | None:
        text = self.cleaned_data.get("date_of_birth", "").strip()
        if not text:
            return None
        parsed = parse_birth(text)
        if parsed is None:
            raise forms.ValidationError(
                _("Write the date of birth as 1961-11-06, 06.11.1961 or 1961.")
            )
        year, month, day = parsed
        today = timezone.localdate()
        if not 1900 <= year <= today.year or (month and not 1 <= month <= 12):
            raise forms.ValidationError(_("This date of birth is not possible."))
        if day and not 1 <= day <= 31:
            raise forms.ValidationError(_("This date of birth is not possible."))
        return parsed

    def clean_last_seen_date(self) -> Any:
        value = self.cleaned_data.get("last_seen_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("family_name") or "").strip() and not data.get(
            "family_name_unknown"
        ):
            self.add_error(
                "family_name",
                _("Write the surname, or tick “surname unknown”."),
            )
        if not any(
            (data.get(f) or "").strip()
            for f in ("reporter_phone", "reporter_email", "reporter_address")
        ):
            self.add_error(
                "reporter_phone",
                _("Give at least one way to reach you: telephone, e-mail or address."),
            )
        if data.get("consent_notify") and not data.get("reporter_email"):
            self.add_error(
                "reporter_email", _("Give an e-mail address for the news by e-mail.")
            )
        # The model's own checks (run next) need the birth date in its parts.
        birth = data.get("date_of_birth")
        if birth:
            inst = self.instance
            inst.birth_year, inst.birth_month, inst.birth_day = birth
        return data

    def report_fields(self) -> dict[str, Any]:
        """The draft's fields for :func:`services.public_report_submit`."""
        data = self.cleaned_data
        out = {name: data[name] for name in self.Meta.fields}
        birth = data.get("date_of_birth") or (None, None, None)
        out["birth_year"], out["birth_month"], out["birth_day"] = birth
        out["dna_relatives"] = list(data.get("dna_relatives") or [])
        out["clothing"] = [
            {
                "category": data[f"clothing_{i}_category"],
                "colours": [data[f"clothing_{i}_colour"]]
                if data[f"clothing_{i}_colour"]
                else [],
                "label_text": data[f"clothing_{i}_text"],
            }
            for i in range(1, CLOTHING_ROWS + 1)
            if data.get(f"clothing_{i}_category")
        ]
        out["effects"] = [
            {
                "category": data[f"effect_{i}_category"],
                "description": data[f"effect_{i}_text"],
            }
            for i in range(1, EFFECT_ROWS + 1)
            if data.get(f"effect_{i}_category")
        ]
        return out

    def consents(self) -> list[str]:
        return [
            use
            for use in ("search", "dna", "sharing", "notify")
            if self.cleaned_data.get(f"consent_{use}")
        ]


class AdditionForm(forms.Form):
    """What the family adds on its case page."""

    kind = forms.ChoiceField(
        label=_("What do you want to add?"),
        choices=AdditionKind.choices,
        widget=forms.RadioSelect,
        initial=AdditionKind.INFORMATION,
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": str(MAX_TEXT)}),
    )
    relationship = forms.ChoiceField(
        label=_("The relative's relationship to the missing person"),
        choices=_blank(vchoices("donor_relationship")),
        required=False,
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}
        ),
    )


class ConsentWithdrawForm(forms.Form):
    use = forms.CharField(max_length=10)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(ReasonForm):
    into = forms.CharField(
        label=_("AM case number of the existing report"), max_length=40
    )
