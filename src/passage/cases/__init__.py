"""passage.cases — a caseworker's records: cases, the people in them (a principal and family members), notes,
attachments, stored determinations, deadlines as tasks, sharing with consent. Every personal value is
encrypted (passage.storage.Secret); cases go through passage.assess and never into a rulebook's internals.
See docs/workspace.md.
"""
