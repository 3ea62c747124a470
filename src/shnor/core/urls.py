from django.urls import path

from shnor.core import views

urlpatterns = [
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/status/", views.job_status, name="job_status"),
    path("<int:pk>/problems.csv", views.job_problems, name="job_problems"),
]
