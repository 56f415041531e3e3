"""What argues against proposing a candidate, in numbers (issue #21, item 1).

A proposal is safeguarded when its posterior is at least
``IMENA_PROPOSE_MIN_POSTERIOR`` and it rests on a primary identifier: DNA (the
candidate's DNA LR at least ``IMENA_PRIMARY_DNA_LR``) or a dental or fingerprint
comparison that the proposer records as identifying, with its report. Otherwise
the proposer must justify it in writing, the confirming examiner must acknowledge
the same warnings explicitly, and without a primary identifier the identification
stays presumptive (the family is not notified of it as confirmed).

Warnings are stored as codes with their numbers, so they read in either language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from imena.identification.models import Candidate, PrimaryIdentifier

LOW_POSTERIOR = "low_posterior"
NO_PRIMARY = "no_primary"


def primary_identifier(candidate: Candidate, recorded: str = "") -> str:
    """DNA when the DNA LR reaches the threshold, else what the proposer recorded."""
    if candidate.lr_dna >= settings.IMENA_PRIMARY_DNA_LR:
        return PrimaryIdentifier.DNA
    if recorded in (PrimaryIdentifier.DENTAL, PrimaryIdentifier.FINGERPRINTS):
        return recorded
    return PrimaryIdentifier.NONE


def warnings_for(candidate: Candidate, primary: str) -> list[dict[str, Any]]:
    """The warnings a proposal of ``candidate`` carries, each with its numbers."""
    analysis = candidate.analysis
    runner_up = (
        analysis.candidates.exclude(pk=candidate.pk).order_by("-posterior").first()
    )
    out: list[dict[str, Any]] = []
    threshold = settings.IMENA_PROPOSE_MIN_POSTERIOR
    if candidate.posterior < threshold:
        out.append(
            {
                "code": LOW_POSTERIOR,
                "posterior": candidate.posterior,
                "threshold": threshold,
                "none_of_these": analysis.posterior_unlisted,
                "runner_up": runner_up.posterior if runner_up else 0.0,
                "runner_up_case": runner_up.person.case_no if runner_up else "",
            }
        )
    if not primary:
        out.append(
            {
                "code": NO_PRIMARY,
                "lr_dna": candidate.lr_dna,
                "dna_threshold": settings.IMENA_PRIMARY_DNA_LR,
            }
        )
    return out


def warning_text(w: dict[str, Any]) -> str:
    """One warning as a sentence in the active language."""
    if w.get("code") == LOW_POSTERIOR:
        text = _(
            "The posterior %(posterior).4f is below %(threshold)s: “none of these” "
            "has %(none).4f"
        ) % {
            "posterior": w["posterior"],
            "threshold": w["threshold"],
            "none": w["none_of_these"],
        }
        if w.get("runner_up_case"):
            text += _(", the next candidate %(case)s has %(p).4f") % {
                "case": w["runner_up_case"],
                "p": w["runner_up"],
            }
        return text + "."
    if w.get("code") == NO_PRIMARY:
        return _(
            "No primary identifier: the DNA LR is %(lr).3g (a primary identifier needs "
            "%(threshold).3g or more) and no dental or fingerprint comparison is "
            "recorded as identifying. The identification will be presumptive."
        ) % {"lr": w["lr_dna"], "threshold": w["dna_threshold"]}
    return str(w)


def warning_texts(warnings: list[dict[str, Any]]) -> list[str]:
    return [warning_text(w) for w in warnings]
