"""WSGI entry point: `passage.web.wsgi:application`.

The rulebooks are loaded here, before the first request (which would otherwise wait ~170 ms for them), and
then frozen out of the garbage collector: they live as long as the process, and a full collection would
otherwise walk all of their objects again and again (a sixth of an assessment's time in `make bench`).
"""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

from passage.web.engine import library

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "passage.web.settings")
application = get_wsgi_application()

library()
gc.freeze()
