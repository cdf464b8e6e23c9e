"""SECURITY-TESTS item 31 for crypto and audit: their own tests cover 100% of their branches.

Enforced here, inside the ordinary `make test` run, by running those tests again in a child pytest under
pytest-cov with `--cov-fail-under=100`: a child process measures every line regardless of how xdist splits
the parent run across workers. The child deselects this test (no recursion) and two slow tests that
cover nothing the others do not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THIS = "tests/crypto/test_coverage.py::TestBranchCoverage"
# slow and covering nothing the rest does not: the 10^5-nonce count and the four-process append race
SLOW = ("tests/crypto/test_vault.py::TestNonces", "tests/audit/test_store.py::TestAppend::test_concurrent_writers")


class TestBranchCoverage:
    def test_crypto_and_audit_tests_cover_every_branch(self, tmp_path: Path) -> None:
        """Running tests/crypto and tests/audit under coverage gives 100% branch coverage of both packages."""
        command = [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
            "tests/crypto", "tests/audit", "--deselect", THIS, "--deselect", SLOW[0], "--deselect", SLOW[1],
            "--cov=passage.crypto", "--cov=passage.audit", "--cov-branch",
            "--cov-report=term-missing:skip-covered", "--cov-fail-under=100",
        ]  # fmt: skip
        env = {**os.environ, "COVERAGE_FILE": str(tmp_path / ".coverage")}
        child = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=540)  # noqa: S603 - our interpreter, fixed arguments
        assert child.returncode == 0, child.stdout[-4000:] + child.stderr[-2000:]
        assert "Required test coverage of 100% reached" in child.stdout
