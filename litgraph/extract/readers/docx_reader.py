"""Word (``.docx``) -> blocks, with python-docx.

Paragraph styles ``Title`` and ``Heading N`` are headings; list paragraphs
(a ``List ...`` style or Word numbering) are items, numbered in order within a
run of items; runs set in superscript that read as marker numbers become
``[n]``; hyperlinks keep their target.  Word's footnotes and endnotes (read
from the package's footnotes.xml and endnotes.xml, which python-docx leaves
out) are footnote blocks after the body, their references in the text
``[^fn3]`` and ``[^en3]``.  A block's ``line`` is the paragraph's position in
the document (1-based); a note's comes after the last paragraph's.
"""

import io
import re
import zipfile

from ...errors import UnreadableDocumentError
from ..blocks import Block, BlockDocument, Link
from .markdown import superscript_marker


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NOTES = (("word/footnotes.xml", "footnote", "fn"), ("word/endnotes.xml", "endnote", "en"))


def _paragraph_text(paragraph, block):
    out = []
    for item in paragraph.iter_inner_content():
        runs = item.runs if hasattr(item, "address") else [item]
        if hasattr(item, "address") and item.address:
            block.links.append(Link(item.text, item.address))
        for run in runs:
            if run.font.superscript:
                block.superscripts.append(run.text)
                out.append(superscript_marker(run.text))
            else:
                out.append(run.text)
            out.extend(_note_references(run._r))
    return "".join(out).strip()


def _note_references(run) -> list:
    """``[^fn3]`` / ``[^en3]`` for the footnote and endnote references a run holds."""
    return [f"[^{prefix}{ref.get(W + 'id')}]" for _part, kind, prefix in NOTES
            for ref in run.iter(f"{W}{kind}Reference") if ref.get(W + "id")]


def _notes(data: bytes, first_line: int) -> list:
    """The footnotes and endnotes of the package as footnote blocks (Word's separators, which
    are notes of a type, left out)."""
    from lxml import etree

    blocks = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for part, kind, prefix in NOTES:
            if part not in package.namelist():
                continue
            root = etree.fromstring(package.read(part))
            for note in root.iter(f"{W}{kind}"):
                if note.get(W + "type") not in (None, "normal") or note.get(W + "id") is None:
                    continue
                text = " ".join(" ".join("".join(t.text or "" for t in paragraph.iter(f"{W}t"))
                                         .split()) for paragraph in note.iter(f"{W}p")).strip()
                if text:
                    key = f"{prefix}{note.get(W + 'id')}"
                    blocks.append(Block("footnote", text, first_line + len(blocks), label=key,
                                        anchor=key))
    return blocks


def read(data: bytes, path=None) -> BlockDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = list(document.paragraphs)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocumentError(f"{path}: not a readable Word document ({exc})") from None
    except Exception as exc:  # lxml errors inside the package
        raise UnreadableDocumentError(f"{path}: malformed Word document ({exc})") from None
    blocks, list_id, number = [], 0, 0
    for position, paragraph in enumerate(paragraphs, start=1):
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = re.match(r"Heading\s*(\d)", style)
        numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
        if style == "Title" or heading:
            block = Block("heading", "", position, level=int(heading.group(1)) if heading else 1)
        elif style.startswith("List") or numbered:
            if not (blocks and blocks[-1].kind == "item" and blocks[-1].line == position - 1):
                list_id += 1
                number = 0
            number += 1
            ordered = "Number" in style or (numbered and "Bullet" not in style)
            block = Block("item", "", position, number=number if ordered else None,
                          label=f"{number}." if ordered else "\u2022", list_id=list_id)
        else:
            block = Block("paragraph", "", position)
        block.text = _paragraph_text(paragraph, block)
        if block.text:
            blocks.append(block)
    try:
        blocks += _notes(data, len(paragraphs) + 1)
    except Exception as exc:  # lxml errors inside the package
        raise UnreadableDocumentError(f"{path}: malformed Word notes ({exc})") from None
    title = document.core_properties.title or next(
        (b.text for b in blocks if b.kind == "heading"), None)
    return BlockDocument(blocks, "docx", title=title,
                         text="\n\n".join(b.text for b in blocks))
