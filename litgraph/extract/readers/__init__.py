"""Document files -> the block model: safety checks, format choice, one reader per format.

``read_blocks(path)`` opens a document safely (a regular file only: devices,
FIFOs and sockets are refused before anything opens them; a symbolic link
must stay inside the folder it sits in or the ``root`` given), picks the
reader by extension, or by content when the extension is unknown, and returns
a ``BlockDocument``.  Every failure is one ``DocumentError`` line naming the
file.

>>> sniff_format(b"<?xml version='1.0'?><article><back><ref-list/></back></article>")
'jats'
>>> sniff_format(b"# Title\\n\\nText [^a].\\n\\n[^a]: A note.\\n")
'markdown'
"""

import os
import re
import stat
from pathlib import Path

from ...errors import DocumentError, UnreadableDocumentError

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # documented limit: larger documents are refused
SUFFIX_FORMATS = {
    ".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".xml": "jats", ".nxml": "jats",
    ".rst": "rst", ".rest": "rst", ".docx": "docx", ".pdf": "pdf",
}
DOCUMENT_SUFFIXES = tuple(SUFFIX_FORMATS)
BINARY_FORMATS = ("docx", "pdf")


def check_document_file(path, root=None) -> Path:
    """The path, if it names a regular file a document may be read from; DocumentError if not.

    ``root``: the folder the document must stay inside (default: the folder the
    path names it in).  A symbolic link that leads out of it is refused.
    """
    path = Path(path)
    try:
        link = os.lstat(path)
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such document") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
    folder = Path(os.path.abspath(root if root is not None else path.parent))
    if stat.S_ISLNK(link.st_mode) or root is not None:
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise DocumentError(f"{path}: a symbolic link to nothing (or a loop)") from None
        if not target.is_relative_to(folder.resolve()):
            what = "a symbolic link" if stat.S_ISLNK(link.st_mode) else "a document"
            raise DocumentError(f"{path}: {what} that leads outside {folder}; refused")
    try:
        info = os.stat(path)
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise DocumentError(f"{path}: a folder, not a document")
    if not stat.S_ISREG(info.st_mode):
        raise DocumentError(f"{path}: not a regular file (a device, pipe or socket); refused")
    if info.st_size > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{path}: {info.st_size} bytes is over the {MAX_DOCUMENT_BYTES} byte "
                            "limit for one document; split it")
    return path


def read_bytes(path, root=None) -> bytes:
    """The bytes of a checked document file (never more than the limit)."""
    path = check_document_file(path, root)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # never blocks, even if swapped for a FIFO
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped since the check
            raise DocumentError(f"{path}: not a regular file; refused")
        data = handle.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{path}: over the {MAX_DOCUMENT_BYTES} byte limit for one document; "
                            "split it")
    return data


def decode_text(path, data: bytes) -> str:
    """UTF-8 text of a text-format document, or UnreadableDocumentError naming the file and
    line."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise UnreadableDocumentError(f"{path}:{line}: binary file (NUL byte), not a text document")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableDocumentError(f"{path}:{line}: not valid UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise UnreadableDocumentError(f"{path}: empty document")
    return text.replace("\r\n", "\n").replace("\r", "\n")


_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<body[\s>]|<(?:p|div|h[1-6]|ol|ul)[\s>]", re.I)
_JATS = re.compile(rb"<article[\s>]|<ref-list[\s>]|<!DOCTYPE\s+article|<mixed-citation|"
                   rb"<element-citation")
_RST = re.compile(rb"^(?:\.\. [\w-]+::|\.\. \[[\w#*]+\]|[=\-~^\"'`#*+]{3,}\s*$)", re.M)
_MARKDOWN = re.compile(rb"^(?:#{1,6} \S|\[\^[^\]]+\]:|```|\d+\. \S.*\n\d+\. )", re.M)


def sniff_format(head: bytes) -> str:
    """The format of a document from its first bytes (for unknown extensions)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    sample = head[:65536]
    if _JATS.search(sample):
        return "jats"
    if _HTML.search(sample):
        return "html"
    if _MARKDOWN.search(sample):
        return "markdown"
    if _RST.search(sample):
        return "rst"
    return "text"


def document_format(path, data: bytes) -> str:
    fmt = SUFFIX_FORMATS.get(Path(path).suffix.lower())
    if fmt == "jats" and not _JATS.search(data[:65536]) and _HTML.search(data[:65536]):
        return "html"  # an .xml that is XHTML
    return fmt or sniff_format(data)


def read_blocks(path, root=None):
    """A ``BlockDocument`` from a document file; DocumentError naming the file on failure."""
    import importlib

    data = read_bytes(path, root)
    fmt = document_format(path, data)
    reader = importlib.import_module(f"{__name__}.{fmt}_reader" if fmt in ("docx", "pdf")
                                     else f"{__name__}.{fmt}")
    if fmt in BINARY_FORMATS:
        if not data:
            raise UnreadableDocumentError(f"{path}: empty document")
        return reader.read(data, path)
    return reader.read(decode_text(path, data), path)
