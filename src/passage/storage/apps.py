from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "passage.storage"
    label = "storage"
    default_auto_field = "django.db.models.BigAutoField"
