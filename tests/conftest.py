"""Shared fixtures: the seed documents, temporary projects, the demo built once per session.

The demo build is the slowest thing the suite does, so it happens once per test
session (once per worker under pytest-xdist): ``built_demo`` builds it, offline,
against an in-process stand-in with no rate limit and a client with the
throttle off (no test of this fixture is about the rate).  Tests that need a
built project take a private copy with ``built_project`` (or ``copy_built``);
nothing writes to the original.
"""

import shutil
from dataclasses import dataclass
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


@dataclass(frozen=True)
class BuiltDemo:
    """The demo project after one clean offline build, and what that build produced.

    ``path`` holds documents/, references.yaml and db/ (litgraph.db and the HTTP
    cache), laid out as ``litgraph build --offline`` in that folder lays them out.
    """

    path: Path
    after_extract: bytes  # references.yaml as `litgraph extract` writes it
    references: bytes  # references.yaml after the build (resolve writes identifiers back)
    rows: dict  # reliability_helpers.db_tables of the database
    served: dict  # the stand-in's request counts for the build
    report: dict  # the build's StageReport.as_dict()


def copy_built(demo: BuiltDemo, target: Path) -> Path:
    """A private copy of the built demo project at ``target`` (returned)."""
    shutil.copytree(demo.path, target, ignore=shutil.ignore_patterns("*.lock"))
    return target


def build_once(folder: Path, references_from: Path | None = None) -> BuiltDemo:
    """Build the seed documents in a new project at ``folder``, offline, unthrottled.

    ``references_from`` None starts without references.yaml (extract writes it);
    otherwise that file is copied in first (a curated reference set).
    """
    from litgraph.entrez import EntrezClient
    from litgraph.pipeline import run_build
    from litgraph.references import update_from_documents
    from litgraph.stub.server import StandIn
    from reliability_helpers import db_tables, new_project

    project = new_project(folder)
    references = project / "references.yaml"
    if references_from is not None:
        shutil.copyfile(references_from, references)
    db_path = project / "db" / "litgraph.db"
    update_from_documents([str(project / "documents")], references)
    after_extract = references.read_bytes()
    with StandIn(rate_limit=None) as stand_in:
        with EntrezClient(stand_in.base_url, cache_path=project / "db" / "http-cache.sqlite",
                          rate=0) as client:
            report = run_build([str(project / "documents")], db_path, references, client)
        served = stand_in.stats()
    return BuiltDemo(path=project, after_extract=after_extract, references=references.read_bytes(),
                     rows=db_tables(db_path), served=served, report=report.as_dict())


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory) -> BuiltDemo:
    """The demo as `make build` builds it: the seed documents and the curated references.yaml."""
    return build_once(tmp_path_factory.mktemp("demo") / "project", ROOT / "references.yaml")


@pytest.fixture(scope="session")
def built_from_documents(tmp_path_factory) -> BuiltDemo:
    """A first build from the seed documents alone: extract writes references.yaml."""
    return build_once(tmp_path_factory.mktemp("fresh") / "project")


@pytest.fixture
def built_project(built_demo, tmp_path) -> Path:
    """A private copy of the built demo project (documents/, references.yaml, db/)."""
    return copy_built(built_demo, tmp_path / "project")
