"""The demo project built once per test session, and private copies of it.

The demo build is the slowest thing the suite does, so it happens once per
session (once per worker under pytest-xdist) for each of two starting points:

- ``"demo"``: the seed documents and the project's curated references.yaml,
  what ``make build`` builds;
- ``"documents"``: the seed documents alone, so extract writes references.yaml,
  what a newcomer's first ``litgraph build`` does.

Each is built offline against an in-process stand-in with no rate limit and a
client with the throttle off (the throttle has tests of its own in
test_entrez.py and test_stub_limits.py).  The folder is laid out as
``litgraph build --offline`` lays it out (documents/, references.yaml,
db/litgraph.db, db/http-cache.sqlite), so a copy rebuilds from a warm cache.
Nothing writes to the built folder: tests take a copy (``copy_built``, or the
``built_project`` fixture in conftest.py).
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_BUILDS: dict = {}


@dataclass(frozen=True)
class BuiltDemo:
    """A project after one clean offline build, and what that build produced."""

    path: Path
    after_extract: bytes  # references.yaml as `litgraph extract` writes it
    references: bytes  # references.yaml after the build (resolve writes identifiers back)
    rows: dict  # reliability_helpers.db_tables of the database
    served: dict  # the stand-in's request counts for the build, per endpoint
    report: dict  # the build's StageReport.as_dict()


def build_once(folder: Path, references_from: Path | None = None) -> BuiltDemo:
    """Build the seed documents in a new project at ``folder``, offline, unthrottled.

    ``references_from`` None starts without references.yaml (extract writes it);
    otherwise that file is copied in first.
    """
    from litgraph.entrez import EntrezClient
    from litgraph.entrez.transport import STAND_IN_SERVICE
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
        # the bundled fixtures answer on any port: the cache service of `--offline`
        with EntrezClient(stand_in.base_url, service=STAND_IN_SERVICE,
                          cache_path=project / "db" / "http-cache.sqlite",
                          rate=0) as client:
            report = run_build([str(project / "documents")], db_path, references, client)
        served = stand_in.stats()
    return BuiltDemo(path=project, after_extract=after_extract, references=references.read_bytes(),
                     rows=db_tables(db_path), served=served, report=report.as_dict())


def session_build(tmp_path_factory, start: str) -> BuiltDemo:
    """The session's build from ``start`` ("demo" or "documents"), built on first use."""
    if start not in _BUILDS:
        references_from = {"demo": ROOT / "references.yaml", "documents": None}[start]
        folder = tmp_path_factory.mktemp(f"built-{start}") / "project"
        _BUILDS[start] = build_once(folder, references_from)
    return _BUILDS[start]


def copy_built(demo: BuiltDemo, target: Path) -> Path:
    """A private copy of a built project at ``target`` (returned)."""
    shutil.copytree(demo.path, target, ignore=shutil.ignore_patterns("*.lock"))
    return target
