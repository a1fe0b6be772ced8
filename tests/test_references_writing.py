"""references.yaml written without ruamel's emitter: the same text as ruamel's dump, or ruamel's.

A first extract of many documents writes every entry anew; ruamel's emitter
took 1.8 ms an entry there.  ``fastdump`` writes plain data in ruamel's
layout and styles, and leaves anything with comments or unusual styles to
ruamel.  These tests hold it to ruamel's text on real extractions and on
arbitrary texts, its read-back check to loading and comparing, and the quick
reading of a file in that form (``load_own_form``) to ruamel's reading.
"""

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from litgraph.errors import ReferencesFileError
from litgraph.references import HEADER, merge_documents, update_from_documents
from litgraph.references.fastdump import (_ORDINARY, _analysis, _tools, dump, fast_dump,
                                          load_own_form)
from litgraph.references.fastload import FALLBACK, fast_load, reads_back_as
from litgraph.references.yamlio import _dump, _load_raw, _yaml

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
        text.replace("    year: '2001'\n    pinned: true\n",
                     "    pinned: true\n    year: '2001'\n"),  # another order
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


def test_a_merge_that_changed_the_file_lets_the_set_read_before_go_before_reading_another(tmp_path):
    """At 20,000 sources a reference set is tens of megabytes: a build whose documents
    changed should not hold the one read before the merge beside the one read after it."""
    import gc
    import weakref

    documents = tmp_path / "documents"
    shutil.copytree(ROOT / "documents", documents)
    references = tmp_path / "references.yaml"
    update_from_documents([documents], references)
    first = sorted(documents.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nA sentence a curator added.\n",
                     encoding="utf-8")
    merged = merge_documents([documents], references)
    assert merged.changed and merged.read_set is not None
    digests_before = {d.id: d.sha256 for d in merged.read_set.documents}
    read_before = weakref.ref(merged.read_set)
    after = merged.reference_set()
    gc.collect()
    assert read_before() is None
    digests_after = {d.id: d.sha256 for d in after.documents}  # read from the merge: the edit
    assert {i for i in digests_after if digests_after[i] != digests_before[i]} == {first.stem}


# ---------------------------------------------------------------- read back in litgraph's form

def shape(value):
    """What ruamel's round-trip data holds: types, values, order and sequence styles."""
    if isinstance(value, dict):
        return ("map", [(shape(k), shape(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [shape(v) for v in value], bool(value.fa.flow_style()))
    return (type(value).__name__, value)


def first_extract(tmp_path) -> Path:
    documents = tmp_path / "documents"
    shutil.copytree(ROOT / "documents", documents)
    for path in FIXTURE_DOCUMENTS.iterdir():
        shutil.copy(path, documents / path.name)
    references = tmp_path / "references.yaml"
    update_from_documents([documents], references)
    return references


def test_a_file_in_litgraphs_own_form_is_read_as_ruamel_reads_it(tmp_path):
    references = first_extract(tmp_path)
    text = references.read_text(encoding="utf-8")
    quick = load_own_form(text, HEADER)
    assert quick is not None  # written by litgraph: read without ruamel
    assert shape(quick) == shape(_load_raw(references))
    assert HEADER + _dump(quick) == text


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("\n  ", "\n  # a curator's note\n  ", 1),  # a comment
    lambda t: t.replace("    title: ", "    title: # noted\n      ", 1),
    lambda t: t.replace("sources:\n", "sources:\n  a-2001:\n    title: \"double\"\n", 1),  # quotes
    lambda t: t.replace("sources:\n", "sources: &all\n", 1),  # an anchor
])
def test_a_file_a_curator_commented_or_styled_is_left_to_ruamels_reading(tmp_path, edit):
    references = first_extract(tmp_path)
    edited = edit(references.read_text(encoding="utf-8"))
    assert load_own_form(edited, HEADER) is None


# Texts as references.yaml mostly holds (titles, names, identifiers), beside the hostile ones.
FIELD_TEXTS = st.one_of(TEXTS, st.text(st.sampled_from(list("abXY 09.,;:'()-/é")), max_size=12))


ENTRIES = st.lists(st.tuples(FIELD_TEXTS, FIELD_TEXTS, st.lists(FIELD_TEXTS, max_size=3),
                             st.booleans()), min_size=1, max_size=4)


def entries_data(entries) -> CommentedMap:
    """Drawn entries as references.yaml data: a title, a number, a flag, a list (flow or
    block) and a sighting each."""
    data = CommentedMap()
    for number, (key, text, items, flow) in enumerate(entries):
        listed = CommentedSeq(items)
        if flow:
            listed.fa.set_flow_style()
        seen = CommentedSeq([CommentedMap([("document", key), ("line", number + 1)])])
        data[f"{key}{number}"] = CommentedMap([("title", text), ("number", number + 1),
                                               ("flag", flow), ("items", listed), ("seen", seen)])
    return data


@settings(max_examples=300, deadline=None)
@given(ENTRIES)
def test_any_text_is_read_as_ruamel_reads_it_or_left_to_it(entries):
    written = _dump(entries_data(entries))
    quick = load_own_form(written)
    if quick is not None:
        assert shape(quick) == shape(_yaml().load(written))


def events_reading(text):
    """The text read from libyaml's events into ruamel's round-trip types, as litgraph read
    its own form before it read it line by line (``fastdump._own_lines``); _GiveUp where
    ruamel's reading could differ."""
    import yaml
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    from litgraph.references.fastdump import _GiveUp
    from litgraph.references.fastload import _build, plain_value

    flows = []  # per open container: whether its start event is in flow style

    def opened(event):
        if type(event) is yaml.MappingStartEvent and event.flow_style:
            raise _GiveUp  # a flow mapping, {} too
        flows.append(bool(event.flow_style))

    def closed(node):
        if flows.pop() and node:  # ruamel marks no style on an empty []
            node.fa.set_flow_style()

    def scalar(event):
        if event.style not in (None, "", "'") or event.tag not in (None, "!"):
            raise _GiveUp
        if event.style == "'":
            return SingleQuotedScalarString(event.value)
        value = plain_value(event.value)
        if type(value) is int and value == 0:
            raise _GiveUp  # ruamel reads a plain 0 as its own ScalarInt
        return value

    return _build(yaml.parse(text, Loader=yaml.CSafeLoader), CommentedMap, CommentedSeq, scalar,
                  opened, closed)


def test_the_line_reading_of_a_first_extract_is_libyamls_reading(tmp_path):
    from litgraph.references.fastdump import _own_lines

    text = first_extract(tmp_path).read_text(encoding="utf-8")[len(HEADER):]
    assert shape(_own_lines(text)) == shape(events_reading(text))


@pytest.mark.parametrize("text", [
    "a: b #c\n", "a: 'b #c'\n", "a:\n  - - x\n", "a: [b, 'c, d', e]\n", "a: []\n", "a: ''\n",
    "'k: v': w\n", "a: 'it''s'\n", "a:\n- x\n", "a: -5\n", "a: {}\n", "a:\n\n  b: c\n",
    "a: [b, c, ]\n", "a: [b,c]\n", "a:\n  b: 1\n c: 2\n", "a:\n  - b: 1\n    c: [x]\n  - d\n",
    "a: b\nb:\n", "a:  b\n", "a: b \n", "a: yes\n", "a: 0\n", "a: 012\n", "a: 1.5\n",
    "a: b\na: c\n", "a: 'b'c'\n", "a: [x]y\n", "a:\n    b: c\n", "a: ~\n", "a: 2024-01-01\n",
    "? a\n: b\n", "a: &x b\nc: *x\n", "a: !!str 1\n", "a: |\n  b\n", "a: b\r\n", "a:\tb\n",
])
def test_a_text_read_line_by_line_is_what_ruamel_reads_or_left_to_it(text):
    quick = load_own_form(text)
    if quick is not None:
        assert shape(quick) == shape(_yaml().load(text)), text


@settings(max_examples=300, deadline=None)
@given(ENTRIES)
def test_any_text_fast_dump_writes_is_read_back_line_by_line_as_libyaml_reads_it(entries):
    from litgraph.references.fastdump import _Doubtful, _GiveUp, _own_lines

    written = fast_dump(entries_data(entries))
    if written is None:
        return  # ruamel's to write, and to read
    try:
        lines = _own_lines(written)
    except (_GiveUp, _Doubtful):  # a text YAML may read otherwise: ruamel's to read
        assert load_own_form(written) is None
        return
    assert shape(lines) == shape(events_reading(written)) == shape(_yaml().load(written))
    quick = load_own_form(written)  # None where the data read back is not written the same
    assert quick is None or shape(quick) == shape(lines)


def test_merging_into_a_file_read_quickly_writes_what_ruamels_reading_would(tmp_path, monkeypatch):
    import litgraph.references as references_module

    texts, ruamel_readings = [], []
    round_trip = references_module._round_trip
    monkeypatch.setattr(references_module, "_round_trip",
                        lambda *args: ruamel_readings.append(1) or round_trip(*args))
    for quick in (True, False):
        folder = tmp_path / str(quick)
        references = first_extract(folder)
        (folder / "documents" / "note.md").write_text(
            "# A note\n\nAspirin helps [1].\n\n## References\n\n"
            "1. Smith AB, Jones C. A trial of aspirin. Lancet. 2001;357(9):100-5. PMID: 11111111\n",
            encoding="utf-8")
        if not quick:
            monkeypatch.setattr(references_module, "load_own_form", lambda text, header="": None)
        ruamel_readings.clear()
        assert update_from_documents([folder / "documents"], references).written
        assert len(ruamel_readings) == (0 if quick else 1)
        texts.append(references.read_text(encoding="utf-8"))
    assert "11111111" in texts[0]
    assert texts[0] == texts[1]


def test_a_refused_value_in_a_file_read_quickly_is_named_by_its_line(tmp_path):
    references = first_extract(tmp_path)
    text = references.read_text(encoding="utf-8")
    key = text.split("\nsources:\n  ", 1)[1].split(":", 1)[0]
    edited = text.replace(f"\n  {key}:\n", f"\n  {key}:\n    level: high\n", 1)
    assert load_own_form(edited, HEADER) is not None  # still litgraph's form: read quickly
    references.write_text(edited, encoding="utf-8")
    line = edited[:edited.index("level: high")].count("\n") + 1
    where = rf"references.yaml: line {line}, column \d+: .*level"
    with pytest.raises(ReferencesFileError, match=where):
        merge_documents([tmp_path / "documents"], references)


def test_what_a_document_says_ignores_quotes_and_comments_but_not_kinds_or_order():
    from litgraph.references.yamlio import _content

    def read(text):
        return _content(_yaml().load(text))

    assert read("a: 'x'  # noted\nb: [1, 2]\n") == read("a: x\nb:\n- 1\n- 2\n")
    for one, other in [("a: true\n", "a: 1\n"), ("a: 1\n", "a: 1.0\n"), ("a: 1\n", "a: '1'\n"),
                       ("a: 1\nb: 2\n", "b: 2\na: 1\n"), ("a: [x, y]\n", "a: {x: y}\n"),
                       ("a: null\n", "a: ''\n")]:
        assert read(one) != read(other), (one, other)


def test_a_file_is_rewritten_unless_it_holds_the_very_text(tmp_path):
    from litgraph.references.yamlio import write_atomically

    path = tmp_path / "references.yaml"
    path.write_text("sources: {}\n", encoding="utf-8")
    assert write_atomically(path, "sources: []\n") is True  # the same length, other bytes
    assert path.read_text(encoding="utf-8") == "sources: []\n"
    stamp = path.stat().st_mtime_ns
    assert write_atomically(path, "sources: []\n") is False
    assert path.stat().st_mtime_ns == stamp
    assert write_atomically(path, "sources: [é]\n") is True  # longer once encoded
    assert path.read_text(encoding="utf-8") == "sources: [é]\n"
