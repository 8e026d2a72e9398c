from django.urls import path

from opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.data_page, name="index"),
    path("initiatives.geojson", views.initiatives_geojson, name="initiatives-geojson"),
    path("initiatives.csv", views.initiatives_csv, name="initiatives-csv"),
    path("initiatives.schema.json", views.initiatives_schema, name="initiatives-schema"),
    path("territories.geojson", views.territories_geojson, name="territories-geojson"),
]
