"""Plain text (and the text layer of a PDF) -> blocks.

Paragraphs are separated by blank lines; a short line standing alone without
a full stop is a heading; lines opening with a list label (``[3]``, ``3.``,
``3)``, ``#.``, a bullet) start list items, and the lines that follow them
without a blank line (hanging lines) belong to that item.
"""

import re

from ..blocks import Block, BlockDocument
from ..sentences import TRAILING_MARKERS

LABEL = re.compile(r"^\s*(?:\[(?P<bracket>\d{1,6})\]|(?P<dot>\d{1,6})[.)](?=\s)|(?P<hash>#\.)(?=\s)|"
                   r"(?P<bullet>[\u2022\u00b7\u25aa\u25cf\u2013*+]|-(?=\s)))\s*")


def _is_heading_line(line, alone):
    text = line.strip()
    if not alone or not text or len(text) > 80 or len(text.split()) > 10:
        return False
    ended = TRAILING_MARKERS.sub("", text) or text  # a sentence's markers after its full stop
    if ended[-1] in ".,;:!?\"\u201d)" or LABEL.match(line) and not re.match(r"^\d+(\.\d+)*\.?\s+[A-Z]", text):
        return False
    return bool(re.search(r"[A-Za-z\u00c0-\u024f]", text)) and (text[0].isupper() or text[0].isdigit())


def text_blocks(text: str, first_line: int = 1) -> list:
    """The blocks of a plain text."""
    blocks, lines = [], text.split("\n")
    para, list_id, number = [], 0, 0
    in_list = False

    def flush():
        nonlocal para
        if para:
            start, chunk = para[0][0], [t.strip() for _, t in para]
            alone = len(chunk) == 1
            if _is_heading_line(chunk[0], alone):
                blocks.append(Block("heading", chunk[0], start, level=1))
            else:
                blocks.append(Block("paragraph", "\n".join(chunk), start))
        para = []

    for offset, line in enumerate(lines):
        lineno = first_line + offset
        if not line.strip():
            flush()
            in_list = bool(blocks and blocks[-1].kind == "item")
            continue
        label = LABEL.match(line)
        if label and not (label.group("dot") and _is_heading_line(line, True)):
            flush()
            if not (blocks and blocks[-1].kind == "item"):
                list_id += 1
                number = 0
            number += 1
            value = label.group("bracket") or label.group("dot")
            shown = f"[{value}]" if label.group("bracket") else (
                f"{value}." if value else label.group(0).strip())
            blocks.append(Block("item", line[label.end():].strip(), lineno,
                                number=int(value) if value else number, label=shown,
                                list_id=list_id))
            in_list = True
            continue
        if blocks and blocks[-1].kind == "item" and not para and in_list and \
                (line[:1].isspace() or offset and lines[offset - 1].strip()):
            blocks[-1].text += "\n" + line.strip()  # a hanging line of the item
            continue
        para.append((lineno, line))
        in_list = False
    flush()
    return blocks


def read(text: str, path=None) -> BlockDocument:
    blocks = text_blocks(text)
    title = next((b.text for b in blocks if b.kind in ("heading", "paragraph")), None)
    return BlockDocument(blocks, "text", title=title.split("\n")[0] if title else None, text=text)
