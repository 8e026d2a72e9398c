from django.urls import path

from territories.api import views

urlpatterns = [
    path("territories/", views.TerritoryListApi.as_view(), name="territory-list"),
]
