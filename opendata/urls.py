from django.urls import path

from opendata import national_views, views

app_name = "opendata"

urlpatterns = [
    path("", views.data_page, name="index"),
    path("initiatives.geojson", views.initiatives_geojson, name="initiatives-geojson"),
    path("initiatives.csv", views.initiatives_csv, name="initiatives-csv"),
    path("initiatives.schema.json", views.initiatives_schema, name="initiatives-schema"),
    path("territories.geojson", views.territories_geojson, name="territories-geojson"),
    path(
        "initiatives.data-inclusion.json",
        national_views.initiatives_data_inclusion,
        name="initiatives-data-inclusion",
    ),
    path(
        "initiatives.lamednum.csv",
        national_views.initiatives_lamednum,
        name="initiatives-lamednum",
    ),
]
