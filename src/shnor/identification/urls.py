from django.urls import path

from shnor.identification import views

app_name = "identification"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/export/<str:fmt>/", views.run_export, name="export"),
    path("compare/", views.compare, name="compare"),
    path("methodologies/", views.methodologies, name="methodologies"),
    path("methodologies/<int:pk>/", views.methodology_detail, name="methodology"),
]
