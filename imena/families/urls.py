from __future__ import annotations

from django.urls import path

from imena.families import views

app_name = "families"
urlpatterns = [
    # Public, no login
    path("report/", views.report, name="report"),
    path("report/received/", views.report_received, name="report_received"),
    path("case/<str:token>/", views.case, name="case"),
    path("case/<str:token>/add/", views.case_add, name="case_add"),
    path("case/<str:token>/consent/", views.case_consent, name="case_consent"),
    # Family liaison officers
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/", views.report_detail, name="report_detail"),
    path("queue/<int:pk>/accept/", views.report_accept, name="report_accept"),
    path("queue/<int:pk>/merge/", views.report_merge, name="report_merge"),
    path("queue/<int:pk>/reject/", views.report_reject, name="report_reject"),
    path("links/<int:pk>/reissue/", views.access_reissue, name="access_reissue"),
    path("additions/<int:pk>/handled/", views.addition_handle, name="addition_handle"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
