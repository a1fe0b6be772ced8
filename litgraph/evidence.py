"""Evidence levels: infer one from a study design, and pick the one that counts.

The mapping from study design to level lives in ``evidence_levels.yaml`` (in
the package), which curators read and edit; a file named
``evidence-levels.yaml`` beside references.yaml replaces it for a project.

>>> infer_level(["Journal Article", "Multicenter Study"])
(2, 'publication type: Multicenter Study')
>>> infer_level(title="Leiomyosarcoma of kidney: a case report")
(3, 'title: case report')
>>> choose_level(curator=None, declared=3, inferred=2)
(3, 'declared', True)
"""

import re
from functools import lru_cache
from pathlib import Path

from .errors import ReferencesFileError
from .yamlfile import load_curated_yaml

PACKAGE_MAP = Path(__file__).with_name("evidence_levels.yaml")
OVERRIDE_NAME = "evidence-levels.yaml"
LEVELS = range(1, 6)
LOW_LEVEL = 3  # "low-level evidence" means this level or weaker


def mapping_path(path=None) -> Path:
    """Which mapping file applies.

    ``path`` may be a mapping file, a folder, or the references.yaml of a
    project (then an ``evidence-levels.yaml`` beside it wins if present).
    """
    if path is None:
        return PACKAGE_MAP
    path = Path(path)
    if path.is_dir():
        candidate = path / OVERRIDE_NAME
        return candidate if candidate.is_file() else PACKAGE_MAP
    if path.name in (OVERRIDE_NAME, PACKAGE_MAP.name):
        return path
    candidate = path.parent / OVERRIDE_NAME
    return candidate if candidate.is_file() else PACKAGE_MAP


def load_level_map(path=None) -> dict:
    """The study design -> level mapping (see ``mapping_path`` for ``path``).

    Raises ReferencesFileError naming the file, line and column when the file
    is not valid YAML or maps something to a level outside 1..5.
    """
    target = mapping_path(path)
    stat = target.stat()
    return _load(str(target), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path, _mtime, _size) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise ReferencesFileError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    data = load_curated_yaml(text, path) or {}  # no aliases, bounded nesting
    if not isinstance(data, dict):
        raise ReferencesFileError(f"{path}: line 1: expected a mapping (publication_types, "
                                  "title_cues, kinds)")
    types = dict(data.get("publication_types") or {})
    for name, level in types.items():
        if not isinstance(level, int) or isinstance(level, bool) or level not in LEVELS:
            line = data["publication_types"].lc.key(name)[0] + 1
            raise ReferencesFileError(
                f"{path}: line {line}: level of {name!r} must be a whole number 1..5, not {level!r}")
    cues = []
    for cue in data.get("title_cues") or []:
        level = cue.get("level")
        if not isinstance(level, int) or level not in LEVELS or not cue.get("pattern"):
            line = cue.lc.line + 1 if hasattr(cue, "lc") else "?"
            raise ReferencesFileError(f"{path}: line {line}: a title cue needs a pattern and a level "
                                      "1..5")
        try:
            compiled = re.compile(str(cue["pattern"]), re.I)
        except re.error as exc:
            raise ReferencesFileError(f"{path}: line {cue.lc.line + 1}: bad pattern: {exc}") from None
        cues.append({"pattern": compiled, "level": level,
                     "design": str(cue.get("design") or cue["pattern"])})
    kinds = {str(k): int(v) for k, v in (data.get("kinds") or {}).items()}
    return {"publication_types": types, "title_cues": cues, "kinds": kinds}


def infer_level(publication_types=None, title=None, mapping=None, kind=None):
    """(level, the rule that matched) for a study design, or (None, None).

    Publication types win over title cues; among several types the strongest
    level wins.  ``kind`` (e.g. ``conference-abstract``) is the last resort.
    """
    mapping = mapping or load_level_map()
    known = mapping["publication_types"]
    matched = [(known[t], t) for t in (publication_types or []) if t in known]
    if matched:
        level, name = min(matched)
        return level, f"publication type: {name}"
    if title:
        for cue in mapping["title_cues"]:
            if cue["pattern"].search(title):
                return cue["level"], f"title: {cue['design']}"
    if kind and kind in mapping.get("kinds", {}):
        return mapping["kinds"][kind], f"kind: {kind}"
    return None, None


def choose_level(curator=None, declared=None, inferred=None):
    """(level, basis, disagreement): a curator's level wins, then declared, then inferred.

    ``disagreement`` is True when a declared and an inferred level both exist
    and differ, so a curator can look.
    """
    disagreement = declared is not None and inferred is not None and declared != inferred
    if curator is not None:
        return curator, "curator", disagreement
    if declared is not None:
        return declared, "declared", disagreement
    if inferred is not None:
        return inferred, "inferred", disagreement
    return None, None, disagreement
