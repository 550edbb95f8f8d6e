from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mahalla.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login / logout / failed-login auditing)
