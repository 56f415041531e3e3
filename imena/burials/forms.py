from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imena.burials.models import Grave, GraveKind, GraveStatus


class GraveFilterForm(forms.Form):
    q = forms.CharField(label=_("Marker or number"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *GraveStatus.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Any kind")), *GraveKind.choices],
    )


class GraveForm(forms.ModelForm):
    class Meta:
        model = Grave
        fields = [
            "marker_text",
            "kind",
            "bodies_expected",
            "lat",
            "lon",
            "x",
            "y",
            "notes",
        ]


class GraveCorrectionForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Grave
        fields = [
            "marker_text",
            "kind",
            "bodies_expected",
            "lat",
            "lon",
            "x",
            "y",
            "status",
            "notes",
        ]
