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


class SurveyUploadForm(forms.Form):
    MAX_BYTES = 2 * 1024 * 1024

    file = forms.FileField(
        label=_("Survey file (CSV grave, lat, lon; GeoJSON; GPX)"),
        help_text=_(
            "One row per grave: its number as on the marker (or register number), "
            "latitude and longitude in WGS84 decimal degrees."
        ),
    )
    epsg = forms.IntegerField(
        label=_("EPSG code (for easting/northing columns)"),
        required=False,
        help_text=_("For example 32637 for UTM zone 37N. Not needed for lat/lon."),
    )
    reason = forms.CharField(
        label=_("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        self.filename = str(upload.name)
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from None


class SurveyConfirmForm(forms.Form):
    csv = forms.CharField(widget=forms.HiddenInput, strip=False)
    epsg = forms.IntegerField(widget=forms.HiddenInput, required=False)
    filename = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(widget=forms.HiddenInput)
