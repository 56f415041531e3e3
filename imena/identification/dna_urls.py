"""The ``dna:`` URLs: screenings, candidates, joint results, profiles and uploads."""

from __future__ import annotations

from django.urls import path

from imena.identification import screening_views as views

app_name = "dna"
urlpatterns = [
    path("", views.index, name="index"),
    path("sites/<int:pk>/screen/", views.screening_start, name="screening_start"),
    path("screenings/<int:pk>/", views.screening_detail, name="screening_detail"),
    path(
        "screenings/<int:pk>/graves/<int:grave_pk>/joint/",
        views.grave_joint,
        name="grave_joint",
    ),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("profiles/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("profiles/upload/", views.profile_upload, name="profile_upload"),
    path("families/<int:pk>/familias.fam", views.family_fam, name="family_fam"),
]
