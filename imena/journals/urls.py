from __future__ import annotations

from django.urls import path

from imena.journals import views

app_name = "journals"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("upload/<str:token>/", views.upload_preview, name="upload_preview"),
    path("upload/<str:token>/progress/", views.import_progress, name="import_progress"),
    path("<int:pk>/", views.journal_detail, name="journal_detail"),
    path("rows/<int:pk>/", views.row_detail, name="row_detail"),
    path("sites/<int:site_pk>/reconcile/", views.reconcile, name="reconcile"),
    path(
        "sites/<int:site_pk>/reconcile/<str:token>/",
        views.reconcile_progress,
        name="reconcile_progress",
    ),
    path("sites/<int:site_pk>/review/", views.review_queue, name="review_queue"),
    path("review/<int:pk>/", views.review_item, name="review_item"),
]
