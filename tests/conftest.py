"""Shared fixtures: the seed documents, temporary projects, the stand-in."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "documents"


@pytest.fixture
def documents_dir(tmp_path):
    """A private copy of the five seed documents."""
    target = tmp_path / "documents"
    shutil.copytree(DOCUMENTS, target)
    return target
