from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("shnor.registry.urls")),
    path("jobs/", include("shnor.core.urls")),
    path("identification/", include("shnor.identification.urls")),
    path("risks/", include("shnor.risks.urls")),
    path("indicators/", include("shnor.indicators.urls")),
    path("reports/", include("shnor.reports.urls")),
    path("staff/", include("shnor.staff.urls")),
    path("support/", include("shnor.support.urls")),
]
