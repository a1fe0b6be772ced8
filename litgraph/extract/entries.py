"""Reference sections and their entries: the list-reading half of extract.

Finds the reference sections of a document (a heading such as ``References``
or ``Citing Articles``), splits them into entries (``[1]``, ``1.``, or
unnumbered blocks closed by their identifier line) and reads each entry's
identifiers, bibliographic fields and declared evidence level.
"""

import re
from dataclasses import dataclass, field
from typing import Optional

from .fields import (
    JOURNAL_DATE_RE, parse_reference, VOLUME_WORDS_RE, find_identifiers, looks_like_authors,
    parse_authors_then_journal, parse_full_citation, parse_short_citation, split_authors,
    strip_identifiers,
)
from .sentences import BULLET, LEVEL_MARKER, NUMBER_MARKER, TRAILING_MARKERS
from .identifiers import join_lines
from ..model import DeclaredLevel, Sighting

RAW_LIMIT = 400  # characters of a free-text reference kept as its raw form

REFERENCE_HEADING = re.compile(
    r"^\s*(?:[A-Z][\w'-]*\s+){0,3}(references?|bibliography|literature\s+cited|works\s+cited|"
    r"citing\s+articles|cited\s+by|sources)\s*:?\s*$", re.I)
BRACKET_ENTRY = re.compile(r"^\s*\[(\d{1,6})\]\s*(.*)$")  # no limit on how many entries
DOT_ENTRY = re.compile(r"^\s*(\d{1,6})[.)](?:\s+(.*)|\s*)$")
PAREN_ENTRY = re.compile(r"^\s*\((\d{1,6})\)\s*(.*)$")  # (1) Miller JS...: cited as (1)
# "1 Miller JS, ..." (the Lancet's and BMJ's printed lists, a PDF's text): a bare number, a
# space and two words (names: "van der Meer C" too); taken only in sequence, so that a
# wrapped line opening "12 Suppl 1", "34 Pt 2" or "2019 Mar;" continues its entry
_WORD = r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*\.?"
BARE_ENTRY = re.compile(rf"^\s*(\d{{1,4}})\s+((?=[\[(\"\u201c]?{_WORD}[\s,]+[\[(\"\u201c]?{_WORD}"
                        rf"(?:[\s,.;:)\]]|$)).*)$")
ENTRY_STYLES = {"bracket": (BRACKET_ENTRY, "[{}]"), "dot": (DOT_ENTRY, "{}."),
                "paren": (PAREN_ENTRY, "({})"), "bare": (BARE_ENTRY, "{}")}
# "Level 3 (low-level) evidence" under an entry: the document grades the work on a scale of
# 1 (strongest) to 5, litgraph's own scale; the label keeps the document's words.
LEVEL_SCHEME = "level-1-5"
LEVEL_LINE = re.compile(r"^\s*Level\s+([1-5])\s*(?:\([^()]{1,30}\))?\s*evidence\s*$", re.I)
ENTRY_END = re.compile(r"^\s*(?:written\s+by|(?:last\s+)?updated\b|posted\s+(?:by|on))", re.I)
_LABELLED_ID = re.compile(r"pmid|pubmed|doi|pmc|10\.\d{4}", re.I)  # cheap pre-check
MEETING = re.compile(r"\b(annual\s+meeting|congress|symposium|conference|abstract\s+id)\b", re.I)
GUIDELINE = re.compile(r"\b([A-Z]{2,10})\s+[Gg]uidelines?\b")
QUOTED_TITLE = re.compile(
    r"(?P<authors>(?:[A-Z][\w'\u2019-]+,+\s*){1,8})[\"\u201c](?P<title>[^\"\u201d]{10,300})"
    r"[\"\u201d],?\s*(?P<journal>[A-Z][^,\"]{2,60}),\s*(?:[A-Z][a-z]+\s+)?(?P<year>(?:19|20)\d{2})")


@dataclass
class ExtractedReference:
    """One reference as a document states it (before merging into sources)."""

    document: str
    line: int
    raw: str
    label: Optional[str] = None  # "[1]", "3.", "Citing Articles", "Fetch PMID", "(citation)"
    number: Optional[int] = None  # its number in a numbered list
    kind: Optional[str] = None  # article, conference-abstract, guideline; None when not stated
    role: str = "cited"  # cited, citing (PubMed "Citing Articles"), self (the document itself)
    pmid: Optional[str] = None
    doi: Optional[str] = None
    pmcid: Optional[str] = None
    title: Optional[str] = None
    authors: list = field(default_factory=list)
    journal: Optional[str] = None
    year: Optional[int] = None
    volume: Optional[str] = None
    issue: Optional[str] = None
    pages: Optional[str] = None
    isbn: Optional[str] = None
    url: Optional[str] = None
    publisher: Optional[str] = None
    year_suffix: Optional[str] = None  # "2020a" -> "a": tells two works of one author-year apart
    declared_levels: list = field(default_factory=list)  # [DeclaredLevel]
    publication_types: list = field(default_factory=list)  # as the document states them
    sightings: list = field(default_factory=list)  # [Sighting]; the first is this one
    inline: bool = False  # stated in a sentence of the text, not an entry of a reference list

    @property
    def declared_level(self):
        return self.declared_levels[0] if self.declared_levels else None

    def fields(self) -> dict:
        """The bibliographic fields it states (absent ones left out)."""
        names = ("pmid", "doi", "pmcid", "title", "authors", "journal", "year", "volume",
                 "issue", "pages", "isbn", "url", "publisher")
        return {n: getattr(self, n) for n in names if getattr(self, n) not in (None, "", [])}




# ---------------------------------------------------------------- structure

def _is_heading(lines, i) -> bool:
    text = lines[i].strip()
    if not text or BULLET.match(lines[i]) or len(text) > 80 or len(text.split()) > 10:
        return False
    ended = TRAILING_MARKERS.sub("", text) or text  # a sentence's markers after its full stop
    if ended[-1] in ".,;:!\"\u201d" or NUMBER_MARKER.search(text) or LEVEL_MARKER.search(text):
        return False
    if not re.search(r"[A-Za-z]", text) or not (text[0].isupper() or text[0].isdigit()):
        return False
    if DOT_ENTRY.match(lines[i]) or find_identifiers(text):
        return False
    prev_blank = i == 0 or not lines[i - 1].strip()
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    if nxt.strip()[:1].islower():
        return False  # the sentence goes on below: "... Most cases" / "resolve in a week."
    return prev_blank or not nxt.strip() or bool(BULLET.match(nxt))


def _paragraphs(numbered_lines):
    """Group (line number, text) pairs into paragraphs separated by blank lines."""
    out, current = [], []
    for lineno, text in numbered_lines:
        if text.strip():
            current.append((lineno, text))
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _read_reference_section(lines, start, heading):
    """Entries of the reference section whose heading is lines[start - 1].

    Returns (entries, index of the first line after the section); an entry is
    (label, number, [(line number, text), ...]).
    """
    i, seen = start, 0
    style = None
    while i < len(lines) and seen < 12:  # an introduction may come before the first entry
        line = lines[i]
        if line.strip():
            style = next((name for name, (entry, _label) in ENTRY_STYLES.items()
                          if entry.match(line)), None)
            if style == "bare" and BARE_ENTRY.match(line).group(1) != "1":
                style = None  # a bare number opens a list only as its first entry
            if style:
                break
            if REFERENCE_HEADING.match(line):
                break
            seen += 1
        i += 1
    entries = []
    if style is None:
        i = start
        while i < len(lines) and not lines[i].strip():
            i += 1
        entries, end = _read_unnumbered(lines, i, heading)
        return (entries, end) if entries else ([], start)
    pattern, label_form = ENTRY_STYLES[style]
    expected = None
    while i < len(lines):
        line = lines[i]
        match = pattern.match(line)
        if REFERENCE_HEADING.match(line):
            break
        if match and style == "bare" and expected is not None and int(match.group(1)) != expected:
            match = None  # not the next number: a line of the entry ("12 Suppl 1:S1-5")
        if match:
            number = int(match.group(1))
            if expected is not None and number != expected:
                break
            expected = number + 1
            label = label_form.format(number)
            entries.append((label, number, [(i + 1, match.group(2) or "")]))
        elif entries:
            if ENTRY_END.match(line) and not lines[i - 1].strip():
                break
            entries[-1][2].append((i + 1, line))
        i += 1
    return entries, i


def _read_unnumbered(lines, i, heading):
    """PubMed-style blocks: paragraphs gathered until the one with identifiers."""
    entries, pending, blanks = [], [], 0
    start = i
    while i < len(lines):
        line = lines[i]
        if REFERENCE_HEADING.match(line) or (_is_heading(lines, i) and blanks == 0 and not pending
                                             and i > start and not _has_citation_cue(line)
                                             and _next_is_body(lines, i)):
            break
        if not line.strip():
            blanks += 1
            text = " ".join(t for _, t in pending)
            if pending and (blanks >= 2 and _has_citation_cue(text) or (
                    _author_date_entry_follows(lines, i) and re.search(r"\b(?:19|20)\d{2}", text))):
                entries.append((heading, None, pending))
                pending = []
        else:
            blanks = 0
            pending.append((i + 1, line))
            if find_identifiers(line):
                entries.append((heading, None, pending))
                pending = []
            elif _complete_citation(pending) and not _identifiers_follow(lines, i):
                entries.append((heading, None, pending))  # one NLM citation per paragraph
                pending = []
            elif len(pending) > 12:
                break
        i += 1
    if pending and _has_citation_cue(" ".join(t for _, t in pending)):
        entries.append((heading, None, pending))
    return entries, i


AUTHOR_DATE_START = re.compile(r"^\s*[A-Z][^\s,.()]{1,40},\s+(?:[A-Z][\w'-]*\.?\s*){1,4}[^()]{0,300}"
                               r"(?:\((?:19|20)\d{2}[a-z]?\)|\.\s(?:19|20)\d{2}[a-z]?\.\s)")


def _author_date_entry_follows(lines, i) -> bool:
    """True when the next non-blank line opens an author-date entry: ``Surname, A. B. ... (2019)``."""
    for j in range(i + 1, min(i + 3, len(lines))):
        if lines[j].strip():
            return bool(AUTHOR_DATE_START.match(lines[j]))
    return False


def _complete_citation(pending) -> bool:
    """True when the gathered lines are a whole citation: authors, title, journal, year."""
    text = " ".join(BULLET.sub("", t) for _, t in pending)
    fields = parse_full_citation(text)
    if all(fields.get(k) for k in ("authors", "title", "journal", "year")):
        return True
    parsed = parse_reference(text)  # any other style
    return bool(parsed.authors and parsed.title and parsed.year
                and (parsed.journal or parsed.publisher or parsed.url or parsed.isbn))


def _identifiers_follow(lines, i) -> bool:
    """True when the next non-blank line after ``i`` is an identifier line of the same entry."""
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j].strip():
            rest = re.findall(r"[A-Za-z]{2,}", strip_identifiers(lines[j]))
            return bool(find_identifiers(lines[j])) and len(rest) <= 2
    return False


def _next_is_body(lines, i):
    for j in range(i + 1, min(i + 4, len(lines))):
        if lines[j].strip():
            return len(lines[j].strip()) > 120
    return False


def _has_citation_cue(text) -> bool:
    return bool(find_identifiers(text) or _journal_date(text))


def _journal_date(text):
    for match in JOURNAL_DATE_RE.finditer(text):
        if match.group("volume") or match.group("pages"):
            return match
    return None


# ---------------------------------------------------------------- one reference entry

def _entry_reference(document, label, number, entry_lines, heading):
    """An ExtractedReference from the lines of one list entry, or None if it is not one."""
    paragraphs = _paragraphs(entry_lines)
    levels, id_lines, head = [], [], []
    quoted = False
    for para in paragraphs:
        text = " ".join(t.strip() for _, t in para)
        level = LEVEL_LINE.match(text)
        if level:
            levels.append(DeclaredLevel(
                level=int(level.group(1)), label=text.strip(),
                scheme=LEVEL_SCHEME,
                document=document, line=para[0][0]))
            continue
        if head and text.lstrip().startswith(("\"", "\u201c")):
            # a quoted excerpt under the entry (its abstract) is not the citation; an entry
            # that opens with a quoted title (a work without authors, in IEEE) is
            quoted = True
        for lineno, line in para:
            if _LABELLED_ID.search(line) and find_identifiers(line) and \
                    len(strip_identifiers(line).split()) <= 1:  # an identifier, a link word at most
                id_lines.append((lineno, line.strip()))
        if not quoted:
            head.append(para)
    head = [p for p in head if " ".join(t for _, t in p).strip()
            and not all((n, t.strip()) in id_lines for n, t in p)]
    if not head and not id_lines:
        return None
    full_text = join_lines(t for _, t in entry_lines)
    ids = find_identifiers(full_text)
    head_lines = [(n, t.strip()) for p in head for n, t in p]
    if head_lines:
        line, raw = head_lines[0][0], " ".join(t for p in head[:1] for _, t in p)
    else:
        line, raw = id_lines[0]
    raw = re.sub(r"\s+", " ", raw).strip()
    if len(raw) > RAW_LIMIT:
        raw = raw[: RAW_LIMIT - 1].rstrip() + "\u2026"
    ref = ExtractedReference(document=document, line=line, raw=raw, label=label, number=number,
                             declared_levels=levels)
    fields, kind = _entry_fields([t for _, t in head_lines], full_text)
    if head_lines and not (fields.get("journal") and fields.get("year")):
        # not a shape the line reader knows: the style-agnostic entry parser
        parsed = parse_reference(" ".join(t for _, t in head_lines))
        if parsed.year and (parsed.authors or parsed.journal):
            fields = {k: getattr(parsed, k) for k in ("authors", "title", "journal", "year",
                                                      "year_suffix", "volume", "issue", "pages",
                                                      "publisher", "isbn", "url")
                      if getattr(parsed, k) not in (None, "", [])}
            kind = parsed.kind or kind
    elif head_lines and not fields.get("authors"):
        parsed = parse_reference(" ".join(t for _, t in head_lines))
        if parsed.authors and parsed.year == fields.get("year"):  # the same work, read whole
            fields["authors"] = parsed.authors
            if parsed.year_suffix:
                fields["year_suffix"] = parsed.year_suffix
    if not fields and not ids and not label.startswith("["):
        return None
    for name, value in {**fields, **ids}.items():
        setattr(ref, name, value)
    ref.kind = kind
    ref.publication_types = _stated_publication_types(full_text)
    if heading and re.match(r"\s*citing\s+articles|\s*cited\s+by", heading, re.I):
        ref.role = "citing"
    ref.sightings.append(Sighting(document=document, line=line, raw=raw, label=label))
    for lineno, id_text in id_lines:
        if head_lines and lineno != line and not id_text[:1].isdigit() and id_text not in raw:
            # an identifier on a line of its own under the entry ("PMID: ...", a link's
            # words before it): a sighting labelled by those words
            id_label = re.split(r"\s*:?\s*\d", id_text, maxsplit=1)[0].strip(" :") or None
            ref.sightings.append(Sighting(document=document, line=lineno, raw=id_text,
                                          label=id_label))
    return ref


def _entry_fields(head_lines, full_text):
    """(fields, kind) from the citation lines of an entry."""
    if not head_lines:
        return {}, None
    first = re.sub(r"^\s*(?:\[\d+\]|\d+[.)]|[\u2022\u00b7*-](?=\s))\s*", "", head_lines[0])
    rest = head_lines[1:]
    short = parse_short_citation(first)
    words = VOLUME_WORDS_RE.match(first)
    if short or words:
        fields = short or {k: v for k, v in words.groupdict().items() if v}
        if "year" in fields:
            fields["year"] = int(fields["year"])
        if fields.get("pages"):
            fields["pages"] = re.sub(r"\s*[-\u2013]\s*", "-", fields["pages"])
        for line in rest:
            text = re.sub(r"\s*\[Article in \w+\]\.?", "", line).strip()
            authors = None if text.startswith("[") else _author_part(text)
            if "authors" not in fields and authors:
                fields["authors"] = authors
            elif "title" not in fields and "authors" not in fields and len(text.split()) >= 3:
                fields["title"] = text.rstrip(".").strip() or None
        return {k: v for k, v in fields.items() if v}, "article"
    for i, line in enumerate(head_lines[1:], start=1):  # PubMed page: title, authors + journal
        parsed = parse_authors_then_journal(line)
        if parsed:
            parsed = {k: v for k, v in parsed.items() if v}
            parsed["title"] = head_lines[i - 1].strip().rstrip(".")
            return parsed, "article"
    joined = " ".join([first, *rest])
    fields = parse_full_citation(joined)
    if fields.get("journal") and fields.get("year"):
        return fields, "article"
    quoted = QUOTED_TITLE.search(joined)
    if quoted:
        return {"authors": split_authors(quoted.group("authors")),
                "title": quoted.group("title").strip(),
                "journal": quoted.group("journal").strip(),
                "year": int(quoted.group("year"))}, "article"
    if MEETING.search(joined):
        fields = {"journal": first.strip()}
        year = re.search(r"\b((?:19|20)\d{2})\b", first)
        if year:
            fields["year"] = int(year.group(1))
        for line in rest:
            authors = _author_part(line)
            if authors and not MEETING.search(line.split(";")[0]):
                fields["authors"] = authors
                break
        return fields, "conference-abstract"
    guideline = GUIDELINE.search(full_text)
    if guideline:
        body = re.sub(r"\s+", " ", full_text)
        title = re.search(rf"\b{guideline.group(1)}\s+Guidelines?\s+for\s+.+?(?=[.:;]|\s+(?:can|are|is|may|"
                          r"should|will|were|was|have|has)\b|$)", body)
        fields = {"authors": [guideline.group(1)]}
        if title:
            fields["title"] = title.group(0).strip()
        return fields, "guideline"
    return {}, None


def _author_part(line):
    """The author list at the start of a line (before an affiliation), or None."""
    part = line.split(";")[0].strip()
    if looks_like_authors(part):
        return split_authors(part)
    nlm = re.match(r"^((?:[^,.;\d]+?\s[A-Z]{1,3},\s*)*[^,.;\d]+?\s[A-Z]{1,3})\.(?:\s|$)", line)
    if nlm and looks_like_authors(nlm.group(1)):
        return split_authors(nlm.group(1))
    return None


def _stated_publication_types(text):
    match = re.search(r"Publication\s+Types?\s*:\s*([^\"\n]{3,200})", text)
    if not match:
        return []
    from ..evidence import load_level_map

    stated = match.group(1).lower()
    known = sorted(load_level_map().get("publication_types", {}), key=len, reverse=True)
    found = []
    for name in known:
        if name.lower() in stated:
            found.append(name)
            stated = stated.replace(name.lower(), " ")
    return sorted(found)
