"""references.yaml written without ruamel's emitter: the same text as ruamel's dump, or ruamel's.

A first extract of many documents writes every entry anew; ruamel's emitter
took 1.8 ms an entry there.  ``fastdump`` writes plain data in ruamel's
layout and styles, and leaves anything with comments or unusual styles to
ruamel.  These tests hold it to ruamel's text on real extractions and on
arbitrary texts.
"""

import json
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from litgraph.references import merge_documents, update_from_documents
from litgraph.references.fastdump import _ORDINARY, _analysis, _tools, dump, fast_dump
from litgraph.references.fastload import FALLBACK, fast_load, reads_back_as
from litgraph.references.yamlio import _dump, _load_raw

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DOCUMENTS = Path(__file__).resolve().parent / "fixtures" / "documents"

# Characters that decide YAML styles (indicators, quotes, spaces, breaks, specials) beside
# ordinary letters and digits, so that drawn texts hit every rule of ruamel's analysis.
ALPHABET = st.sampled_from(list("ab Z09.-?:#,[]{}&*!|>'\"%@`=~<()/;+ _\t\n\r") +
                           ["é", "\x85", "\u2028", "\ufeff", "\x07", "\U0001f600", "---", "..."])
TEXTS = st.lists(ALPHABET, max_size=8).map("".join)


def test_a_first_extract_writes_what_ruamel_would_write(tmp_path):
    documents = tmp_path / "documents"
    shutil.copytree(ROOT / "documents", documents)
    for path in FIXTURE_DOCUMENTS.iterdir():
        shutil.copy(path, documents / path.name)
    merged = merge_documents([documents], tmp_path / "references.yaml")
    text = fast_dump(merged.data)
    assert text is not None  # plain data: written here, not by ruamel
    assert text == _dump(merged.data)
    assert dump(merged.data) == text


def test_a_file_a_curator_commented_or_styled_is_left_to_ruamel(tmp_path):
    path = tmp_path / "references.yaml"
    for written in ("sources:\n  a-2001:\n    title: A  # the curator's note\n",
                    "sources:\n  a-2001: {title: A}\n",
                    "sources:\n  a-2001:\n    note: |\n      two\n      lines\n",
                    "settings:\n  restatement:\n    match: 0.3\n",
                    "sources:\n  a-2001:\n    title: \"double\"\n"):
        path.write_text(written, encoding="utf-8")
        data = _load_raw(path)
        assert fast_dump(data) is None, written
        assert dump(data) == _dump(data) == written


def test_dump_falls_back_to_ruamel_when_the_text_does_not_read_back(monkeypatch):
    from litgraph.references import fastdump

    data = CommentedMap([("sources", CommentedMap([("a-2001", CommentedMap([("year", 2001)]))]))])
    monkeypatch.setattr(fastdump, "fast_dump", lambda data: "sources:\n  a-2001:\n    year: '2001'\n")
    assert dump(data) == _dump(data) == "sources:\n  a-2001:\n    year: 2001\n"


def test_the_read_back_check_refuses_any_difference_in_values_kinds_or_order():
    data = CommentedMap([("sources", CommentedMap([
        ("a-2001", CommentedMap([("year", "2001"), ("pinned", True), ("seen", [1, 2])]))]))])
    text = "sources:\n  a-2001:\n    year: '2001'\n    pinned: true\n    seen:\n    - 1\n    - 2\n"
    assert reads_back_as(text, data)
    differing = [
        text.replace("'2001'", "2001"),  # a number where the data holds text
        text.replace("true", "1"),  # 1 is not true
        text.replace("    - 2\n", ""),  # an item missing
        text + "  b-2002: {}\n",  # an entry more
        text.replace("    year: '2001'\n    pinned: true\n", "    pinned: true\n    year: '2001'\n"),
        text.replace("seen:\n    - 1\n    - 2", "seen: {1: 2}"),  # a mapping for a list
        text + "---\nx: 1\n",  # a second document
        text.replace("year: '2001'", "year: &y '2001'"),  # an anchor: ruamel's word
        "sources: [",  # not YAML
    ]
    for other in differing:
        assert not reads_back_as(other, data), other


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXTS, st.one_of(TEXTS, st.integers(-3, 3), st.booleans(), st.none())),
                min_size=1, max_size=4), st.sampled_from(["", "'", '"']))
def test_the_read_back_check_agrees_with_loading_the_text_and_comparing(pairs, quote):
    """The streamed check against the plain way: load the whole text, compare as JSON."""
    data = {f"k{n}{key}": value for n, (key, value) in enumerate(pairs)}
    # Written plainly, quoted or not, whether or not the text reads back as the data.
    text = "".join(f"{quote}{key}{quote}: {quote}{value}{quote}\n"
                   for key, value in data.items() if "\n" not in f"{key}{value}")
    loaded = fast_load(text)
    agrees = loaded is not FALLBACK and json.dumps(loaded) == json.dumps(data)
    assert reads_back_as(text, data) == agrees


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXTS, TEXTS, st.lists(TEXTS, max_size=3), st.booleans()),
                min_size=1, max_size=4))
def test_arbitrary_texts_are_written_as_ruamel_writes_them_or_left_to_it(entries):
    data = CommentedMap()
    for number, (key, text, items, flow) in enumerate(entries):
        entry = CommentedMap([("title", text), ("number", number), ("flag", flow)])
        listed = CommentedSeq(items)
        if flow:
            listed.fa.set_flow_style()
        entry["items"] = listed
        entry["seen"] = [CommentedMap([("raw", text), ("line", number)])]
        data[f"{key}{number}"] = entry
    text = fast_dump(data)
    if text is not None:
        assert text == _dump(data)


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_the_quick_analysis_of_ordinary_texts_is_ruamels(text):
    if _ORDINARY.match(text):
        emitter, _resolver = _tools()
        assert vars(_analysis(text)) == vars(emitter.analyze_scalar(text))


def test_most_drawn_texts_take_the_quick_path():
    """The property tests above would pass vacuously if fast_dump always gave up."""
    texts = ["Smith AB", "Aspirin: a review", "it's", "O'Brien: a life", "10.5555/x", "12",
             "a, b", "#x", "- x", "yes", "", "é", "trail ", "a\tb"]
    written = [fast_dump(CommentedMap([("k", t), ("l", CommentedSeq([t]))])) for t in texts]
    assert sum(w is not None for w in written) >= len(texts) - 3
    for text, out in zip(texts, written):
        if out is not None:
            assert out == _dump(CommentedMap([("k", text), ("l", CommentedSeq([text]))]))


def test_a_rebuild_finds_nothing_to_change_in_what_the_quick_writer_wrote(tmp_path):
    documents = tmp_path / "documents"
    shutil.copytree(ROOT / "documents", documents)
    references = tmp_path / "references.yaml"
    assert update_from_documents([documents], references).written is True
    stamp = references.stat().st_mtime_ns
    assert update_from_documents([documents], references).written is False
    assert references.stat().st_mtime_ns == stamp
