"""The block model every document reader produces (structure before meaning).

A document becomes a list of ``Block``: headings with their level,
paragraphs, list items with their number or label, footnote definitions.
Inline structure that matters for citations is kept on the block: its
superscripts and its links (with their targets), and citation markers are
written into the block's text in one canonical form the marker linker reads:

* ``[3]``, ``[1,2]``, ``[4-6]`` for numbered markers (a superscript ``<sup>3</sup>``
  or a JATS ``<xref>`` whose text is a number becomes ``[3]``);
* ``[^key]`` for a footnote reference;
* ``[#id]`` for a cross-reference to an entry by its id (JATS ``rid``).

Every block keeps the line of the source file it starts on.

>>> Block("heading", "References", line=12, level=2).is_heading
True
"""

from dataclasses import dataclass, field
from typing import Optional

KINDS = ("heading", "paragraph", "item", "footnote")


@dataclass
class Link:
    text: str
    target: str


@dataclass
class Block:
    """One structural unit of a document."""

    kind: str  # one of KINDS
    text: str  # soft line breaks kept as "\n"
    line: int  # 1-based line of the source file (a DOCX paragraph or PDF line number otherwise)
    level: Optional[int] = None  # heading level, 1 = top
    number: Optional[int] = None  # list item or note number, as written
    label: Optional[str] = None  # "[3]", "3.", "\u2022", a footnote key
    anchor: Optional[str] = None  # the id markers point to (JATS ref id, HTML id, footnote key)
    list_id: Optional[int] = None  # items of one list share it
    superscripts: list = field(default_factory=list)  # texts set in superscript
    links: list = field(default_factory=list)  # [Link]
    fields: Optional[dict] = None  # identifiers a structured format states outright (JATS pub-id)
    section_hint: Optional[str] = None  # "references" when the format marks a reference list
    skip: bool = False  # navigation, header, footer, forms: never claims

    @property
    def is_heading(self) -> bool:
        return self.kind == "heading"


@dataclass
class BlockDocument:
    """What a reader returns: the blocks and the format it read."""

    blocks: list
    format: str  # text, markdown, html, jats, rst, docx, pdf
    title: Optional[str] = None
    text: str = ""  # the document's text as read (for sha256 and restatement)
