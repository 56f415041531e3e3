"""The DNA profile pages; ``imena.identification.dna_urls`` mounts them under /dna/."""

from __future__ import annotations

from django.urls import path

from imena.dna import views

urlpatterns = [
    path("profiles/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("profiles/upload/", views.profile_upload, name="profile_upload"),
]
