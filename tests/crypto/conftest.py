"""Fixtures for the crypto tests: a master key, a vault over an in-memory keyring, and a field context."""

from __future__ import annotations

from pathlib import Path

import pytest

from passage.crypto import FieldContext, MasterKey, MemoryKeyring, Vault

CANARY = "CANARY-PASSPORT-7f3a9c Алесь Лукашэвіч"


@pytest.fixture
def master() -> MasterKey:
    return MasterKey.generate()


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def vault(keyring: MemoryKeyring, master: MasterKey) -> Vault:
    opened = Vault(keyring, master)
    opened.ensure_keys()
    return opened


@pytest.fixture
def ctx() -> FieldContext:
    return FieldContext("cases_person", "passport_number", "0b6c2f0e-4f1e-4a53-9a1d-2f7e8c1b9a10")


# `make mutation` (docs/mutation-testing.md): mutmut copies the tree into ./mutants/ and runs each test many
# times in one process, from different executors, which Hypothesis's differing_executors health check refuses;
# fewer examples keep the ~700 mutants to minutes. Ordinary test runs are unaffected.
if "mutants" in Path(__file__).parts:
    from hypothesis import HealthCheck, settings

    settings.register_profile("mutation", suppress_health_check=[HealthCheck.differing_executors], max_examples=30)
    settings.load_profile("mutation")
