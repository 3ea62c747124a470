from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "shnor.registry"
    label = "registry"
    verbose_name = "Реестр: регион, муниципалитеты, школы"

    def ready(self) -> None:
        from shnor.registry import importers  # noqa: F401  (registers the import kinds)
