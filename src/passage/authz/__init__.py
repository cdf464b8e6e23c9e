"""passage.authz — who may do what to which case. Deny by default.

Two halves: `routes` (every workspace URL names a RoutePolicy: methods, roles, object rule; a test fails for
a route without one) and `cases` (the object rules: which cases a user sees, and which actions on one).
A forbidden object is answered exactly like a missing one (404), so ids cannot be probed.
"""
