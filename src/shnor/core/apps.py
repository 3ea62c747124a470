from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "shnor.core"
    label = "core"
    verbose_name = "Общие механизмы"

    def ready(self) -> None:
        from shnor.core import (
            audit,  # noqa: F401  (records failed logins)
            import_job,  # noqa: F401  (registers the import job)
        )
        from shnor.core.derived import forget_derived
        from shnor.core.snapshots import install_triggers

        post_migrate.connect(install_triggers, sender=self)
        post_migrate.connect(forget_derived, sender=self)
