"""Shared fixtures: the seed documents, and the demo built once per session (demo_project.py)."""

import shutil
from pathlib import Path

import pytest

from demo_project import BuiltDemo, copy_built, session_build

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "documents"


@pytest.fixture
def documents_dir(tmp_path):
    """A private copy of the five seed documents."""
    target = tmp_path / "documents"
    shutil.copytree(DOCUMENTS, target)
    return target


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory) -> BuiltDemo:
    """The demo as `make build` builds it: the seed documents and the curated references.yaml."""
    return session_build(tmp_path_factory, "demo")


@pytest.fixture(scope="session")
def built_from_documents(tmp_path_factory) -> BuiltDemo:
    """A first build from the seed documents alone: extract writes references.yaml."""
    return session_build(tmp_path_factory, "documents")


@pytest.fixture
def built_project(built_demo, tmp_path) -> Path:
    """A private copy of the built demo project (documents/, references.yaml, db/)."""
    return copy_built(built_demo, tmp_path / "project")
