from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IdentificationConfig(AppConfig):
    name = "shnor.identification"
    label = "identification"
    verbose_name = "Выявление ШНОР и школ в зоне риска"

    def ready(self) -> None:
        # the job kind; the snapshots of the schools and their context that runs read
        from shnor.identification import jobs, school_snapshots  # noqa: F401
        from shnor.identification.methodologies import load_builtin

        post_migrate.connect(load_builtin, sender=self)
