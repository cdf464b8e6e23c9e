"""`make bench`: runs every benchmark script in this folder, each printing its own table, then the peer
(OpenFisca, `peer_openfisca.py`) with the Python of its own virtual environment when `--peer` names one."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--peer", type=Path, help="the Python of the virtual environment OpenFisca is installed in")
    args = parser.parse_args()
    runs = [(sys.executable, script) for script in sorted(HERE.glob("bench_*.py"))]
    if args.peer is not None:
        runs.append((str(args.peer), HERE / "peer_openfisca.py"))
    failures = 0
    for python, script in runs:
        print(f"\n## {script.stem}", flush=True)
        result = subprocess.run([python, str(script)], check=False)  # noqa: S603 - our own scripts
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
