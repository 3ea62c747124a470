from django.urls import path

from shnor.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.regional, name="regional"),
    path("municipalities/<int:pk>/", views.municipal, name="municipality"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
]
