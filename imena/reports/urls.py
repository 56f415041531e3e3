from __future__ import annotations

from django.urls import path

from imena.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("region/", views.region_statistics, name="region_statistics"),
    path("sites/<int:pk>/statistics/", views.site_statistics, name="site_statistics"),
    path(
        "sites/<int:pk>/record-counts/",
        views.site_record_counts,
        name="site_record_counts",
    ),
    path("sites/<int:pk>/plan/", views.site_plan, name="site_plan"),
    path("sites/<int:pk>/plan.svg", views.site_plan_svg, name="site_plan_svg"),
]
urlpatterns += [
    path("sites.geojson", views.sites_geojson, name="sites_geojson"),
    path(
        "sites/<int:pk>/export/<slug:dataset>.<slug:fmt>",
        views.site_export,
        name="site_export",
    ),
]
urlpatterns += [
    path("sites/<int:pk>/records/", views.site_records, name="site_records"),
]
urlpatterns += [
    path("map/", views.region_map, name="region_map"),
    path("map/sites.geojson", views.region_map_geojson, name="region_map_geojson"),
    path("map/tiles/<int:z>/<int:x>/<int:y>", views.map_tile, name="map_tile"),
    path("sites/<int:pk>/map/", views.site_map, name="site_map"),
    path("sites/<int:pk>/map.geojson", views.site_map_geojson, name="site_map_geojson"),
    path(
        "sites/<int:pk>/orthophotos/new/",
        views.orthophoto_create,
        name="orthophoto_create",
    ),
    path("orthophotos/<int:pk>/image", views.orthophoto_image, name="orthophoto_image"),
]
