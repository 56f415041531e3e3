from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imena.burials.models import Site
from imena.journals.models import DecisionKind
from linkage.io import FIELDS

FIELD_LABELS = {
    "row_id": _("Row number in the journal"),
    "grave": _("Grave number"),
    "site": _("Site"),
    "surname": _("Surname"),
    "given_name": _("Given name"),
    "patronymic": _("Patronymic"),
    "full_name": _("Full name in one column"),
    "birth_date": _("Birth date"),
    "age": _("Age"),
    "death_date": _("Death date"),
    "burial_date": _("Burial date"),
    "cause": _("Cause of death"),
    "brought_by": _("Who brought the body"),
    "notes": _("Notes"),
}


class JournalUploadForm(forms.Form):
    site: forms.ModelChoiceField[Site] = forms.ModelChoiceField(
        label=_("Site"), queryset=None
    )
    journal_name = forms.CharField(
        label=_("Journal"),
        max_length=120,
        help_text=_("E.g. “Funeral home journal”; a new name creates a journal."),
    )
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class MappingForm(forms.Form):
    """One select per field: which column of the file holds it."""

    def __init__(
        self, *args, headers: list[str], initial_mapping: dict[str, str], **kwargs
    ):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —")), *[(h, h) for h in headers]]
        for name in FIELDS:
            self.fields[f"map_{name}"] = forms.ChoiceField(
                label=FIELD_LABELS.get(name, name),
                choices=choices,
                required=False,
                initial=initial_mapping.get(name, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"map_{name}"]
            for name in FIELDS
            if self.cleaned_data.get(f"map_{name}")
        }


class DecisionForm(forms.Form):
    # No decision is preselected: the reviewer chooses one (#21 item 6).
    kind = forms.ChoiceField(
        label=_("Decision"),
        choices=[("", _("— choose a decision —")), *DecisionKind.choices],
    )
    row = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
