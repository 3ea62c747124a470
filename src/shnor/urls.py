from django.contrib import admin
from django.urls import include, path

from shnor.core.health import health
from shnor.core.journal import journal

handler400 = "shnor.core.params.bad_request"

urlpatterns = [
    path("", include("shnor.accounts.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("", include("shnor.overview.urls")),
    path("jobs/", include("shnor.core.urls")),
    path("audit/", journal, name="audit"),
    path("assessments/", include("shnor.assessments.urls")),
    path("identification/", include("shnor.identification.urls")),
    path("risks/", include("shnor.risks.urls")),
    path("indicators/", include("shnor.indicators.urls")),
    path("reports/", include("shnor.reports.urls")),
    path("staff/", include("shnor.staff.urls")),
    path("support/", include("shnor.support.urls")),
    path("students/", include("shnor.students.urls")),
    path("events/", include("shnor.events.urls")),
    path("campaigns/", include("shnor.campaigns.urls")),
    # the only pages without login: the public page of a region or a municipality
    path("public/", include("shnor.overview.public_urls")),
]
