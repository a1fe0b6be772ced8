"""The progress hook: how a long step says how far it is without drawing anything itself.

The library never prints.  A step that loops over batches (the E-utilities
client's efetch and elink batches) passes them through a *progress hook*
when one is set: a callable ``hook(items, label)`` that yields the same
items and may show the progress somewhere.  The command line sets one that
draws a bar on a terminal (``litgraph.cli.progress_bar``); a test may set its
own; the default, ``None``, shows nothing.

>>> list(with_progress(None, [1, 2, 3], "Resolving"))
[1, 2, 3]
>>> seen = []
>>> def note(items, label):
...     seen.append((label, len(items)))
...     return items
>>> list(with_progress(note, [1, 2, 3], "Resolving")), seen
([1, 2, 3], [('Resolving', 3)])
"""

from collections.abc import Iterable, Sequence
from typing import Optional, Protocol, TypeVar

T = TypeVar("T")


class ProgressHook(Protocol):
    """Yields every item of ``items`` (in order), showing progress labelled ``label``."""

    def __call__(self, items: Sequence[T], label: str) -> Iterable[T]: ...


def with_progress(hook: Optional[ProgressHook], items: Iterable[T], label: str) -> Iterable[T]:
    """``items`` through ``hook`` when one is set and there is more than one item."""
    items = list(items)
    if hook is None or len(items) < 2:
        return items
    return hook(items, label)
