from django.urls import path

from shnor.indicators import effectiveness_views, views

app_name = "indicators"
urlpatterns = [
    path("", views.regional, name="regional"),
    path("municipalities/<int:pk>/", views.municipal, name="municipality"),
    path("effectiveness/", effectiveness_views.effectiveness, name="effectiveness"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
]
