from django.urls import path

from shnor.identification import objectivity_page, views

app_name = "identification"
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/export/<str:fmt>/", views.run_export, name="export"),
    path("compare/", views.compare, name="compare"),
    path("methodologies/", views.methodologies, name="methodologies"),
    path("methodologies/<int:pk>/", views.methodology_detail, name="methodology"),
    path("methodologies/primary/", views.set_primary, name="primary"),
    path("official-lists/", views.official_list, name="official_list"),
    path("consolidated/", views.consolidated, name="consolidated"),
    path("objectivity/", objectivity_page.objectivity, name="objectivity"),
    path("consolidated/export/<str:fmt>/", views.consolidated_export, name="consolidated_export"),
]
