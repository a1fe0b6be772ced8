"""The progress hook: how a long step says how far it is without drawing anything itself.

The library never prints.  A step that loops over batches (the E-utilities
client's efetch and elink batches) passes them through a *progress hook*
when one is set: a callable ``hook(items, label, length)`` that yields the
same items and may show the progress somewhere.  The command line sets one that
draws a bar on a terminal (``litgraph.cli.progress_bar``); a test may set its
own; the default, ``None``, shows nothing.

>>> list(with_progress(None, [1, 2, 3], "Resolving"))
[1, 2, 3]
>>> seen = []
>>> def note(items, label, length):
...     seen.append((label, length))
...     return items
>>> list(with_progress(note, [1, 2, 3], "Resolving")), seen
([1, 2, 3], [('Resolving', 3)])
"""

from collections.abc import Iterable
from typing import Optional, Protocol, TypeVar

T = TypeVar("T")


class ProgressHook(Protocol):
    """Yields every item of ``items`` (``length`` of them, in order), showing progress
    labelled ``label``."""

    def __call__(self, items: Iterable[T], label: str, length: int) -> Iterable[T]: ...


def with_progress(hook: Optional[ProgressHook], items: Iterable[T], label: str,
                  length: Optional[int] = None) -> Iterable[T]:
    """``items`` through ``hook`` when one is set and there is more than one item.

    ``length`` counts the items of an iterator; without it ``items`` is read first.
    """
    if length is None:
        items = list(items)
        length = len(items)
    if hook is None or length < 2:
        return items
    return hook(items, label, length)
