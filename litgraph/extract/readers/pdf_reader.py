"""PDF -> blocks: the text layer, read with pdfminer.six, then read as plain text.

A PDF without a text layer (a scan) has no text to extract: that is a
DocumentError telling the curator so, as is a damaged file.
"""

import io

from ...errors import UnreadableDocumentError
from ..blocks import BlockDocument
from .text import text_blocks


def pdf_text(data: bytes, path=None) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        text = extract_text(io.BytesIO(data))
    except PDFSyntaxError as exc:
        raise UnreadableDocumentError(f"{path}: malformed PDF ({exc})") from None
    except Exception as exc:  # pdfminer raises many kinds on damaged files
        raise UnreadableDocumentError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    text = text.replace("\f", "\n\n").replace("\u00ad\n", "")
    if not text.strip():
        raise UnreadableDocumentError(f"{path}: PDF has no text layer (a scan?); nothing to extract")
    return text


def read(data: bytes, path=None) -> BlockDocument:
    text = pdf_text(data, path)
    blocks = text_blocks(text)
    title = next((b.text.split("\n")[0] for b in blocks), None)
    return BlockDocument(blocks, "pdf", title=title, text=text)
