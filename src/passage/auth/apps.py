from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "passage.auth"
    label = "accounts"
    verbose_name = "Passage accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from passage.auth.sessions import on_login, on_logout

        user_logged_in.connect(on_login, dispatch_uid="passage-staff-session-login")
        user_logged_out.connect(on_logout, dispatch_uid="passage-staff-session-logout")
