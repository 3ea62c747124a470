from django.urls import path

from shnor.events import views

app_name = "events"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("new/", views.add_event, name="add"),
    path("<int:pk>/", views.event, name="event"),
    path("<int:pk>/materials", views.materials, name="materials"),
    path("documents/", views.documents, name="documents"),
    path("documents/new/", views.add_document, name="add_document"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/file", views.document_file, name="document_file"),
]
