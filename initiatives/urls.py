from django.contrib.auth import views as auth_views
from django.urls import path

from initiatives import claim_views, embed, holder_views, views

app_name = "initiatives"
urlpatterns = [
    path("", views.home, name="home"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="detail"),
    path("initiatives/<int:pk>/revendiquer/", claim_views.claim, name="claim"),
    path("contribuer/", views.contribute, name="contribute"),
    path("integrer/", embed.embed_builder, name="embed"),
    path("integrer/carte/", embed.embed_map, name="embed-map"),
    path("mon-initiative/", views.my_initiative, name="my-initiative"),
    path("mon-initiative/retrouver/", holder_views.recover_link, name="recover-link"),
    path("mon-initiative/<str:token>/", views.private_link, name="private-link"),
    path("moderation/", views.moderation, name="moderation"),
    path(
        "moderation/connexion/",
        auth_views.LoginView.as_view(
            template_name="initiatives/login.html", next_page="initiatives:moderation"
        ),
        name="login",
    ),
    path(
        "moderation/deconnexion/",
        auth_views.LogoutView.as_view(next_page="initiatives:home"),
        name="logout",
    ),
]
