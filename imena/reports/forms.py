"""Forms of the report and map pages."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from imena.evidence.georef import WORLD_FILE_EXTENSIONS


class OrthophotoForm(forms.Form):
    """A georeferenced image of a site: a GeoTIFF, or a PNG/JPEG and its world file."""

    WORLD_FILE_MAX_BYTES = 4096

    image = forms.FileField(
        label=_("Orthophoto (GeoTIFF, PNG or JPEG)"),
        help_text=_(
            "A GeoTIFF carries its position; a PNG or JPEG needs its world file "
            "and an EPSG code."
        ),
    )
    world_file = forms.FileField(
        label=_("World file (.pgw, .jgw, .tfw, .wld)"), required=False
    )
    epsg = forms.IntegerField(
        label=_("EPSG code of the world file's coordinates"),
        required=False,
        min_value=1,
        max_value=999_999,
        help_text=_(
            "For example 32637 for UTM zone 37N or 4326 for latitude/longitude. "
            "Not needed for a GeoTIFF that names its own."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    place = forms.CharField(label=_("Where collected"), required=False, max_length=200)

    def clean_world_file(self) -> str:
        upload: UploadedFile | None = self.cleaned_data.get("world_file")
        if not upload:
            return ""
        name = str(upload.name or "")
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in WORLD_FILE_EXTENSIONS:
            raise forms.ValidationError(
                _("%(name)s is not a world file (.pgw, .jgw, .tfw or .wld).")
                % {"name": name}
            )
        if (upload.size or 0) > self.WORLD_FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("%(name)s is too large for a world file.") % {"name": name}
            )
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("%(name)s is not a text file.") % {"name": name}
            ) from None
