from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from imena.accounts import language as accounts_language
from imena.core.views import favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    # Django's set_language, the choice also kept on the user's profile.
    path("i18n/setlang/", accounts_language.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("imena.accounts.urls")),
    path("audit/", include("imena.audit.urls")),
    path("journals/", include("imena.journals.urls")),
    path("exhumations/", include("imena.exhumations.urls")),
    path("missing/", include("imena.missing.urls")),
    path("dna/", include("imena.identification.dna_urls")),
    path("identification/", include("imena.identification.urls")),
    path("reports/", include("imena.reports.urls")),
    path("family/", include("imena.families.urls")),
    path("", include("imena.odk.urls")),
    path("", include("imena.burials.urls")),
]
