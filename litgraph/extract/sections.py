"""Reference sections found by structure: which blocks are reference entries.

A reference section is (a) the blocks under a heading named like one, in
English or a main European language, until the next heading of the same or
a higher level; (b) blocks a structured format marks as references (a JATS
``<ref-list>``) and footnote definitions that read as citations; (c) a list
under no such heading whose items read as a bibliography (most of them state
an identifier, or authors with a year and a title or container).
Sections under a boilerplate heading (the profile) are skipped altogether.

>>> is_reference_heading("5. Literature Cited"), is_reference_heading("Références bibliographiques")
(True, True)
>>> is_reference_heading("Referenced works are rare in this intro")
False
"""

import re
import unicodedata

from .fields import find_identifiers, parse_reference
from .markers import repeats_a_note

NAMES = (
    r"references?|reference\s+list|bibliography|bibliographies|literature(?:\s+cited)?|"
    r"works\s+cited|works\s+consulted|sources?|notes?|end\s*notes|foot\s*notes|citations?|"
    r"cited\s+literature|further\s+reading|citing\s+articles|cited\s+by|"
    # French, German, Spanish, Portuguese, Italian, Dutch, Scandinavian, Polish
    r"r[eé]f[eé]rences(?:\s+bibliographiques)?|bibliographie|literatur(?:verzeichnis|angaben)?|"
    r"quellen(?:verzeichnis|angaben)?|referencias(?:\s+bibliogr[aá]ficas)?|bibliograf[ií]a|"
    r"refer[eê]ncias(?:\s+bibliogr[aá]ficas)?|bibliografia|riferimenti(?:\s+bibliografici)?|"
    r"note|literatuur(?:lijst)?|referenties|bronnen|litteratur(?:liste)?|kilder|k[aä]llor|"
    r"referenser|l[aä]hteet|kirjallisuus|piśmiennictwo|literatura|źródła|bibliografie"
)
HEADING = re.compile(
    rf"^\s*(?:[\dIVXivx]+(?:\.\d+)*[.)]?\s+)?(?:[\w'’-]+\s+){{0,3}}(?:{NAMES})\s*:?\s*$", re.I)
WORD_RE = re.compile(r"[A-Za-z\u00c0-\u024f]{2,}")


# Names that head ordinary text too ("Clinical note", "Sources", "Citations"): under such a
# heading the blocks are references only when most of them read as citations.
AMBIGUOUS_NAMES = re.compile(
    r"^\s*(?:[\dIVXivx]+(?:\.\d+)*[.)]?\s+)?(?:[\w'’-]+\s+){0,3}(?:notes?|sources?|citations?)"
    r"\s*:?\s*$", re.I)


def is_reference_heading(text: str) -> bool:
    text = " ".join(text.split())
    return len(text) <= 80 and bool(HEADING.match(text))


def is_ambiguous_heading(text: str) -> bool:
    """A reference heading whose name also heads ordinary text (``AMBIGUOUS_NAMES``)."""
    return bool(AMBIGUOUS_NAMES.match(" ".join(text.split())))


def reads_as_citation(text: str) -> bool:
    """True when one entry's text states a work: an identifier, or authors + year + title/container."""
    if find_identifiers(text) or re.search(r"\bISBN\b|https?://", text, re.I):
        return True
    fields = parse_reference(text)
    return bool(fields.year and (fields.authors or fields.journal)
                and (fields.title or fields.journal))


def cites_a_work(text: str) -> bool:
    """True when one entry states a work (``reads_as_citation``) or repeats an earlier note's
    (``Ibid., 240.``, a shortened note: ``markers.repeats_a_note``)."""
    return reads_as_citation(text) or repeats_a_note(text)


def reference_blocks(blocks, boilerplate) -> dict:
    """{block index: section heading} of the blocks that are reference entries.

    Also marks (returns in the second value) the indexes of blocks in skipped
    (boilerplate) sections.
    """
    entries, skipped = {}, set()
    # [(level, heading text, kind, the heading's block index, the index of the ambiguous
    # heading the section is a reference section by, if any)]
    open_sections = []
    section_of = {}  # a reference section's entry block index -> its open_sections item
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            level = block.level or 1
            while open_sections and open_sections[-1][0] >= level:
                open_sections.pop()
            kind = "references" if is_reference_heading(block.text) else (
                "boilerplate" if boilerplate.sections.search(_fold(block.text)) else "body")
            doubt = index if kind == "references" and is_ambiguous_heading(block.text) else None
            if kind == "body" and open_sections and open_sections[-1][2] == "references" \
                    and WORD_RE.search(block.text) and len(block.text) < 60:
                kind = "references"  # a sub-heading of a reference list ("Guidelines")
                doubt = open_sections[-1][4]
            open_sections.append((level, block.text.strip(), kind, index, doubt))
            continue
        kind = open_sections[-1][2] if open_sections else "body"
        heading = open_sections[-1][1] if open_sections else None
        if kind == "boilerplate" or block.skip:
            skipped.add(index)
        elif block.section_hint == "references":
            entries[index] = heading or "References"
        elif kind == "references" and block.kind in ("item", "paragraph", "footnote"):
            entries[index] = heading
            section_of[index] = open_sections[-1]
        elif block.kind == "footnote" and cites_a_work(block.text):
            entries[index] = heading or "Notes"
    _drop_what_is_not_a_reference(blocks, entries, section_of)
    for list_blocks in _unheaded_lists(blocks, entries, skipped):
        for index in list_blocks:
            entries[index] = None
    return entries, skipped


def _drop_what_is_not_a_reference(blocks, entries, section_of) -> None:
    """Take back the blocks of reference sections that are the page's, not references:

    - under a heading whose name also heads ordinary text ("Clinical note", "Sources"),
      every block, unless most of them read as citations;
    - in a section whose entries are a list, a paragraph beside the list (an introduction,
      a leaflet's code and review date) that does not read as a citation;
    - anywhere, a block that is not citation data (a copyright line, a breadcrumb) and
      states no identifier.
    """
    from ..plausible import plausible_citation

    cites = {i: cites_a_work(blocks[i].text) for i in section_of}
    doubted = {}
    for index, section in section_of.items():
        if section[4] is not None:
            doubted.setdefault(section[4], []).append(index)
    for members in doubted.values():
        text = [i for i in members if blocks[i].kind != "footnote"]  # a note is judged alone
        if 2 * sum(cites[i] for i in text) <= len(text):
            for index in members:
                if index in text or not cites[index]:
                    del entries[index], section_of[index]
    listed = {section[3] for i, section in section_of.items() if blocks[i].kind == "item"}
    for index, section in list(section_of.items()):
        text = blocks[index].text
        if (blocks[index].kind == "paragraph" and section[3] in listed and not cites[index]) \
                or (plausible_citation(text) is None and not find_identifiers(text)
                    and not repeats_a_note(text)):
            del entries[index]


def _unheaded_lists(blocks, entries, skipped):
    """Lists outside any reference section that read as bibliographies."""
    runs, current = [], []
    for index, block in enumerate(blocks):
        if block.kind == "item" and index not in entries and index not in skipped and (
                not current or blocks[current[-1]].list_id == block.list_id):
            current.append(index)
        else:
            if current:
                runs.append(current)
            current = [index] if block.kind == "item" and index not in entries \
                and index not in skipped else []
    if current:
        runs.append(current)
    for run in runs:
        if len(run) < 2:
            continue
        cited = sum(1 for i in run if reads_as_citation(blocks[i].text))
        if cited >= 0.8 * len(run):
            yield run


def _fold(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
