from django.urls import path

from shnor.assessments import views

app_name = "assessments"
urlpatterns = [
    path("layouts/", views.index, name="layouts"),
    path("layouts/upload/", views.upload, name="layout_upload"),
    path("layouts/map/", views.map_columns, name="layout_map"),
    path("layouts/import/", views.import_layout, name="layout_import"),
    path("layouts/<int:pk>/names/", views.confirm_names, name="layout_names"),
    path("layouts/<int:pk>/export/", views.export_layout, name="layout_export"),
    path("layouts/<int:pk>/delete/", views.delete_layout, name="layout_delete"),
]
