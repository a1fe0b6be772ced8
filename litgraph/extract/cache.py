"""What extraction found in each document, kept by the document's bytes: ``ExtractionCache``.

A build reads every document again whenever references.yaml changed (a curator's
note is enough), since extract merges what it finds into that file.  A document whose
bytes, path and boilerplate profile are those of an earlier reading by the same litgraph
gives the same ``ExtractedDocument``: the build takes it from here instead of reading
the document again.  The readings are ``litgraph.kept.Kept`` results in a file beside the
database (``cache_path_for``); after a build it holds the readings of that build's
documents and no others.
"""

from pathlib import Path

from ..errors import DocumentError
from ..kept import MISSING, Kept, key_of
from .readers import read_bytes


def cache_path_for(db_path) -> Path:
    """The extraction cache kept beside the database at ``db_path``."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + "-extracted.sqlite")


class ExtractionCache(Kept):
    """Readings of documents: ``key`` of a document as it is now, ``reading`` kept under it."""

    def key(self, document, profile=b""):
        """The key of ``document`` as it is now (its bytes, its path, the bytes of the
        curator's boilerplate ``profile``, litgraph's files), or None when it cannot be read
        (its reading names the problem) or the profile could not (``profile`` None)."""
        if profile is None:
            return None
        try:
            data = read_bytes(document)
        except (DocumentError, OSError):
            return None
        return key_of(str(Path(document)).encode(), profile, data)

    @staticmethod
    def profile_of(boilerplate):
        """The bytes of the curator's boilerplate profile at ``boilerplate`` (b"" without
        one), read once for every document's key; None when it cannot be read."""
        try:
            return Path(boilerplate).read_bytes() if boilerplate else b""
        except OSError:
            return None

    def reading(self, key):
        """The ExtractedDocument kept under ``key``, or None."""
        found = self.get(key)
        return None if found is MISSING else found
