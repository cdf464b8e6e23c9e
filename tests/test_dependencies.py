"""SECURITY-TESTS item 20 (supply chain): every dependency is installed from requirements.lock, pinned and
hash-checked, and the lock agrees with the `==` pins of pyproject.toml (run `make lock` after changing one)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[_normal(match[1])] = match[2]
    return pins


def test_every_locked_package_carries_a_hash() -> None:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)  # one block per package: its pin line, hashes, comments
    packages = [b for b in blocks if PIN.match(b)]
    assert len(packages) == len(_lock()) >= 50
    unhashed = [b.split()[0] for b in packages if "--hash=sha256:" not in b]
    assert unhashed == []


def test_the_lock_holds_every_pin_of_pyproject_at_the_same_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    lock = _lock()
    mismatched = []
    for requirement in declared:
        match = PIN.match(requirement)
        assert match, f"{requirement}: pyproject.toml pins every dependency with =="
        name, version = _normal(match[1]), match[2]
        if lock.get(name) != version:
            mismatched.append(f"{name}: pyproject {version}, lock {lock.get(name)}")
    assert mismatched == [], "run `make lock`: " + "; ".join(mismatched)


def test_the_install_uses_the_lock_with_hashes_required() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r requirements.lock" in makefile
