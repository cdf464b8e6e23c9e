"""Every workspace route, each module's own list under `/<lang>/work/`."""

from __future__ import annotations

from passage.web.workspace import accounts, cases, records

urlpatterns = [*accounts.urlpatterns, *cases.urlpatterns, *records.urlpatterns]
