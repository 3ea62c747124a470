from django.urls import path

from shnor.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("overdue/", views.overdue_forms, name="overdue"),
    path("<int:pk>/", views.campaign, name="campaign"),
    path("forms/<int:pk>/", views.assignment, name="assignment"),
    path("forms/<int:pk>/xlsx", views.assignment_xlsx, name="assignment_xlsx"),
    path("forms/<int:pk>/upload", views.assignment_upload, name="assignment_upload"),
]
