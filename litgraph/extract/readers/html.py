"""HTML -> blocks, with the standard library's HTML parser.

``<h1>``..``<h6>`` are headings, ``<p>``, ``<div>``, ``<blockquote>``,
``<dd>``, ``<td>`` text paragraphs, ``<li>`` list items (numbered from the
``<ol start>`` or the item's ``value``), ``<sup>`` that reads as marker numbers
becomes ``[n]``; links keep their target.  Navigation, headers, footers,
forms, scripts and styles are never read as text.
"""

import html
import re
from html.parser import HTMLParser

from ...errors import UnreadableDocumentError
from ..blocks import Block, BlockDocument, Link
from ..markers import NUMBERS
from .markdown import superscript_marker

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
PARAGRAPHS = {"p", "div", "blockquote", "dd", "dt", "td", "th", "caption", "figcaption",
              "section", "article", "main", "body", "pre", "address", "summary"}
SKIPPED = {"script", "style", "nav", "header", "footer", "noscript", "form", "button", "select",
           "svg", "template", "iframe", "menu"}
VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "source", "area", "base", "col"}


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks = []
        self.current = None  # the open block: [kind, parts, line, extra]
        self.skip_depth = 0
        self.lists = []  # [list id, next number, ordered]
        self.list_count = 0
        self.sup = None
        self.link = None
        self.title = None
        self.in_title = False
        self.open_tags = []

    def _start_block(self, kind, line, **extra):
        self._flush()
        self.current = [kind, [], line, extra, [], []]  # kind, parts, line, extra, sups, links

    def _flush(self):
        if self.current is None:
            return
        kind, parts, line, extra, sups, links = self.current
        text = "".join(parts)
        text = re.sub(r"[ \t\r\f\v]+", " ", text)
        text = re.sub(r" *\n *", "\n", text).strip()
        if text:
            block = Block(kind, text, line, **extra)
            block.superscripts, block.links = sups, links
            self.blocks.append(block)
        self.current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in VOID:
            self.open_tags.append(tag)
        if self.skip_depth or tag in SKIPPED:
            if tag not in VOID:
                self.skip_depth += 1 if (self.skip_depth or tag in SKIPPED) else 0
            return
        line = self.getpos()[0]
        if tag == "title":
            self.in_title = True
        elif tag in HEADINGS:
            self._start_block("heading", line, level=HEADINGS[tag], anchor=attrs.get("id"))
        elif tag in ("ol", "ul"):
            self._flush()
            self.list_count += 1
            start = attrs.get("start")
            number = int(start) if start and start.strip().lstrip("-").isdigit() else 1
            self.lists.append([self.list_count, number, tag == "ol"])
        elif tag == "li":
            list_id, number, ordered = self.lists[-1] if self.lists else (0, 1, False)
            value = attrs.get("value")
            if value and value.strip().isdigit():
                number = int(value)
            self._start_block("item", line, number=number if ordered else None,
                              label=f"{number}." if ordered else "\u2022", list_id=list_id,
                              anchor=attrs.get("id"))
            if self.lists:
                self.lists[-1][1] = number + 1
        elif tag in PARAGRAPHS:
            if self.current is None or self.current[0] != "item":  # a <p> inside <li>: the item
                self._start_block("paragraph", line, anchor=attrs.get("id"))
        elif tag == "br" and self.current is not None:
            self.current[1].append("\n")
        elif tag == "sup":
            self.sup = []
        elif tag == "a" and attrs.get("href"):
            self.link = [attrs["href"], [], None]
            target = attrs["href"][1:] if attrs["href"].startswith("#") else ""
            buffer = self.sup if self.sup is not None else \
                self.current[1] if self.current is not None else None
            if target and buffer is not None and not SENTINELS.search(target):
                buffer.append(f"\x02{target}\x03")  # an in-page link: resolved in read()
                self.link[2] = buffer

    def handle_endtag(self, tag):
        if self.open_tags and tag in self.open_tags:
            while self.open_tags and self.open_tags.pop() != tag:
                pass
        if self.skip_depth:
            if tag not in VOID:
                self.skip_depth -= 1
            return
        if tag == "title":
            self.in_title = False
        elif tag in HEADINGS or tag in PARAGRAPHS or tag == "li":
            if self.current is not None and not (tag in PARAGRAPHS and self.current[0] == "item"):
                self._flush()
        elif tag in ("ol", "ul"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "sup" and self.sup is not None:
            text = "".join(self.sup)
            self.sup = None
            if self.current is not None:
                self.current[4].append(SENTINELS.sub("", text).strip())
                linked = IN_PAGE_LINK.fullmatch(text.strip())
                self.current[1].append(
                    f"\x02{linked.group(1)}\x03{superscript_marker(linked.group(2))}\x04"
                    if linked else superscript_marker(text))
        elif tag == "a" and self.link is not None:
            target, parts, buffer = self.link
            self.link = None
            if buffer is not None:
                buffer.append("\x04")
            if self.current is not None:
                self.current[5].append(Link("".join(parts).strip(), target))

    def handle_data(self, data):
        if self.skip_depth:
            return
        if self.in_title:
            self.title = ((self.title or "") + data).strip()
            return
        if self.link is not None:
            self.link[1].append(data)
        if self.sup is not None:
            self.sup.append(data)
            return
        if self.current is None:
            if not data.strip():
                return
            self._start_block("paragraph", self.getpos()[0])
        self.current[1].append(data.replace("\n", " "))


# An in-page link (<a href="#ref3">[3]</a>) while the page is read: \x02 target \x03 text \x04
SENTINELS = re.compile("[\x02\x03\x04]")
IN_PAGE_LINK = re.compile("\x02([^\x03]*)\x03(.*?)\x04", re.S)
NUMBERS_ONLY = re.compile(rf"[\[(]?{NUMBERS}[\])]?")


def _resolve_in_page_links(blocks) -> None:
    """A link to an entry of this page names it by its id: ``[#id]``, the marker a JATS
    cross-reference gives, in place of a number (the number a link shows need not be the
    entry's place in the list) or after words ("Novak et al."); any other link is its text."""
    anchors = {b.anchor for b in blocks if b.anchor and b.kind in ("item", "paragraph", "footnote")}

    def resolved(match):
        target, text = match.group(1), SENTINELS.sub("", match.group(2))
        if target not in anchors:
            return text
        return f"[#{target}]" if NUMBERS_ONLY.fullmatch(text.strip()) else f"{text}[#{target}]"

    for block in blocks:
        if "\x02" in block.text:
            block.text = SENTINELS.sub("", IN_PAGE_LINK.sub(resolved, block.text))


def read(text: str, path=None) -> BlockDocument:
    if not re.search(r"<[a-zA-Z!]", text[:65536]):
        raise UnreadableDocumentError(f"{path}: not HTML (no tags)")
    reader = _Reader()
    try:
        reader.feed(text)
        left = reader.rawdata
        if left.lstrip().startswith("<"):
            line = reader.getpos()[0]
            raise UnreadableDocumentError(f"{path}:{line}: malformed HTML: the file ends inside "
                                          "a tag or comment (truncated?)")
        reader.close()
    except UnreadableDocumentError:
        raise
    except Exception as exc:  # html.parser is lenient; this is a safety net
        raise UnreadableDocumentError(f"{path}: not readable as HTML ({exc})") from None
    reader._flush()
    _resolve_in_page_links(reader.blocks)
    title = next((b.text for b in reader.blocks if b.kind == "heading"), None) or reader.title
    plain = "\n\n".join(b.text for b in reader.blocks)
    return BlockDocument(reader.blocks, "html", title=html.unescape(title) if title else None,
                         text=plain)
