"""Word (``.docx``) -> blocks, with python-docx.

Paragraph styles ``Title`` and ``Heading N`` are headings; list paragraphs
(a ``List ...`` style or Word numbering) are items, numbered in order within a
run of items; runs set in superscript that read as marker numbers become
``[n]``; hyperlinks keep their target.  A block's ``line`` is the paragraph's
position in the document (1-based).
"""

import io
import re
import zipfile

from ...errors import UnreadableDocumentError
from ..blocks import Block, BlockDocument, Link
from .markdown import superscript_marker


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
    return "".join(out).strip()


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
    title = document.core_properties.title or next(
        (b.text for b in blocks if b.kind == "heading"), None)
    return BlockDocument(blocks, "docx", title=title,
                         text="\n\n".join(b.text for b in blocks))
