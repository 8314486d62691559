"""Fixtures for the parser tests (plain Python: no database)."""

import pytest
from parser_helpers import SEED

from recommendations.newspaper import parse_page


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed(seed_text):
    return parse_page(seed_text, SEED.name, sha256="0" * 64)
