from django.urls import path

from shnor.risks import views

app_name = "risks"
urlpatterns = [
    path("", views.heatmap, name="heatmap"),
    path("social/", views.social, name="social"),
    path("resilience/", views.resilience, name="resilience"),
    path("clusters/", views.clusters, name="clusters"),
    path("deficits/", views.deficits, name="deficits"),
    path("questionnaire/", views.survey, name="questionnaire"),
]
