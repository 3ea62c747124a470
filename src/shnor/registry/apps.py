from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shnor.registry"
    label = "registry"
    verbose_name = "Реестр: регион, муниципалитеты, школы"

    def ready(self) -> None:
        from shnor.registry import (  # noqa: F401  (register the import kinds, the snapshots)
            frames,
            importers,
        )
