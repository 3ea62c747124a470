from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shnor.core"
    label = "core"
    verbose_name = "Общие механизмы"

    def ready(self) -> None:
        from shnor.core import importing  # noqa: F401  (registers the import job)
