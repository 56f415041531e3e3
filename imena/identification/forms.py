from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imena.dna.models import ProfileKind
from imena.identification.models import FamilyNotification, PrimaryIdentifier
from imena.identification.screening import MUTATION_CHOICES


class ProposeForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    primary_identifier = forms.ChoiceField(
        label=_("Dental or fingerprint comparison that identifies"),
        required=False,
        choices=[
            ("", _("none recorded (DNA is read from the evidence)")),
            (PrimaryIdentifier.DENTAL, PrimaryIdentifier.DENTAL.label),
            (PrimaryIdentifier.FINGERPRINTS, PrimaryIdentifier.FINGERPRINTS.label),
        ],
    )
    primary_reference = forms.CharField(
        label=_("Comparison report"),
        required=False,
        max_length=300,
        help_text=_("Reference of the odontologist's or fingerprint expert's report."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the proposal carries warnings."),
    )


class ConfirmForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    acknowledge_warnings = forms.BooleanField(
        label=_("I have read the warnings above and confirm this identification."),
        required=False,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class OverrideForm(forms.Form):
    key = forms.CharField(label=_("Exclusion set aside"), max_length=120)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ComputeForm(forms.Form):
    p_unlisted = forms.FloatField(
        label=_("Prior of “none of these” (empty: estimate from the journals)"),
        required=False,
        min_value=0,
        max_value=0.99,
    )


class NotificationForm(forms.ModelForm):
    class Meta:
        model = FamilyNotification
        fields = [
            "notified_by",
            "notified_whom",
            "relationship",
            "notified_on",
            "method",
            "notes",
        ]
        widgets = {
            "notified_on": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class ScreeningForm(forms.Form):
    threshold = forms.FloatField(
        label=_("LR threshold"),
        initial=1e4,
        min_value=1e-300,
        help_text=_("Candidates with an LR at or above it are kept."),
    )
    top_k = forms.IntegerField(
        label=_("Candidates kept per body"), initial=5, min_value=1, max_value=50
    )
    dropout = forms.FloatField(
        label=_("Allele drop-out probability"),
        initial=0.0,
        min_value=0.0,
        max_value=0.99,
        help_text=_("For degraded post-mortem samples, e.g. 0.05."),
    )
    theta = forms.FloatField(
        label=_("Theta (co-ancestry)"), initial=0.0, min_value=0.0, max_value=0.99
    )
    mutation = forms.ChoiceField(
        label=_("Mutation model"),
        choices=[(m, m) for m in MUTATION_CHOICES],
        initial="none",
    )
    mutation_rate = forms.FloatField(
        label=_("Mutation rate"), initial=0.0, min_value=0.0, max_value=0.99
    )


class ProfileUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Profiles of"), choices=ProfileKind.choices)
    file = forms.FileField(
        label=_("Profile file"),
        help_text=_(
            "GeneMapper-style CSV (Sample Name, Marker, Allele 1, Allele 2) or the "
            "dvi-examples JSON (“pm” or “am”). Sample names must be the sample ids "
            "already recorded."
        ),
    )
