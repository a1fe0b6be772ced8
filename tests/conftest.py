"""Shared fixtures: the seed documents, and the demo built once per session (demo_project.py);
and how ``pytest -n 2`` shares the tests between its two workers."""

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


# ---------------------------------------------------------------- two workers (pytest-xdist)

# Modules whose tests each take many seconds (the Spark engine, builds run as subprocesses
# and killed, or served a faulty stand-in): handed out first, so that on two workers they
# start at once and the many short tests fill in around them instead of trailing after.
LONG_MODULES = ("tests/test_graph_spark_frames.py", "tests/test_graph_spark.py",
                "tests/test_reliability_crash.py",
                "tests/test_reliability_faults.py", "tests/test_reliability_concurrency.py")

# Modules whose tests share one costly setup run whole on one worker, so that the setup
# happens once instead of once per worker: Chromium and a served site, a build with an API
# key (two subprocess builds), the aligned seed documents; and the two Spark modules
# together, in one JVM (a second JVM would start, warm up and contend for the two cores
# again).  (xdist's own --dist loadgroup does not group under pytest 9.2: pytest-xdist
# issue #1386.)
SHARED_SETUP = {"tests/test_browser.py": "browser", "tests/test_security.py": "security",
                "tests/test_align.py": "align", "tests/test_graph_spark.py": "spark",
                "tests/test_graph_spark_frames.py": "spark"}


def module_places() -> dict:
    """{module: its place in a worker's run}: the long modules first, in their order (also
    those that share a setup), then the other shared-setup ones."""
    places = {}
    for place, module in enumerate(LONG_MODULES + tuple(SHARED_SETUP)):
        places.setdefault(module, place)
    return places


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "load":  # another mode asked for by name: xdist's own
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedSetupScheduling(LoadScopeScheduling):
        """One work unit per shared setup, one per test elsewhere, in collection order."""

        def _split_scope(self, nodeid):
            return SHARED_SETUP.get(_module(nodeid), nodeid)

    config.option.loadscopereorder = False  # the order pytest_collection_modifyitems gives
    return SharedSetupScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """On an xdist worker: the long modules first, then the shared-setup ones, then the rest,
    each in the collection's order."""
    if not hasattr(config, "workerinput"):
        return
    rank = module_places()
    items.sort(key=lambda item: rank.get(_module(item.nodeid), len(rank)))
