from django.urls import path

from initiatives.api import views

urlpatterns = [
    path("initiatives/", views.InitiativeListApi.as_view(), name="initiative-list"),
    path("initiatives/<int:pk>/", views.InitiativeDetailApi.as_view(), name="initiative-detail"),
]
