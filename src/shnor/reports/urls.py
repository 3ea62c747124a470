from django.urls import path

from shnor.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("files/<str:name>", views.download, name="download"),
    path("template.docx", views.template, name="template"),
]
