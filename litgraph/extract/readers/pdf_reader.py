"""PDF -> blocks: the text layer, read with pdfminer.six, then read as plain text.

The text is pdfminer's own rendering of its layout (``extract_text``'s, a test
compares both), with three additions from the typography:

- a running head or page number that another page's top or bottom repeats is
  left out (between two pages it would cut the entry running on across them);
- digits set small and raised (citation marks) are written as superscripts;
- a line set larger than the line after it, or wholly in a bold face where that
  line is not, that reads as a heading (short, no closing punctuation: the
  plain-text reader's rule) stands alone between blank lines.  PDFs rarely leave
  a blank line under a heading: it would open the paragraph after it, and its
  first claim.

A PDF without a text layer (a scan) has no text to extract: that is a
DocumentError telling the curator so, as is a damaged file.
"""

import io
import re
from collections import Counter
from dataclasses import dataclass

from ...errors import UnreadableDocumentError
from ..blocks import BlockDocument
from ..markers import TO_SUPERSCRIPT
from .text import _is_heading_line, text_blocks

# A font name's weight: "Helvetica-Bold", "ABCDEF+Arial-BoldMT", "MinionPro-Semibold"...
BOLD_FACE = re.compile(r"bold|black|heavy|semibold|demi", re.I)
# How much larger than the text after it a heading is set, at least (after 9 pt: 10.35 pt).
LARGER = 1.15


@dataclass
class Line:
    """One line of the layout as pdfminer renders it (its newline included), with the
    font size most of its characters have and whether all of them are bold."""

    text: str
    size: float = None
    bold: bool = False
    characters: int = 0
    page: int = 0
    edge: bool = False  # in the top or bottom band of its page, where running heads are


def pdf_text(data: bytes, path=None) -> str:
    from pdfminer.high_level import extract_pages
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        pieces = list(_rendered_pieces(extract_pages(io.BytesIO(data))))
    except PDFSyntaxError as exc:
        raise UnreadableDocumentError(f"{path}: malformed PDF ({exc})") from None
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        raise UnreadableDocumentError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    text = _with_headings_alone(_without_running_heads(pieces)).replace("\f", "\n\n") \
        .replace("\u00ad\n", "")
    if not text.strip():
        raise UnreadableDocumentError(f"{path}: PDF has no text layer (a scan?); nothing to extract")
    return text


def _rendered_pieces(pages):
    """The text of ``pages`` in the pieces pdfminer's TextConverter writes (a Line per text
    line, plain strings for the rest), so that joined they are ``extract_text``'s text."""
    from pdfminer.layout import LTChar, LTContainer, LTText, LTTextBox, LTTextLine

    def render(item, page):
        if isinstance(item, LTTextLine):
            characters = [c for c in item if isinstance(c, LTChar)]
            sizes = Counter(round(c.size, 1) for c in characters)
            size = sizes.most_common(1)[0][0] if sizes else None
            band = (page.height or 0) * EDGE_BAND
            yield Line(_with_raised_digits(item, characters, size), size,
                       bool(characters) and all(BOLD_FACE.search(c.fontname or "")
                                                for c in characters), len(characters),
                       page.pageid, item.y1 > page.y1 - band or item.y0 < page.y0 + band)
        elif isinstance(item, LTContainer):
            for child in item:
                yield from render(child, page)
        elif isinstance(item, LTText):
            yield item.get_text()
        if isinstance(item, LTTextBox):
            yield "\n"

    for page in pages:
        yield from render(page, page)
        yield "\f"


RAISED = "0123456789,-\u2013"


def _with_raised_digits(line, characters, size) -> str:
    """The line's text, its citation marks written as superscripts: digits (and the commas
    and dashes between them) set smaller than the line and raised above its baseline, as
    Vancouver and AMA print them ("aggressive.1" would read as a number)."""
    from pdfminer.layout import LTChar

    if size is None or not any(c.get_text() in RAISED and c.size < size * 0.8 for c in characters):
        return line.get_text()
    baseline = min((c.y0 for c in characters if round(c.size, 1) == size), default=None)
    out = []
    for child in line:
        text = child.get_text()
        if isinstance(child, LTChar) and text in RAISED and child.size < size * 0.8 \
                and baseline is not None and child.y0 > baseline + size * 0.15:
            text = text.translate(TO_SUPERSCRIPT)
        out.append(text)
    return "".join(out)


# The top and bottom bands of a page (a share of its height) where running heads, feet and
# page numbers stand.
EDGE_BAND = 0.06
_NUMBERS = re.compile(r"\d+")


def _without_running_heads(pieces) -> list:
    """The pieces without the lines a page's top or bottom band repeats from another page's
    (a journal's running head, "Page 2 of 3": numbers aside, the same text): set between two
    pages, one would split the entry that runs on from one page to the next."""
    def shape(line):
        return _NUMBERS.sub("#", " ".join(line.text.split()))

    pages_of = {}
    for piece in pieces:
        if isinstance(piece, Line) and piece.edge and piece.text.strip():
            pages_of.setdefault(shape(piece), set()).add(piece.page)
    repeated = {text for text, pages in pages_of.items() if len(pages) >= 2}
    return [piece for piece in pieces
            if not (isinstance(piece, Line) and piece.edge and shape(piece) in repeated)]


def _with_headings_alone(pieces) -> str:
    """The pieces joined, each heading line set apart by blank lines (see the module).

    A heading is set larger than the line after it, or in bold where that line is not:
    compared with its neighbour, not with the document's commonest size, since a
    reference list in small type can hold more characters than the body text.
    """
    lines = [i for i, p in enumerate(pieces) if isinstance(p, Line) and p.size]
    following = dict(zip(lines, lines[1:]))
    out = []
    for index, piece in enumerate(pieces):
        if not isinstance(piece, Line):
            out.append(piece)
            continue
        after = pieces[following[index]] if index in following else None
        if after is not None and _is_heading_line(piece.text, True) and (
                piece.size >= after.size * LARGER
                or piece.bold and not after.bold and piece.size >= after.size):
            if out and not "".join(out[-2:]).endswith(("\n\n", "\f")) and \
                    "".join(out).strip():
                out.append("\n")
            out.append(piece.text if piece.text.endswith("\n") else piece.text + "\n")
            out.append("\n")
        else:
            out.append(piece.text)
    return "".join(out)


def read(data: bytes, path=None) -> BlockDocument:
    text = pdf_text(data, path)
    blocks = text_blocks(text)
    title = next((b.text.split("\n")[0] for b in blocks), None)
    return BlockDocument(blocks, "pdf", title=title, text=text)
