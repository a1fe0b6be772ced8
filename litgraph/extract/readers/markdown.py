"""Markdown -> blocks, with markdown-it-py (CommonMark) and its footnote plugin.

Headings keep their level, list items their number (``1.``, ``1)``) or
bullet, footnote definitions (``[^key]: ...``) become footnote blocks and
footnote references ``[^key]`` stay in the text in that canonical form.
Inline HTML ``<sup>3</sup>`` and Pandoc's ``^3^`` become ``[3]``.
"""

import re

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from ...errors import UnreadableDocumentError
from ..blocks import Block, BlockDocument, Link
from ..markers import CARET, NUMBERS  # CARET: a pandoc superscript ^2^, never a footnote's [^2]

_PARSER = None
SUP_HTML = re.compile(r"<sup>\s*([^<]{1,40}?)\s*</sup>", re.I)
NUMERIC = re.compile(rf"^\[?{NUMBERS}\]?$")


def _parser():
    global _PARSER
    if _PARSER is None:
        _PARSER = MarkdownIt("commonmark").use(footnote_plugin).enable("table")
    return _PARSER


def superscript_marker(text):
    """``[3]`` for a superscript that reads as marker numbers, else the text itself."""
    text = text.strip()
    if NUMERIC.match(text):
        return "[" + text.strip("[]") + "]"
    return text


def _inline(token, block, definitions=None, cited=None):
    """The text of an inline token.  ``definitions`` (href -> label of the document's link
    reference definitions, ``[1]: https://doi.org/...``): a link to one, in a paragraph, is a
    marker of that definition, ``[^label]`` (in place of a number it shows), its label added
    to ``cited``."""
    out = []
    link = None
    for child in token.children or []:
        kind = child.type
        if kind == "text":
            out.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "code_inline":
            out.append(child.content)
        elif kind == "footnote_ref":
            out.append(f"[^{child.meta['label']}]")
        elif kind == "link_open":
            link = [child.attrGet("href") or "", len(out)]
        elif kind == "link_close" and link:
            text = "".join(out[link[1]:])
            block.links.append(Link(text, link[0]))
            label = (definitions or {}).get(link[0])
            if label is not None:
                marker = f"[^{label}]"
                out[link[1]:] = [marker] if text.strip().isdigit() else [text, marker]
                cited.add(label)
            link = None
        elif kind == "image":
            out.append(child.content or "")
        elif kind == "html_inline":
            out.append(child.content)
    text = "".join(out)

    def sup(match):
        block.superscripts.append(match.group(1))
        return superscript_marker(match.group(1))

    text = SUP_HTML.sub(sup, text)
    text = re.sub(r"</?[a-zA-Z][^<>]{0,200}>", "", text)
    text = CARET.sub(lambda m: (block.superscripts.append(m.group(1)), f"[{m.group(1)}]")[1], text)
    return text


def _cited_definitions(references, cited) -> list:
    """The link reference definitions a paragraph cites (``[1]: https://doi.org/... "Title"``)
    as footnote blocks, their title and target the note's text."""
    blocks = []
    for label in sorted(cited, key=lambda k: (references[k].get("map") or [0])[0]):
        definition = references[label]
        text = " ".join(part for part in (definition.get("title"), definition.get("href")) if part)
        line = (definition.get("map") or [0])[0] + 1
        blocks.append(Block("footnote", text, line, label=label, anchor=label))
    return blocks


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*\n", re.S)


def read(text: str, path=None) -> BlockDocument:
    front = FRONT_MATTER.match(text)
    meta_title = None
    if front:  # YAML front matter: metadata, never claims; blank lines keep the numbering
        found = re.search(r"^title:\s*[\"']?(.+?)[\"']?\s*$", front.group(1), re.M)
        meta_title = found.group(1) if found else None
        text = "\n" * front.group(0).count("\n") + text[front.end():]
    env = {}
    try:
        tokens = _parser().parse(text, env)
    except Exception as exc:  # markdown-it accepts any text; this is a safety net
        raise UnreadableDocumentError(f"{path}: not readable as Markdown ({exc})") from None
    references = env.get("references") or {}
    definitions = {}  # href -> the label of the first definition giving it
    for label, definition in references.items():
        definitions.setdefault(definition.get("href"), label)
    cited = set()
    blocks, lists, item_stack = [], [], []
    footnote = None
    heading = None
    list_count = 0
    for token in tokens:
        line = token.map[0] + 1 if token.map else (blocks[-1].line if blocks else 1)
        kind = token.type
        if kind == "heading_open":
            heading = Block("heading", "", line, level=int(token.tag[1]))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            list_count += 1
            start = token.attrGet("start")
            lists.append([list_count, int(start) if start is not None else 1,
                          kind == "ordered_list_open", token.markup])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            list_id, number, ordered, _ = lists[-1]
            lists[-1][1] = number + 1
            parent = item_stack[-1] if item_stack else None
            if ordered and parent is not None and parent.line == line and not parent.text:
                # "2. 2020. Title ...": CommonMark opens a list inside item 2, but an item
                # that opens on its parent's line is the parent's text (ACM's year, first)
                parent.text = f"{token.info or number}{token.markup}"
                item_stack.append(parent)
                continue
            label = f"{number}{token.markup}" if ordered else token.markup
            item = Block("item", "", line, number=number if ordered else None, label=label,
                         list_id=list_id)
            item_stack.append(item)
            blocks.append(item)
        elif kind == "list_item_close":
            item_stack.pop()
        elif kind == "footnote_open":
            label = token.meta.get("label")
            footnote = Block("footnote", "", line, label=label, anchor=label)
            footnote.number = int(label) if label and label.isdigit() else None
            blocks.append(footnote)
        elif kind == "footnote_close":
            footnote = None
        elif kind == "inline":
            if heading is not None:
                heading.text = _inline(token, heading).strip()
                blocks.append(heading)
                heading = None
                continue
            owner = footnote or (item_stack[-1] if item_stack else None)
            if owner is not None and (owner.kind == "footnote" or not _has_later(blocks, owner)):
                piece = _inline(token, owner).strip()
                owner.text = (owner.text + "\n" + piece).strip("\n") if owner.text else piece
                if owner.kind == "footnote" and token.map is None and owner.line == 1:
                    owner.line = line
            else:
                block = Block("paragraph", "", line)
                block.text = _inline(token, block, definitions, cited).strip()
                blocks.append(block)
        elif kind == "fence" or kind == "code_block":
            continue
    _footnote_lines(blocks, text)
    blocks += _cited_definitions(references, cited)
    title = meta_title or next((b.text for b in blocks if b.kind == "heading"), None)
    return BlockDocument([b for b in blocks if b.text.strip()], "markdown", title=title, text=text)


def _has_later(blocks, owner):
    """True when a nested list already followed ``owner`` (its later text is a new paragraph)."""
    return blocks and blocks[-1] is not owner


def _footnote_lines(blocks, text):
    """Footnote definitions carry no source map: find the line each starts on."""
    starts = {}
    for number, line in enumerate(text.split("\n"), start=1):
        match = re.match(r"^\s{0,3}\[\^([^\]]+)\]:", line)
        if match:
            starts.setdefault(match.group(1), number)
    for block in blocks:
        if block.kind == "footnote" and block.label in starts:
            block.line = starts[block.label]
