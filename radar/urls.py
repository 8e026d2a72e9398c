from django.contrib.auth import views as auth_views
from django.urls import path

from radar.feeds import TerritoryFeed
from radar.views import answers, follow, institutions, pages

app_name = "radar"
urlpatterns = [
    path("", pages.radar_home, name="home"),
    path("territoire/<str:code>/", pages.territory_profile, name="territory"),
    path("territoire/<str:code>/chiffres.csv", pages.territory_figures_csv, name="territory-csv"),
    path("territoire/<str:code>/flux.atom", TerritoryFeed(), name="territory-feed"),
    path("territoire/<str:code>/suivre/", follow.subscribe, name="subscribe"),
    path("suivre/confirmer/<str:token>/", follow.subscription_confirm, name="subscription-confirm"),
    path("suivre/arreter/<str:token>/", follow.unsubscribe, name="unsubscribe"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            template_name="radar/login.html", next_page="radar:institution"
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="radar:home"), name="logout"),
    path("espace/", institutions.institution_home, name="institution"),
    path("espace/suivre/", institutions.follow, name="follow"),
    path("espace/suivre/<str:code>/retirer/", institutions.unfollow, name="unfollow"),
    path("initiatives/<int:pk>/soutenir/", institutions.support_offer_create, name="support-offer"),
    path(
        "soutiens/<int:offer_id>/retirer/",
        institutions.support_offer_withdraw,
        name="support-withdraw",
    ),
    path("soutiens/<int:offer_id>/repondre/", answers.support_answer, name="support-answer"),
]
