from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "shnor.risks"
    label = "risks"
    verbose_name = "Факторы риска, ШНСУ, резильентность, кластеры"

    def ready(self) -> None:
        from shnor.risks import importers  # noqa: F401  (registers the survey import)
