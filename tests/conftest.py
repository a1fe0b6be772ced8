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

# Modules whose tests share one costly module-scoped setup: a Spark session (a JVM on two
# cores), Chromium and a served site, a build with an API key (two subprocess builds), the
# aligned seed documents.  Under -n each runs whole on one worker, so its setup happens once
# instead of once per worker; they are handed out first, the longest first, and the single
# tests of every other module fill in around them.  (xdist's own --dist loadgroup does not
# group under pytest 9.2: pytest-xdist issue #1386.)
SHARED_SETUP_MODULES = ("tests/test_graph_spark.py", "tests/test_browser.py",
                        "tests/test_security.py", "tests/test_align.py")


def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "load":  # another mode asked for by name: xdist's own
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedSetupScheduling(LoadScopeScheduling):
        """One work unit per shared-setup module, one per test elsewhere, in collection order."""

        def _split_scope(self, nodeid):
            module = nodeid.split("::", 1)[0]
            return module if module in SHARED_SETUP_MODULES else nodeid

    config.option.loadscopereorder = False  # the order pytest_collection_modifyitems gives
    return SharedSetupScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """On an xdist worker: the shared-setup modules first, in SHARED_SETUP_MODULES' order."""
    if not hasattr(config, "workerinput"):
        return
    rank = {module: i for i, module in enumerate(SHARED_SETUP_MODULES)}

    def module_rank(item):
        return rank.get(item.nodeid.split("::", 1)[0], len(rank))

    items.sort(key=module_rank)  # stable: the collection's order within each rank

