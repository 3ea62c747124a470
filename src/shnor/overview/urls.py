from django.urls import path

from shnor.overview import views

urlpatterns = [
    path("", views.home, name="home"),
    path("municipalities/<int:pk>/", views.municipality, name="municipality"),
    path("schools/", views.schools, name="schools"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("import/", views.upload, name="import"),
    path("import/template/<str:kind>/", views.template_file, name="import_template"),
]
