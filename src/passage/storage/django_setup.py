"""For commands that run outside a web request (`passage createadmin`, `passage cases rerun`, backups):
configure Django from the same PASSAGE_* environment as the web app, once."""

from __future__ import annotations

import os


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.web.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
