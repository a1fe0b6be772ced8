"""evidence: the study design -> level mapping, inference, and which level counts."""

import pytest

from litgraph.errors import ReferencesFileError
from litgraph.evidence import (
    PACKAGE_MAP, choose_level, infer_level, load_level_map, mapping_path,
)


def test_publication_types_map_to_levels():
    assert infer_level(["Journal Article", "Meta-Analysis"]) == (1, "publication type: Meta-Analysis")
    assert infer_level(["Randomized Controlled Trial"]) == (
        1, "publication type: Randomized Controlled Trial")
    assert infer_level(["Journal Article", "Multicenter Study"]) == (
        2, "publication type: Multicenter Study")
    assert infer_level(["Case Reports"]) == (3, "publication type: Case Reports")
    assert infer_level(["Consensus Development Conference", "Review"]) == (
        3, "publication type: Consensus Development Conference")
    assert infer_level(["Editorial"]) == (5, "publication type: Editorial")
    # the strongest design of several wins
    assert infer_level(["Review", "Systematic Review"]) == (1, "publication type: Systematic Review")


def test_types_win_over_title_and_nothing_gives_nothing():
    assert infer_level(["Multicenter Study"], title="a case report") == (
        2, "publication type: Multicenter Study")
    assert infer_level(["Journal Article"]) == (None, None)
    assert infer_level() == (None, None)
    assert infer_level(title="Leiomyosarcoma") == (None, None)


@pytest.mark.parametrize("title, expected", [
    ("Leiomyosarcoma of kidney: a case report with long term result", (3, "title: case report")),
    ("Case report: good prognosis in leiomyosarcoma of the kidney", (3, "title: case report")),
    ("an open-label phase 1b and randomised phase 2 trial", (1, "title: randomised trial")),
    ("A randomized trial of X", (1, "title: randomised trial")),
    ("A non-randomized comparison of X", (None, None)),
    ("Sunitinib in sarcoma: a phase II study", (2, "title: phase II trial")),
    ("Grading of soft tissue sarcomas: review and update", (3, "title: review")),
    ("Prognostic features of renal sarcomas (Review)", (3, "title: review")),
    ("a consensus approach from the Trans-Atlantic RPS Working Group", (3, "title: consensus statement")),
    ("a clinicopathologic study of 27 cases", (3, "title: case series")),
    ("the world case series of 67 patients", (3, "title: case series")),
    ("A systematic review and meta-analysis of X", (1, "title: meta-analysis")),
])
def test_title_cues(title, expected):
    assert infer_level(title=title) == expected


def test_kind_is_the_last_resort():
    assert infer_level(title="Abstract 48", kind="conference-abstract") == (
        4, "kind: conference-abstract")


def test_choose_level_curator_then_declared_then_inferred():
    assert choose_level(curator=1, declared=3, inferred=2) == (1, "curator", True)
    assert choose_level(curator=None, declared=3, inferred=3) == (3, "declared", False)
    assert choose_level(curator=None, declared=None, inferred=2) == (2, "inferred", False)
    assert choose_level() == (None, None, False)


def test_mapping_covers_the_designs_the_brief_names():
    types = load_level_map()["publication_types"]
    for name, level in {"Meta-Analysis": 1, "Systematic Review": 1,
                        "Randomized Controlled Trial": 1, "Clinical Trial, Phase III": 1,
                        "Multicenter Study": 2, "Comparative Study": 2,
                        "Observational Study": 2}.items():
        assert types[name] == level
    for name in ("Case Reports", "Review", "Consensus Development Conference", "Guideline",
                 "Practice Guideline"):
        assert 3 <= types[name] <= 5


def test_a_file_beside_references_yaml_overrides(tmp_path):
    references = tmp_path / "references.yaml"
    references.write_text("sources: {}\n")
    assert mapping_path(references) == PACKAGE_MAP
    override = tmp_path / "evidence-levels.yaml"
    override.write_text("publication_types:\n  Case Reports: 5\n"
                        "title_cues:\n  - {pattern: 'case', level: 4, design: cases}\n")
    assert mapping_path(references) == override
    assert mapping_path(tmp_path) == override
    mapping = load_level_map(references)
    assert infer_level(["Case Reports"], mapping=mapping) == (5, "publication type: Case Reports")
    assert infer_level(["Meta-Analysis"], mapping=mapping) == (None, None)
    assert infer_level(title="a case of X", mapping=mapping) == (4, "title: cases")


@pytest.mark.parametrize("text, message", [
    ("publication_types:\n  Review: high\n", ": line 2: level of 'Review' must be a whole number 1..5"),
    ("publication_types:\n  Review: 9\n", ": line 2: level of 'Review' must be a whole number 1..5"),
    ("publication_types:\n  Review: 3\n Case Reports: 3\n", ": line 3, column 2: "),
    ("title_cues:\n  - {pattern: 'x', level: 0}\n", ": line 2: a title cue needs a pattern and a level"),
    ("title_cues:\n  - {pattern: '(', level: 2}\n", ": line 2: bad pattern"),
])
def test_bad_mapping_file(tmp_path, text, message):
    path = tmp_path / "evidence-levels.yaml"
    path.write_text(text)
    with pytest.raises(ReferencesFileError) as info:
        load_level_map(path)
    assert str(info.value).startswith(str(path) + ":")
    assert message in str(info.value)
