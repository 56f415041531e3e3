from __future__ import annotations

from django.urls import path

from imena.identification import views

app_name = "identification"
urlpatterns = [
    path("", views.index, name="index"),
    path("sites/<int:pk>/", views.site_candidates, name="site_candidates"),
    path("sites/<int:pk>/compute/", views.compute, name="compute"),
    path("bodies/<int:pk>/", views.body_candidates, name="body_candidates"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path(
        "candidates/<int:pk>/explain.json",
        views.candidate_detail,
        name="candidate_json",
    ),
    path("candidates/<int:pk>/propose/", views.propose, name="propose"),
    path("candidates/<int:pk>/override/", views.override, name="override"),
    path(
        "candidates/<int:pk>/overrides/<int:override_pk>/withdraw/",
        views.override_withdraw,
        name="override_withdraw",
    ),
    path(
        "identifications/<int:pk>/",
        views.identification_detail,
        name="identification_detail",
    ),
    path("identifications/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("identifications/<int:pk>/reject/", views.reject, name="reject"),
    path("identifications/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("identifications/<int:pk>/report.pdf", views.report_pdf, name="report_pdf"),
    path("identifications/<int:pk>/notify/", views.notify, name="notify"),
    path("liaison/", views.liaison_queue, name="liaison_queue"),
]
