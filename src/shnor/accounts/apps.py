from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shnor.accounts"
    label = "accounts"
    verbose_name = "Пользователи и доступ"
