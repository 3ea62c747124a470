from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shnor.accounts"
    label = "accounts"
    verbose_name = "Пользователи и доступ"

    def ready(self) -> None:
        from shnor.accounts import throttling  # noqa: F401  (connects the login signals)
