from __future__ import annotations

from django.urls import path

from imena.missing import views

app_name = "missing"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/status/", views.status_change, name="status_change"),
    path("<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("<int:pk>/unmerge/", views.person_unmerge, name="person_unmerge"),
    path("<int:pk>/items/<slug:section>/", views.item_add, name="item_add"),
    path("<int:pk>/pedigree/members/", views.member_add, name="member_add"),
    path("<int:pk>/pedigree/import/", views.case_import, name="case_import"),
    path("<int:pk>/samples/", views.sample_add, name="sample_add"),
    path("samples/<int:pk>/profile/", views.sample_profile, name="sample_profile"),
    path("samples/<int:pk>/withdraw/", views.sample_withdraw, name="sample_withdraw"),
    path("<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("photos/<int:pk>/", views.photo_file, name="photo_file"),
    path("photos/<int:pk>/withdraw/", views.photo_withdraw, name="photo_withdraw"),
    path("pfif/export/", views.pfif_export, name="pfif_export"),
    path("pfif/import/", views.pfif_import, name="pfif_import"),
    path("contact-requests/", views.contact_requests, name="contact_requests"),
    path(
        "contact-requests/<int:pk>/handled/",
        views.contact_request_handle,
        name="contact_request_handle",
    ),
    # Public, no login: the family search.
    path("family/", views.family_search, name="family_search"),
]
