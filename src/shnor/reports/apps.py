from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shnor.reports"
    label = "reports"
    verbose_name = "Аналитические справки и отчёты"

    def ready(self) -> None:
        from shnor.reports import jobs  # noqa: F401  (registers the report job)
