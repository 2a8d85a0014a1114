"""A private copy of the built sample's published snapshot, and a way to serve another snapshot file in its place."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import point_at


@pytest.fixture(scope="module")
def world(built_lakehouse, tmp_path_factory) -> Path:
    """A warehouse folder holding only a copy of the built sample's serving folder (readers need nothing else)."""
    warehouse = tmp_path_factory.mktemp("guarantees") / "warehouse"
    shutil.copytree(built_lakehouse[0] / "serving", warehouse / "serving")
    return warehouse


@pytest.fixture
def in_world(world) -> Path:
    point_at(world)
    return world
