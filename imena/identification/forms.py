from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imena.identification.models import FamilyNotification


class ProposeForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
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
