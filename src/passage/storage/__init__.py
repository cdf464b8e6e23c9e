"""passage.storage — the Django app that holds what protects everything else: the keyring of wrapped data
keys, the audit log, and encrypted fields (`Secret`). `cases` and `auth` store personal data through it.

See docs/workspace.md (the data model) and docs/crypto-and-audit.md (the libraries underneath).
"""
