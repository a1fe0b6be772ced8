"""A progress bar for long steps that shows only where a person is watching.

``progress(iterable, label, enabled)`` yields the items of ``iterable``.  It
draws click's progress bar on stderr only when ``enabled`` is true, stderr is
a terminal and the ``CI`` environment variable is unset; in CI, under
``--quiet`` or when output is piped it is a plain pass-through, so logs and
captured output stay clean.

>>> list(progress([1, 2, 3], "Resolving", enabled=False))
[1, 2, 3]
"""

import os
import sys


def progress_wanted(enabled: bool = True, stream=None) -> bool:
    """Whether a bar should be drawn: asked for, stderr a terminal, not in CI."""
    if not enabled or os.environ.get("CI"):
        return False
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def progress(iterable, label: str, enabled: bool = True, length=None, stream=None):
    """Yield every item of ``iterable``, with a bar on a terminal.

    ``length`` is the number of items when ``iterable`` has no ``len()`` (a
    generator); without it the bar shows a count instead of a percentage.
    """
    if not progress_wanted(enabled, stream):
        yield from iterable
        return
    import click  # only here: the library does not otherwise depend on click

    if length is None:
        try:
            length = len(iterable)
        except TypeError:
            length = None
    with click.progressbar(iterable, length=length, label=label,
                           file=sys.stderr if stream is None else stream) as bar:
        yield from bar
