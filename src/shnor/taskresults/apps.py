from django.apps import AppConfig


class TaskResultsConfig(AppConfig):
    name = "shnor.taskresults"
    label = "taskresults"
    verbose_name = "Результаты по заданиям"

    def ready(self) -> None:
        from shnor.taskresults import (  # noqa: F401  (register the import kinds, the snapshots)
            frames,
            importers,
        )
