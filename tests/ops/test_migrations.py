"""SECURITY-TESTS item 27: migrations, on SQLite and PostgreSQL (child process, fresh database).

`makemigrations --check` finds nothing to generate; the apps go up with data, all the way down
(`migrate cases zero`, then `accounts`, then `storage`: each unapplies what depends on it) and up again, and
the schema after up-down-up is identical to the first (a dump of tables, columns, indexes and constraints);
the workspace then stores and decrypts data again.
"""

from __future__ import annotations

from tests.ops.conftest import Instance


class TestMigrations:
    def test_up_down_up_with_data(self, instance: Instance) -> None:
        result = instance.child("migrations", timeout=600)
        assert result["pending"] is False, result["makemigrations"]
        assert result["data_before"]["wrong"] == []
        assert result["data_before"]["values"] > 15
        assert result["leftover"] == []  # every table of ours, and of the OTP app on our users, is gone
        assert result["down"] < result["up"]
        assert result["equal"], result["diff"]
        assert result["data_after"]["wrong"] == []
        assert result["data_after"]["values"] > 15
