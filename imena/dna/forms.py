from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imena.dna.models import ProfileKind


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
