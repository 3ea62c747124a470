from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "shnor.demo"
    label = "demo"
    verbose_name = "Демонстрационный регион"
