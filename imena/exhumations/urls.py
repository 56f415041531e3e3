from __future__ import annotations

from django.urls import path

from imena.exhumations import views

app_name = "exhumations"
urlpatterns = [
    path("", views.index, name="index"),
    path(
        "graves/<int:grave_pk>/new/", views.exhumation_create, name="exhumation_create"
    ),
    path("<int:pk>/", views.exhumation_detail, name="exhumation_detail"),
    path("<int:pk>/withdraw/", views.exhumation_withdraw, name="exhumation_withdraw"),
    path("<int:pk>/bodies/new/", views.body_create, name="body_create"),
    path("<int:pk>/evidence/new/", views.evidence_create, name="evidence_create"),
    path("bodies/<int:pk>/", views.body_detail, name="body_detail"),
    path("bodies/<int:pk>/read/", views.reading_create, name="reading_create"),
    path("bodies/<int:pk>/category/", views.body_category, name="body_category"),
    path("bodies/<int:pk>/withdraw/", views.body_withdraw, name="body_withdraw"),
    path("bodies/<int:pk>/samples/new/", views.sample_create, name="sample_create"),
    path("bodies/<int:pk>/<slug:section>/", views.section, name="section"),
    path(
        "bodies/<int:pk>/<slug:section>/draft/",
        views.section_draft,
        name="section_draft",
    ),
    path(
        "bodies/<int:pk>/<slug:section>/<int:item_pk>/withdraw/",
        views.item_withdraw,
        name="item_withdraw",
    ),
    path("samples/<int:pk>/profile/", views.sample_profile, name="sample_profile"),
    path("evidence/<int:pk>/", views.evidence_detail, name="evidence_detail"),
    path("evidence/<int:pk>/custody/", views.custody_create, name="custody_create"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
]
