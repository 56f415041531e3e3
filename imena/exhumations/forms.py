"""Short forms, one per section, for a recorder entering findings on a phone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from imena.evidence.models import CustodyAction, EvidenceKind
from imena.evidence.storage import ALLOWED_EXTENSIONS
from imena.exhumations.models import (
    Body,
    BodyCategory,
    BodyItem,
    Exhumation,
    Injury,
    Particular,
    PostMortemRecord,
    Sample,
    ToothFinding,
)
from imena.exhumations.services import SECTIONS
from imena.exhumations.vocab import form_choices, is_valid_fdi


class VocabFormMixin:
    """Re-read vocabulary choices per form, so labels follow the active language."""

    fields: dict[str, forms.Field]

    def _refresh_vocab(self) -> None:
        model = self._meta.model  # type: ignore[attr-defined]
        for name, formfield in self.fields.items():
            try:
                mfield = model._meta.get_field(name)
            except Exception:
                continue
            if isinstance(getattr(mfield, "choices", None), CallableChoiceIterator):
                blank = [("", "—")] if mfield.blank else []
                formfield.choices = [*blank, *mfield.choices]  # type: ignore[attr-defined]


class ReasonMixin(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when changing a value already recorded."),
    )


class ExhumationForm(VocabFormMixin, forms.ModelForm):
    pm_numbers = forms.CharField(
        label=_("Post-mortem numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "IZM-PM-0123"}),
        help_text=_("One a line, one for each body or set of commingled remains."),
    )

    class Meta:
        model = Exhumation
        fields = [
            "date",
            "team",
            "conditions",
            "depth_cm",
            "container",
            "bodies_found",
            "notes",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "team": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refresh_vocab()

    def clean_pm_numbers(self) -> list[str]:
        numbers = [n.strip() for n in self.cleaned_data["pm_numbers"].splitlines()]
        numbers = [n for n in numbers if n]
        seen: set[str] = set()
        for n in numbers:
            if n in seen:
                raise forms.ValidationError(
                    _("Post-mortem number %(number)s is listed twice."),
                    params={"number": n},
                )
            seen.add(n)
        return numbers


class BodyForm(VocabFormMixin, forms.ModelForm):
    class Meta:
        model = Body
        fields = ["pm_number", "kind", "body_position", "articulation", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refresh_vocab()

    def validate_unique(self) -> None:
        # The service checks the number against the organisation's bodies.
        pass

    def _post_clean(self) -> None:
        # The organisation and exhumation are set by the service.
        pass


def _section_form(section: str) -> type[forms.ModelForm]:
    widgets: dict[str, Any] = {"findings": forms.Textarea(attrs={"rows": 8})}
    extra: dict[str, Any] = {}
    if section == "torture":
        extra["torture_indicators"] = forms.MultipleChoiceField(
            label=_("Other torture indicators (Istanbul Protocol)"),
            required=False,
            choices=form_choices("torture_indicator", blank=False),
            widget=forms.CheckboxSelectMultiple,
        )

    class Meta:
        model = PostMortemRecord
        fields = list(SECTIONS[section])

    Meta.widgets = widgets  # type: ignore[attr-defined]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        forms.ModelForm.__init__(self, *args, **kwargs)
        self._refresh_vocab()
        for name in ("age_min", "age_max", "stature_min", "stature_max"):
            if name in self.fields:
                self.fields[name].widget.attrs["inputmode"] = "numeric"

    def _post_clean(self: Any) -> None:
        # Range constraints are checked by the service's full_clean, on the
        # stored record; here only the pair entered together.
        data = self.cleaned_data
        for low, high in (("age_min", "age_max"), ("stature_min", "stature_max")):
            lo, hi = data.get(low), data.get(high)
            if lo is not None and hi is not None and lo > hi:
                self.add_error(high, _("Must not be lower than the value before it."))

    attrs = {"Meta": Meta, "__init__": __init__, "_post_clean": _post_clean, **extra}
    return type(
        f"{section.title()}SectionForm",
        (VocabFormMixin, forms.ModelForm, ReasonMixin),
        attrs,
    )


SECTION_FORMS: dict[str, type[forms.ModelForm]] = {
    s: _section_form(s) for s in SECTIONS
}


class _ItemForm(VocabFormMixin, forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refresh_vocab()

    def _post_clean(self) -> None:
        # The body is set by the service, which also runs full_clean().
        pass


class ParticularForm(_ItemForm):
    subtype = forms.ChoiceField(
        label=_("Subtype"),
        required=False,
        choices=lambda: [
            ("", "—"),
            *form_choices("scar_cause", blank=False)(),
            *form_choices("amputation_level", blank=False)(),
            *form_choices("prosthesis_type", blank=False)(),
            *form_choices("implant_type", blank=False)(),
            *form_choices("fracture_state", blank=False)(),
        ],
    )

    class Meta:
        model = Particular
        fields = ["kind", "region", "side", "subtype", "serial", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ToothForm(_ItemForm):
    tooth = forms.IntegerField(
        label=_("Tooth (FDI)"),
        help_text=_("Two digits: 11–48, deciduous 51–85."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    endodontics = forms.MultipleChoiceField(
        label=_("Endodontics"),
        required=False,
        choices=form_choices("endodontics", blank=False),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ToothFinding
        fields = [
            "tooth",
            "status",
            "restoration",
            "surfaces",
            "crown",
            "bridge",
            "implant",
            "endodontics",
            "notes",
        ]

    def clean_tooth(self) -> int:
        tooth = self.cleaned_data["tooth"]
        if not is_valid_fdi(tooth):
            raise forms.ValidationError(
                _(
                    "%(tooth)s is not an FDI tooth number (11–48 permanent, 51–85 "
                    "deciduous)."
                ),
                params={"tooth": tooth},
            )
        return int(tooth)


class ClothingForm(_ItemForm):
    category = forms.ChoiceField(
        label=_("Category"), choices=form_choices("clothing_category")
    )
    colours = forms.MultipleChoiceField(
        label=_("Colours"),
        required=False,
        choices=form_choices("colour", blank=False),
        widget=forms.CheckboxSelectMultiple,
    )
    material = forms.ChoiceField(
        label=_("Material"), required=False, choices=form_choices("material")
    )

    class Meta:
        model = BodyItem
        fields = [
            "category",
            "colours",
            "pattern",
            "material",
            "size_eu",
            "label_text",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class EffectForm(_ItemForm):
    category = forms.ChoiceField(label=_("Effect"), choices=form_choices("effect"))

    class Meta:
        model = BodyItem
        fields = [
            "category",
            "material",
            "label_text",
            "serial",
            "location_on_body",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class DocumentForm(_ItemForm):
    category = forms.ChoiceField(
        label=_("Document type"), choices=form_choices("identity_document")
    )

    class Meta:
        model = BodyItem
        fields = [
            "category",
            "serial",
            "name_on_item",
            "location_on_body",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class InjuryForm(_ItemForm):
    class Meta:
        model = Injury
        fields = [
            "region",
            "side",
            "mechanism",
            "timing",
            "gunshot_wound",
            "gunshot_range",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


ITEM_FORMS: dict[str, type[forms.ModelForm]] = {
    "particulars": ParticularForm,
    "dental": ToothForm,
    "clothing": ClothingForm,
    "effects": EffectForm,
    "documents": DocumentForm,
    "injuries": InjuryForm,
}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CategoryForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Civilian or military"), choices=BodyCategory.choices
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when changing a civilian or military reading already recorded."
        ),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it withdrawn?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a record made in error. It is kept and shown as withdrawn."),
    )


class ReadingForm(forms.Form):
    prosecutor = forms.CharField(label=_("Prosecutor"), max_length=200)
    present = forms.CharField(
        label=_("Others present"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SampleForm(VocabFormMixin, forms.ModelForm):
    class Meta:
        model = Sample
        fields = [
            "sample_id",
            "sample_type",
            "bone_element",
            "tooth",
            "taken_by",
            "taken_on",
            "lab",
            "sent_on",
            "status",
        ]
        widgets = {
            "taken_on": forms.DateInput(attrs={"type": "date"}),
            "sent_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refresh_vocab()

    def clean_tooth(self) -> int | None:
        tooth = self.cleaned_data.get("tooth")
        if tooth is not None and not is_valid_fdi(tooth):
            raise forms.ValidationError(
                _("%(tooth)s is not an FDI tooth number."), params={"tooth": tooth}
            )
        return tooth

    def _post_clean(self) -> None:
        pass


class ProfileUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Profile file"),
        help_text=_("GeneMapper-style CSV, or the JSON case format (its “pm” part)."),
    )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Accepted: %(types)s.") % {"types": ", ".join(ALLOWED_EXTENSIONS)},
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join("." + e for e in ALLOWED_EXTENSIONS)}
        ),
    )
    body = forms.ModelChoiceField(
        label=_("Body"), required=False, queryset=Body.objects.none()
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    seal_number = forms.CharField(label=_("Seal number"), required=False, max_length=80)
    place = forms.CharField(label=_("Where"), required=False, max_length=200)

    def __init__(self, *args: Any, bodies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            self.fields["body"].queryset = bodies  # type: ignore[attr-defined]


class CustodyForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            c
            for c in CustodyAction.choices
            if c[0] not in (CustodyAction.COLLECTED, CustodyAction.REFERENCED)
        ],
    )
    to_person = forms.CharField(label=_("To"), max_length=200)
    from_person = forms.CharField(
        label=_("From"),
        max_length=200,
        required=False,
        help_text=_("Empty: the current holder."),
    )
    place = forms.CharField(label=_("Where"), max_length=200, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)
    seal_number = forms.CharField(label=_("Seal number"), max_length=80, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
