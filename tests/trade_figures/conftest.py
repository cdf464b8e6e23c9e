"""Fixtures of the trade-figures tests: the folder of small CSV files in both layouts (good and malformed)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
