from django.apps import AppConfig


class ThemesConfig(AppConfig):
    name = "themes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core.mail import mail_look

        from .selectors import mail_look_current

        mail_look.connect(mail_look_current, dispatch_uid="themes.mail_look")
