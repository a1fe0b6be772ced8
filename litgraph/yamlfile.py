"""Load the YAML files curators write (references.yaml, evidence-levels.yaml, ...), safely.

A curated file is data a person types, so YAML's aliases (``*name``, which
repeat an anchored node) have no use in it, and nested aliases let a file of a
few hundred bytes expand into billions of nodes ("billion laughs").  They are
refused, as is nesting deeper than MAX_DEPTH, with one line naming the file
and line.  Every other YAML error is reported the same way, shortened to its
first sentence (ruamel's duplicate-key message repeats the whole value).

>>> load_curated_yaml("a: &x [1]\\nb: *x\\n", "demo.yaml")
Traceback (most recent call last):
...
litgraph.errors.ReferencesFileError: demo.yaml: line 2, column 4: YAML aliases (*x) are not allowed in a curated file: write the value out
"""

import re

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent

from .errors import ReferencesFileError

# Deeper than any curated file needs (references.yaml nests four levels), far below
# what would exhaust Python's stack.
MAX_DEPTH = 50
MAX_PROBLEM = 200  # characters of a YAML error message shown


class AliasRefused(MarkedYAMLError):
    """A curated file used a YAML alias."""


class _NoAliasComposer(Composer):
    def compose_node(self, parent, index):
        if self.parser.check_event(AliasEvent):
            event = self.parser.peek_event()
            raise AliasRefused(None, None, f"YAML aliases (*{event.anchor}) are not allowed in a "
                               "curated file: write the value out", event.start_mark)
        return super().compose_node(parent, index)


def curated_yaml(typ: str = "rt") -> YAML:
    """A ruamel YAML that refuses aliases and deep nesting and never writes aliases."""
    yaml = YAML(typ=typ, pure=True)
    yaml.Composer = _NoAliasComposer
    yaml.max_depth = MAX_DEPTH
    yaml.representer.ignore_aliases = lambda data: True  # what we write stays alias-free
    return yaml


def yaml_error_line(path, exc: YAMLError) -> str:
    """One line naming ``path``, the line and column, and the problem (shortened)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
    if type(exc).__name__ == "MaxDepthExceededError":
        problem = f"nested more than {MAX_DEPTH} levels deep"
    duplicate = re.match(r'found duplicate key "(.*?)" with value', problem, re.S)
    if duplicate:
        problem = f"found duplicate key {duplicate.group(1)[:80]!r}"
    problem = " ".join(str(problem).split())
    if len(problem) > MAX_PROBLEM:
        problem = problem[:MAX_PROBLEM] + "..."
    where = f"{path}: line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
    return f"{where}: {problem}"


def load_curated_yaml(text, path, yaml: YAML = None):
    """The data of a curated YAML text; ReferencesFileError (one line) when it is refused."""
    yaml = yaml or curated_yaml()
    try:
        return yaml.load(text)
    except YAMLError as exc:
        raise ReferencesFileError(yaml_error_line(path, exc)) from None
    except RecursionError:
        raise ReferencesFileError(f"{path}: nested too deeply to read") from None
