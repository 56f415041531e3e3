from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from imena.dna.models import ProfileKind
from imena.dna.screening import MUTATION_CHOICES


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
