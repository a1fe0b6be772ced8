"""The boilerplate profile: what extract never makes a claim of (``boilerplate.yaml``).

``load_boilerplate(extra_path=None)`` reads the bundled profile and, when
given, a curator's file beside references.yaml; it returns two compiled
patterns, for sentences and for section headings.

>>> profile = load_boilerplate()
>>> bool(profile.sentences.search("Sign up for our newsletter"))
True
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ruamel.yaml import YAML

from ..errors import ReferencesFileError

BUNDLED = Path(__file__).with_name("boilerplate.yaml")


@dataclass(frozen=True)
class BoilerplateProfile:
    sentences: re.Pattern
    sections: re.Pattern


def _patterns(path) -> tuple:
    try:
        data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8")) or {}
    except Exception as exc:
        raise ReferencesFileError(f"{path}: not a readable boilerplate profile ({exc})") from None
    if not isinstance(data, dict):
        raise ReferencesFileError(f"{path}: a boilerplate profile is a mapping "
                                  "(sentences:, sections:)")
    out = []
    for name in ("sentences", "sections"):
        items = data.get(name) or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ReferencesFileError(f"{path}: {name} must be a list of patterns")
        for item in items:
            try:
                re.compile(item)
            except re.error as exc:
                raise ReferencesFileError(f"{path}: {name}: bad pattern {item!r} ({exc})") from None
        out.append(tuple(items))
    return tuple(out)


@lru_cache(maxsize=8)
def load_boilerplate(extra_path=None) -> BoilerplateProfile:
    """The bundled profile, plus a curator's (a path, or None)."""
    sentences, sections = _patterns(BUNDLED)
    if extra_path is not None and Path(extra_path).is_file():
        more_sentences, more_sections = _patterns(extra_path)
        sentences, sections = sentences + more_sentences, sections + more_sections
    compiled = [re.compile("|".join(f"(?:{p})" for p in group) or r"(?!)", re.I)
                for group in (sentences, sections + sentences)]
    return BoilerplateProfile(*compiled)
