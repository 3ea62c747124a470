from django.apps import AppConfig


class OverviewConfig(AppConfig):
    name = "shnor.overview"
    label = "overview"
    verbose_name = "Обзор"
