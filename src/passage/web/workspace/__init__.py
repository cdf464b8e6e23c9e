"""The caseworker workspace: `/<lang>/work/...`. Views are thin: they check the route policy
(passage.authz.routes), fetch objects through passage.authz.cases, and call passage.cases services.

Modules, one concern each: `accounts` (login, second factor, password, users), `cases` (case list, case,
people, assessments, tasks, dashboard), `records` (search, notes, attachments, export, erasure, sharing,
aggregates). `common` holds what all of them render with.
"""
