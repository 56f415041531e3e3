"""Records owned by one organisation: the field every access function filters on."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationOwned(models.Model):
    """A record of one organisation; other organisations never see it.

    The access functions (``<app>/access.py``) filter on ``organisation``
    with the user's organisation and answer 404 otherwise.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True
