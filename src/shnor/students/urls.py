from django.urls import path

from shnor.students import views

app_name = "students"
urlpatterns = [
    path("", views.index, name="index"),
    path("bank.xlsx", views.picture_export, name="export"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("<int:pk>/", views.student, name="student"),
]
