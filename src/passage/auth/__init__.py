"""passage.auth — organizations, staff accounts and roles, two-factor authentication, login throttling and
the sessions of staff (Django app label `accounts`, since `auth` is Django's own). See docs/workspace.md.
"""
