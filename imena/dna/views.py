from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from imena.accounts.access import require
from imena.accounts.http import AuthenticatedHttpRequest
from imena.dna import access, services
from imena.dna.forms import ProfileUploadForm
from imena.dna.models import DNAProfile
from imena.dna.uploads import ProfileFileError, parse_profile_file


@require_GET
@login_required
def profile_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for_user(request.user, pk)
    genotypes = sorted(profile.genotypes.items())
    pm_samples = list(profile.pm_samples.select_related("body", "body__grave"))
    from imena.missing.models import ReferenceSample

    references = list(
        ReferenceSample.objects.filter(profile=profile).select_related(
            "member", "member__person"
        )
    )
    superseded_by = DNAProfile.objects.filter(supersedes=profile).first()
    return render(
        request,
        "dna/profile_detail.html",
        {
            "profile": profile,
            "genotypes": genotypes,
            "pm_samples": pm_samples,
            "references": references,
            "superseded_by": superseded_by,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def profile_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: Any = request.user
    require(user, "dna.change")
    form = ProfileUploadForm(request.POST or None, request.FILES or None)
    warnings: list[str] = []
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            upload.open("rb")
            parsed = parse_profile_file(upload, filename=upload.name)
            warnings = parsed.warnings
            created = services.dna_profiles_upload(
                actor=user,
                organisation=user.organisation,
                kind=form.cleaned_data["kind"],
                profiles=parsed.profiles,
                source_format=parsed.source_format,
                source_sha256=parsed.sha256,
            )
        except ProfileFileError as e:
            errors.append(str(e))
        except ValidationError as e:
            errors.extend(e.messages)
        else:
            messages.success(
                request,
                _("%(n)d profiles stored: %(labels)s.")
                % {"n": len(created), "labels": ", ".join(p.label for p in created)},
            )
            for w in warnings:
                messages.warning(request, w)
            return redirect("dna:index")
    return render(
        request,
        "dna/profile_upload.html",
        {"form": form, "errors": errors, "warnings": warnings},
        status=400 if errors else 200,
    )
