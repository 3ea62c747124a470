"""The public pages: the only URLs of the project served without login."""

from django.urls import path

from shnor.overview import public

app_name = "public"
urlpatterns = [
    path("", public.index, name="index"),
    path("regions/<int:pk>/", public.region_page, name="region"),
    path("regions/<int:pk>/site.zip", public.region_site, name="region_site"),
    path("municipalities/<int:pk>/", public.municipality_page, name="municipality"),
    path("municipalities/<int:pk>/site.zip", public.municipality_site, name="municipality_site"),
    path("documents/<int:pk>/file", public.document_file, name="document_file"),
]
