"""reStructuredText -> blocks, with docutils (no file inclusion, no raw HTML).

Sections are headings (level = depth), paragraphs, enumerated and bullet list
items, footnotes (``.. [1]``, ``.. [#note]``) and citations (``.. [Smith2019]``)
become footnote blocks; their references in the text become ``[^label]``.
An error in the document's structure (e.g. a title overline without its
underline) is an UnreadableDocumentError naming the line; an unknown directive or role
(Sphinx's, say) is not: its text is simply left out.
"""

import io
import re

from docutils import nodes
from docutils.core import publish_doctree
from docutils.utils import SystemMessage

from ...errors import UnreadableDocumentError
from ..blocks import Block, BlockDocument, Link

UNKNOWN = re.compile(r"Unknown (?:directive type|interpreted text role)|No (?:directive|role) entry")
SETTINGS = {"report_level": 5, "halt_level": 5, "file_insertion_enabled": False,
            "raw_enabled": False, "warning_stream": io.StringIO(), "input_encoding": "unicode",
            "_disable_config": True, "embed_stylesheet": False}


def _inline(node, block):
    out = []
    for child in node.children:
        if isinstance(child, (nodes.footnote_reference, nodes.citation_reference)):
            refid = child.get("refid") or child.astext()
            out.append(f"[^{refid}]")
        elif isinstance(child, nodes.reference):
            if child.get("refuri"):
                block.links.append(Link(child.astext(), child["refuri"]))
            out.append(child.astext())
        elif isinstance(child, nodes.superscript):
            block.superscripts.append(child.astext())
            text = child.astext().strip()
            out.append(f"[{text}]" if text.replace(",", "").replace("-", "").isdigit() else text)
        elif isinstance(child, nodes.Text):
            out.append(str(child))
        elif isinstance(child, (nodes.system_message, nodes.target)):
            continue
        else:
            out.append(_inline(child, block))
    return "".join(out)


def _line(node, fallback):
    while node is not None:
        if getattr(node, "line", None):
            return node.line
        node = node.parent
    return fallback


def _walk(node, blocks, depth):
    for child in node.children:
        if isinstance(child, nodes.section):
            _walk(child, blocks, depth + 1)
        elif isinstance(child, nodes.title):
            blocks.append(Block("heading", child.astext(), _line(child, 1), level=max(depth, 1)))
        elif isinstance(child, nodes.paragraph):
            block = Block("paragraph", "", _line(child, blocks[-1].line if blocks else 1))
            block.text = _inline(child, block).strip()
            blocks.append(block)
        elif isinstance(child, (nodes.enumerated_list, nodes.bullet_list)):
            ordered = isinstance(child, nodes.enumerated_list)
            start = child.get("start", 1)
            for offset, item in enumerate(c for c in child.children
                                          if isinstance(c, nodes.list_item)):
                block = Block("item", "", _line(item, blocks[-1].line if blocks else 1),
                              number=start + offset if ordered else None,
                              label=f"{start + offset}." if ordered else "\u2022",
                              list_id=id(child))
                block.text = "\n".join(_inline(p, block).strip() for p in item.children
                                       if isinstance(p, nodes.paragraph))
                blocks.append(block)
                nested = [c for c in item.children if not isinstance(c, nodes.paragraph)]
                if nested:
                    holder = nodes.Element()
                    holder.children = nested
                    _walk(holder, blocks, depth)
        elif isinstance(child, (nodes.footnote, nodes.citation)):
            label = child.children[0].astext() if child.children and isinstance(
                child.children[0], nodes.label) else None
            anchor = (child.get("ids") or [label])[0]
            block = Block("footnote", "", _line(child, 1), label=label, anchor=anchor,
                          number=int(label) if label and label.isdigit() else None)
            block.text = "\n".join(_inline(p, block).strip() for p in child.children
                                   if isinstance(p, nodes.paragraph))
            blocks.append(block)
        elif isinstance(child, (nodes.block_quote, nodes.container, nodes.topic, nodes.sidebar,
                                nodes.admonition, nodes.note, nodes.compound)):
            _walk(child, blocks, depth)


def read(text: str, path=None) -> BlockDocument:
    settings = dict(SETTINGS, warning_stream=io.StringIO())
    try:
        tree = publish_doctree(text, source_path=str(path) if path else None,
                               settings_overrides=settings)
    except SystemMessage as exc:
        message = str(exc).replace("\n", " ")
        raise UnreadableDocumentError(f"{path}: malformed reStructuredText ({message})") from None
    except Exception as exc:
        raise UnreadableDocumentError(f"{path}: not readable as reStructuredText ({exc})") from None
    for message in tree.findall(nodes.system_message):
        first = message.children[0] if message.children else message
        text = first.astext().split("\n")[0]
        if message.get("level", 0) >= 3 and not UNKNOWN.search(text):
            line = message.get("line") or "?"
            raise UnreadableDocumentError(f"{path}:{line}: malformed reStructuredText ({text})")
    blocks = []
    title = tree.get("title")
    _walk(tree, blocks, 0)
    return BlockDocument([b for b in blocks if b.text.strip()], "rst", title=title, text=text)
