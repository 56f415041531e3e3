"""ODK URLs. Included at the site root: Collect expects formList and submission there."""

from __future__ import annotations

from django.urls import path

from imena.odk import openrosa, views

app_name = "odk"

openrosa_urls = [
    path("formList", openrosa.form_list, name="form_list"),
    path("forms/<str:form_id>/form.xml", openrosa.form_download, name="form_download"),
    path("forms/<str:form_id>/manifest", openrosa.manifest, name="manifest"),
    path(
        "forms/<str:form_id>/media/<str:filename>",
        openrosa.media_download,
        name="media",
    ),
    path("submission", openrosa.submission, name="submission"),
]

review_urls = [
    path("odk/", views.index, name="index"),
    path("odk/drafts/<int:pk>/", views.draft_detail, name="draft_detail"),
    path("odk/drafts/<int:pk>/accept/", views.draft_accept, name="draft_accept"),
    path("odk/drafts/<int:pk>/reject/", views.draft_reject, name="draft_reject"),
    path(
        "odk/drafts/<int:pk>/attachments/<int:att>/",
        views.attachment,
        name="attachment",
    ),
    path("odk/quarantine/", views.quarantine, name="quarantine"),
    path("odk/tokens/", views.tokens, name="tokens"),
    path("odk/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]

urlpatterns = openrosa_urls + review_urls
