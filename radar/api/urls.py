from django.urls import path

from radar.api import views

urlpatterns = [
    path("gaps/", views.RadarGapsApi.as_view(), name="radar-gaps"),
    path("emerging/", views.RadarEmergingApi.as_view(), name="radar-emerging"),
    path("signals/", views.RadarSignalsApi.as_view(), name="radar-signals"),
    path("insights/", views.RadarInsightsApi.as_view(), name="radar-insights"),
    path("trends/", views.RadarTrendsApi.as_view(), name="radar-trends"),
]
