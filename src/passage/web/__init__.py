"""The self-assessment web app (Django): landing, interview, plan, printable PDF, forget, and the JSON API.

A thin shell over `passage.assess` and `passage.interview`. Answers live only in the server-side session and
are deleted on "forget"; no page makes a request to any other origin. Exports nothing for other packages.
"""
