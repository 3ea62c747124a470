from django.apps import AppConfig


class StudentsConfig(AppConfig):
    name = "shnor.students"
    label = "students"
    verbose_name = "Обучающиеся с затруднениями в обучении: банк, ИОМ, профилактика неуспешности"

    def ready(self) -> None:
        from shnor.students import importers  # noqa: F401  (registers the students import)
