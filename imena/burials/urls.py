from __future__ import annotations

from django.urls import path

from imena.burials import views

app_name = "burials"
urlpatterns = [
    path("", views.home, name="home"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("sites/<int:pk>/graves/new/", views.grave_create, name="grave_create"),
    path("sites/<int:pk>/survey/", views.survey_import, name="survey_import"),
    path("graves/<int:pk>/", views.grave_detail, name="grave_detail"),
    path("graves/<int:pk>/edit/", views.grave_edit, name="grave_edit"),
]
