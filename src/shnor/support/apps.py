from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "shnor.support"
    label = "support"
    verbose_name = "Поддержка: программы, кураторы, партнёрства, посещения"
