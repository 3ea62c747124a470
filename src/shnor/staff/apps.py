from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "shnor.staff"
    label = "staff"
    verbose_name = "Педагоги: дефициты, ИОМ, повышение квалификации"

    def ready(self) -> None:
        from shnor.staff import importers  # noqa: F401  (registers the staff imports)
