from django.urls import path

from initiatives.api import views

urlpatterns = [
    path("initiatives/", views.InitiativeListApi.as_view(), name="initiative-list"),
    path("initiatives/<int:pk>/", views.InitiativeDetailApi.as_view(), name="initiative-detail"),
    # A territory with its initiatives counted: initiatives read territories, never the reverse.
    path("territories/<str:code>/", views.TerritoryDetailApi.as_view(), name="territory-detail"),
]
