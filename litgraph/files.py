"""Writing a text file atomically: the one way litgraph replaces a file it owns.

The text goes to a temporary file beside the target, is flushed to disk, gets
the target's mode (or, for a new file, the usual mode under the umask: mkstemp's
is owner-only), and is renamed over the target; on any error the temporary file
is removed and the target is left as it was.
"""

import os
import tempfile
from pathlib import Path


def replace_text_file(target, text: str, mode=None, destination=None) -> Path:
    """Write ``text`` to ``target`` atomically; returns the path it was renamed to.

    ``mode`` is the file mode to give (None: the usual mode for a new file).
    ``destination``, when given, is called just before the rename and returns
    where the file goes (``target``, or a path beside it): the last moment at
    which to look whether someone else changed the target meanwhile.
    """
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode & 0o777)
        final = Path(destination()) if destination else target
        os.replace(tmp, final)
        return final
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
