"""Password hashing: argon2id at RFC 9106's second recommended (low-memory) profile or stronger.

RFC 9106 §4, option 2: t=3 iterations, p=4 lanes, m=64 MiB. Django re-hashes a stored password at the next
successful login when these parameters change (`must_update`).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 3
    memory_cost = 65536  # KiB
    parallelism = 4
