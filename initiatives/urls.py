from django.urls import path

from initiatives import views

app_name = "initiatives"
urlpatterns = [
    path("", views.home, name="home"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="detail"),
]
