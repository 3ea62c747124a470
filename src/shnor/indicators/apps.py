from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "shnor.indicators"
    label = "indicators"
    verbose_name = "Показатели, мониторинг, дашборды"
