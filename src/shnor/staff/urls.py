from django.urls import path

from shnor.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.index, name="index"),
    path("order.xlsx", views.order_xlsx, name="order"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("teachers/<int:pk>/", views.teacher, name="teacher"),
]
