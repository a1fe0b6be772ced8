"""The cycle collector is paused while litgraph builds, and always comes back."""

import gc
import threading

import pytest

from litgraph.collector import without_cyclic_gc


def test_the_collector_pauses_inside_nested_holders_and_resumes_after_an_error():
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with without_cyclic_gc():
            assert not gc.isenabled()
            with without_cyclic_gc():  # a second client's parse under way at once
                pass
            assert not gc.isenabled()  # the first holder is still inside
            raise ValueError("a reply that does not parse")
    assert gc.isenabled()


def test_a_caller_who_paused_it_themselves_keeps_it_paused():
    gc.disable()
    try:
        with without_cyclic_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_decorated_stage_resumes_it_whichever_thread_leaves_last():
    inside, leave = threading.Event(), threading.Event()

    @without_cyclic_gc()
    def stage():
        inside.set()
        leave.wait(10)

    worker = threading.Thread(target=stage)
    worker.start()
    assert inside.wait(10)
    with without_cyclic_gc():
        leave.set()
        worker.join(10)
        assert not gc.isenabled()  # this holder is still inside
    assert gc.isenabled()


def test_a_failing_build_leaves_the_collector_running(tmp_path):
    from litgraph.errors import DocumentError
    from litgraph.pipeline import run_build

    missing = tmp_path / "no-such-documents"
    with pytest.raises(DocumentError, match="no such document"):
        run_build([str(missing)], tmp_path / "db" / "litgraph.db", tmp_path / "references.yaml",
                  client=None)
    assert gc.isenabled()
