from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    name = "shnor.assessments"
    label = "assessments"
    verbose_name = "Оценочные процедуры и результаты"

    def ready(self) -> None:
        from shnor.assessments.catalogue import load_catalogue

        post_migrate.connect(load_catalogue, sender=self)
        from shnor.assessments import (  # noqa: F401  (register the import kinds, the snapshot)
            frames,
            importers,
        )
