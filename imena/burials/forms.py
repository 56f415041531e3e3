from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from imena.burials.models import Grave, GraveKind, GraveStatus
from imena.burials.numbering import normalise_grave_number


class GraveFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Marker, number or name"), required=False, max_length=100
    )
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


class PositionFields(forms.ModelForm):
    """Latitude and longitude in range, as a message at the field (not a constraint)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, bound in (("lat", 90), ("lon", 180)):
            field = self.fields[name]
            field.min_value, field.max_value = -bound, bound  # type: ignore[attr-defined]
            field.validators += [MinValueValidator(-bound), MaxValueValidator(bound)]
            field.widget.attrs.update({"min": -bound, "max": bound, "step": "any"})


class GraveForm(PositionFields):
    """Registering a grave by hand: a marker, and a position or "none recorded".

    A marker already used by another grave of the site is shown with a link to
    that grave; registering it again needs a reason (kept in the notes).
    """

    no_position = forms.BooleanField(
        label=_("No position recorded yet"),
        required=False,
        help_text=_("Tick when neither GPS nor site-plan coordinates were taken."),
    )
    duplicate_reason = forms.CharField(
        label=_("Why register this marker again"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
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
            "notes",
        ]

    def __init__(self, *args: Any, site: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["marker_text"].required = True
        self.duplicates: list[Grave] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon, x, y = (data.get(k) for k in ("lat", "lon", "x", "y"))
        if (lat is None) != (lon is None):
            self.add_error(
                "lon" if lon is None else "lat", _("Give both latitude and longitude.")
            )
        if (x is None) != (y is None):
            self.add_error("y" if y is None else "x", _("Give both x and y."))
        has_position = (lat is not None and lon is not None) or (
            x is not None and y is not None
        )
        if not has_position and not data.get("no_position"):
            self.add_error(
                "no_position",
                _(
                    "Give a position (latitude and longitude, or x and y on the site "
                    "plan), or tick “No position recorded yet”."
                ),
            )
        marker = (data.get("marker_text") or "").strip()
        if self.site is not None and marker:
            self.duplicates = same_marker(self.site, marker)
            if self.duplicates and not (data.get("duplicate_reason") or "").strip():
                self.add_error(
                    "duplicate_reason",
                    _(
                        "Another grave of this site has this marker (%(graves)s). "
                        "Say why this is a different grave to register it anyway."
                    )
                    % {"graves": ", ".join(str(g) for g in self.duplicates)},
                )
        return data

    def grave_data(self) -> dict[str, Any]:
        """The cleaned data for ``grave_create``, the duplicate's reason in the notes."""
        data = dict(self.cleaned_data)
        data.pop("no_position", None)
        reason = data.pop("duplicate_reason", "").strip()
        if reason and self.duplicates:
            note = _(
                "Registered although %(graves)s has the same marker: %(reason)s"
            ) % {
                "graves": ", ".join(g.ref for g in self.duplicates),
                "reason": reason,
            }
            data["notes"] = "\n".join(n for n in (data.get("notes", ""), note) if n)
        return data


def same_marker(site: Any, marker: str) -> list[Grave]:
    """The site's graves (not withdrawn) whose marker or derived number is this one's."""
    number = normalise_grave_number(marker)
    cond = Q(marker_text__iexact=marker)
    if number:
        cond |= Q(number=number)
    return list(site.graves.filter(withdrawn=False).filter(cond).order_by("ref")[:5])


class GraveCorrectionForm(PositionFields):
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
