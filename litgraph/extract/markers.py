"""In-text citation markers and the entries they name.

Markers of every common kind are found in a sentence:

* numbers: ``[3]``, ``[1,2]``, ``[4-6]``, ``(3)``, ``(1,2)``, ``(4–6)``, Unicode superscript
  digits ``¹²``, ``^3`` (readers write HTML/DOCX/JATS superscripts as ``[3]``);
* footnotes ``[^key]`` and cross-references ``[#id]`` (JATS ``rid``);
* author-year, in parentheses ``(Smith 2019; Jones et al., 2020a)`` or narrative
  ``Smith et al. (2019)``, ``Smith and Jones (2019a)``.

``MarkerIndex`` maps them to entries: numbers by the entry's number, keys by its
anchor, author-year by first author's surname and year (with the letter suffix).
A note that repeats an earlier one (``Ibid.``, a shortened note) is read by
``MarkerIndex.repeated_note``: its marker leads to the earlier note's entry.

>>> index = MarkerIndex.build([{"number": 1, "authors": ["Smith J"], "year": 2019}])
>>> index.link("A claim (Smith et al., 2019).")
[0]
>>> index.link("A claim.[1]")
[0]
"""

import re
import unicodedata
from dataclasses import dataclass, field

SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻˒", "0123456789-,")
NUMBERS = r"\d{1,5}(?:\s*[,\u2013\u2014-]\s*\d{1,5})*"
BRACKET = re.compile(rf"\[({NUMBERS})\]")
# IEEE's range of two brackets, [1]–[3], else one bracket: in the order they come
BRACKETS = re.compile(r"\[(\d{1,5})\]\s*[\u2013\u2014-]\s*\[(\d{1,5})\]|" + BRACKET.pattern)
YEAR_ALONE = re.compile(r"(?:1[5-9]|20)\d\d\Z")  # "[2019]": a date in brackets, not a marker
PAREN = re.compile(rf"(?<![\w(])\(({NUMBERS})\)")
# A superscript the text lost ("guidance.1 Outcomes", "histology.2,3"): digits right after a
# word's full stop, before the next sentence or the end (``raised_marks``)
FLATTENED = re.compile(r"(?<=[^\W\d_)])\.(\d{1,3}(?:[,\u2013-]\d{1,3})*)(?=\s+[A-Z\u00c0-\u00de]|\s*$)")
TO_SUPERSCRIPT = str.maketrans("0123456789-\u2013", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b\u207b")
ENUMERATED = re.compile(r"\s+[^\W\d_]")  # "(1) imaging": a label before the words it labels
SUPERSCRIPT_NUMBERS = r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[,˒⁻\u2013-][⁰¹²³⁴⁵⁶⁷⁸⁹]+)*"  # ¹, ¹˒², ¹⁻³
UNICODE_SUP = re.compile(rf"(?<=\S)({SUPERSCRIPT_NUMBERS})")
CARET = re.compile(rf"(?<!\[)\^({NUMBERS})\^?")  # ^2^ or ^2; not the ^2 of a footnote [^2]
FOOTNOTE = re.compile(r"\[\^([^\]\s]{1,80})\]")
XREF = re.compile(r"\[#([^\]\s]{1,80})\]")
XREF_RANGE = re.compile(r"\[#([^\]\s]{1,80})\]\s*[\u2013\u2014-]\s*\[#([^\]\s]{1,80})\]")  # 4–6
# what separated markers once they are gone: "[–]", "( )", "[,]"
EMPTY_BRACKETS = re.compile(r"\s*(?:\[[\s,;\u2013\u2014-]*\]|\([\s,;\u2013\u2014-]*\))")
YEAR = r"(?:19|20)\d{2}[a-z]?"
NAME = r"[A-Z\u00c0-\u00de][\w'\u2019\u00c0-\u024f-]+"
PARTICLE = r"(?:(?:van|von|de|der|den|da|di|du|la|le|del|dos|De|Van|Von)\s+)"
ONE_NAME = rf"{PARTICLE}*{NAME}(?:\s+(?:(?:of|for|the|on|in)\s+)?{PARTICLE}*{NAME}){{0,4}}"
# a name of up to five words: "Van der Berg", "Trans-Atlantic RPS Working Group", "Society for X"
NAME_SEP = r"(?:\s*,\s*(?:and\s+|&\s*)?|\s+and\s+|\s*&\s*)"  # ", " ", & " ", and " " and " " & "
AUTHORS = rf"{ONE_NAME}(?:{NAME_SEP}{ONE_NAME}){{0,12}}(?:,?\s+et\s+al\.?)?"
PAREN_GROUP = re.compile(r"\(((?:[^()]|\([^()]{0,80}\)){4,400})\)")  # one nested level: "(RPS)"
ABBREVIATION = r"[A-Z][A-Za-z0-9&]{1,15}"  # a group author's short name: TARPSWG, WHO, NICE
# APA's first citation of a group author gives its short name, used alone after that:
# "(Trans-Atlantic RPS Working Group [TARPSWG], 2015)", then "(TARPSWG, 2015)"
CITE_PART = re.compile(rf"(?:^|[;]\s*|\b(?:see|e\.g\.|cf\.|also)\s+)(?P<names>{AUTHORS})"
                       rf"(?:\s*\[(?P<abbreviation>{ABBREVIATION})\])?,?\s+"
                       rf"(?P<years>{YEAR}(?:\s*,\s*{YEAR})*)")
TITLE_PART = re.compile(rf"(?:^|[;]\s*)(?P<names>{AUTHORS}),\s+[\u201c\"]?(?P<title>[^\u201d\";]{{3,300}})")
# MLA: (Surname, "Title") or (Surname, Book Title): the title's start must match the entry's
TITLE_ONLY = re.compile(r"(?:^|[;]\s*)[\u201c\"](?P<title>[^\u201d\"]{3,300})[\u201d\"]")  # no author
NARRATIVE = re.compile(rf"(?P<names>{AUTHORS})\s+\((?:(?P<abbreviation>{ABBREVIATION}),\s+)?"
                       rf"(?P<years>{YEAR}(?:\s*[,;]\s*{YEAR})*)\)")  # "Name (ABBR, 2015)" too
HAS_YEAR = re.compile(r"(?:19|20)\d{2}")
# A note that repeats an earlier one: "Ibid., 240." (the note just before), or a shortened
# note, the first author's surname and the title's first words: 'Miller et al., "Primary
# Leiomyosarcoma," 241.' (TITLE_PART)
IBID = re.compile(r"^\s*ibid(?:em)?\b\.?", re.I)
SHORT_NOTE_LIMIT = 160  # characters: a shortened note is short (and TITLE_PART slow on long text)
ALL_MARKERS = re.compile("|".join(p.pattern for p in (BRACKET, FOOTNOTE, XREF, CARET)) +
                         "|" + UNICODE_SUP.pattern)


def fold(name: str) -> str:
    """``Öztürk`` -> ``ozturk``: surnames compared without case or accents."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", text)


def numbers_of(group: str) -> list:
    """``1,3-5`` -> [1, 3, 4, 5] (a range wider than 100 is read as its two ends)."""
    out = []
    for part in re.split(r"\s*,\s*", group.translate(SUPERSCRIPT_DIGITS)):
        bounds = [b for b in re.split(r"\s*[\u2013\u2014-]\s*", part) if b]
        if len(bounds) == 2 and 0 < int(bounds[1]) - int(bounds[0]) <= 100:
            out.extend(range(int(bounds[0]), int(bounds[1]) + 1))
        else:
            out.extend(int(b) for b in bounds)
    return out


def _first_surnames(names: str) -> list:
    """The first author's surname as written, and its last word (``van der Berg`` -> ``berg``)."""
    names = re.sub(r",?\s+et\s+al\.?$", "", names.strip())
    first = re.split(r"\s*(?:,|\band\b|&)\s*", names)[0]
    variants = [fold(first)]
    if len(first.split()) > 1:
        variants.append(fold(first.split()[-1]))
    return [v for v in variants if v]


@dataclass
class MarkerIndex:
    by_number: dict = field(default_factory=dict)
    by_key: dict = field(default_factory=dict)
    by_author_year: dict = field(default_factory=dict)  # (surname, year) -> [(suffix, index)]
    by_author_title: dict = field(default_factory=dict)  # surname -> [(folded title, index)]
    by_title: list = field(default_factory=list)  # [(folded title, index)] of works without authors
    numbered: bool = False  # the entries are numbered: "(3)" reads as a marker
    # ... unless the document cites in brackets (``read_style``): there "(1) imaging, (2)
    # biopsy" is an enumeration
    numbers_in_parentheses: bool = True
    abbreviations: dict = field(default_factory=dict)  # a group's short name -> its name, as
    # the document defined it in an earlier citation (or this one)
    unnamed_seen: list = field(default_factory=list)  # (line, marker): ``note_unnamed``
    # numbers of the list's entries that cite no work (a note repeating none before it):
    # their markers name an entry, so they are not reported as naming none
    listed: set = field(default_factory=set)

    @classmethod
    def build(cls, entries) -> "MarkerIndex":
        """``entries``: dicts with number, key, authors (first is "Surname AB"), year, year_suffix, title."""
        index = cls()
        for position, entry in enumerate(entries):
            if entry.get("number") is not None:
                index.by_number.setdefault(entry["number"], position)
            if entry.get("key"):
                index.by_key.setdefault(str(entry["key"]), position)
            authors = entry.get("authors") or []
            if not authors:
                if entry.get("title"):
                    index.by_title.append((fold(entry["title"]), position))
                continue
            name = _surname_of(authors[0])
            for variant in {fold(name), fold(name.split()[-1]) if name.split() else ""} - {""}:
                if entry.get("year"):
                    index.by_author_year.setdefault((variant, int(entry["year"])), []).append(
                        (entry.get("year_suffix") or "", position))
                if entry.get("title"):
                    index.by_author_title.setdefault(variant, []).append(
                        (fold(entry["title"]), position))
        index.numbered = bool(index.by_number)
        return index

    def read_style(self, texts) -> bool:
        """Read how the document's body ``texts`` cite.  Numbers in parentheses are markers
        only where no bracket marker names an entry (the document cites [n]).  Returns
        whether the body gives its marks as digits after a full stop ("guidance.1
        Outcomes": superscripts a copy as plain text lost; ``raised_marks``): only where no
        other numeric marker names an entry, and some such digits do."""
        texts = list(texts)
        if self._cites_in_brackets(texts):
            self.numbers_in_parentheses = False
            return False
        if not self.numbered or any(
                self._names_an_entry(match.group(1)) for text in texts
                for pattern in (CARET, UNICODE_SUP, PAREN) for match in pattern.finditer(text)):
            return False
        return any(all(n in self.by_number for n in numbers_of(match.group(1)))
                   for text in texts for match in FLATTENED.finditer(text))

    def _cites_in_brackets(self, texts) -> bool:
        return any(self._names_an_entry(match.group(3) or f"{match.group(1)}-{match.group(2)}")
                   for text in texts for match in BRACKETS.finditer(text))

    def _names_an_entry(self, numbers: str) -> bool:
        return any(n in self.by_number for n in numbers_of(numbers))

    def parenthesised(self, sentence) -> list:
        """The (n) markers of a sentence, but an enumeration's labels: "(1) imaging, (2)
        biopsy", numbers from 1 on, each before the words it labels."""
        found = [m for m in PAREN.finditer(sentence)
                 if all(n in self.by_number for n in numbers_of(m.group(1)))]
        labels = [m for m in found if ENUMERATED.match(sentence, m.end())]
        if len(labels) >= 2 and [m.group(1) for m in labels[:2]] == ["1", "2"]:
            found = [m for m in found if m not in labels]
        return found

    def repeated_note(self, text: str, previous=None, earlier=None):
        """The entry a note repeating an earlier one cites, or None.

        ``Ibid.`` cites ``previous``, the entry of the note just before it; a shortened note
        the one entry among the first ``earlier`` (all when None) whose first author's surname
        and title start as the note writes them.
        """
        if IBID.match(text):
            return previous
        short = _shortened_note(text)
        found = self._author_title(short.group("names"), short.group("title"), earlier) if short else []
        return found[0] if found else None

    def _author_title(self, names, title, earlier=None):
        wanted = fold(title)
        if len(wanted) < 8:  # "(Smith, 2019)", "(Smith, p. 4)": not a title
            return []
        for surname in _first_surnames(names):
            found = [i for t, i in self.by_author_title.get(surname, [])
                     if wanted and (t.startswith(wanted) or wanted.startswith(t))
                     and (earlier is None or i < earlier)]
            if len(found) == 1:
                return found
        return []

    def _author_year(self, names, years):
        out = []
        for year_text in re.split(r"\s*[,;]\s*", years):
            year, suffix = int(year_text[:4]), year_text[4:]
            candidates = next((self.by_author_year[(s, year)] for s in _first_surnames(names)
                               if (s, year) in self.by_author_year), [])
            exact = [i for s, i in candidates if s == suffix]
            if exact:
                out.append(exact[0])
            elif len(candidates) == 1 and (not suffix or not candidates[0][0]):
                out.append(candidates[0][1])
        return out

    def link(self, sentence: str) -> list:
        """Indexes of the entries the sentence's markers name, in order, without repeats."""
        found = []
        for match in BRACKETS.finditer(sentence):
            numbers = match.group(3) or f"{match.group(1)}-{match.group(2)}"
            found += [self.by_number[n] for n in numbers_of(numbers) if n in self.by_number]
        for pattern in (CARET, UNICODE_SUP):
            for match in pattern.finditer(sentence):
                found += [self.by_number[n] for n in numbers_of(match.group(1))
                          if n in self.by_number]
        if self.numbered and self.numbers_in_parentheses and "(" in sentence:
            for match in self.parenthesised(sentence):
                found += [self.by_number[n] for n in numbers_of(match.group(1))]
        for match in XREF_RANGE.finditer(sentence) if "[#" in sentence else ():
            first, last = self.by_key.get(match.group(1)), self.by_key.get(match.group(2))
            if first is not None and last is not None and first < last:
                found += range(first, last + 1)  # cross-references to both ends of a range
        for pattern in (FOOTNOTE, XREF) if "[" in sentence else ():
            for match in pattern.finditer(sentence):
                if match.group(1) in self.by_key:
                    found.append(self.by_key[match.group(1)])
                elif match.group(1).isdigit() and int(match.group(1)) in self.by_number:
                    found.append(self.by_number[int(match.group(1))])
        if (self.by_author_title or self.by_title) and "(" in sentence:
            for group in PAREN_GROUP.finditer(sentence):
                for part in TITLE_PART.finditer(group.group(1)):
                    found += self._author_title(part.group("names"), part.group("title"))
                for part in TITLE_ONLY.finditer(group.group(1)):
                    wanted = fold(part.group("title"))
                    matches = [i for t, i in self.by_title if wanted and t.startswith(wanted)]
                    found += matches if len(matches) == 1 else []
        if self.by_author_year and HAS_YEAR.search(sentence):
            for group in PAREN_GROUP.finditer(sentence):
                for part in CITE_PART.finditer(group.group(1)):
                    found += self._author_year(self._named(part), part.group("years"))
            for match in NARRATIVE.finditer(sentence):
                found += self._author_year(self._named(match), match.group("years"))
        return list(dict.fromkeys(found))

    def unnamed(self, sentence: str) -> list:
        """The bracket and caret markers of ``sentence`` that name a number no entry of the
        document's numbered list has, as written (``[7]``, ``[4-9]``); none where the list
        is not numbered.  A lone year in brackets (``[2019]``) is a date, not a marker."""
        if not self.numbered or not self.by_number or ("[" not in sentence and "^" not in sentence):
            return []
        found = []
        for match in BRACKETS.finditer(sentence):
            numbers = match.group(3) or f"{match.group(1)}-{match.group(2)}"
            if YEAR_ALONE.match(numbers):
                continue
            if self._names_no_entry(numbers):
                found.append(match.group(0))
        for match in CARET.finditer(sentence):
            if self._names_no_entry(match.group(1)):
                found.append(match.group(0))
        return found

    def _names_no_entry(self, numbers: str) -> bool:
        """Whether one of the ``numbers`` ("2, 7", "4-9") is the number of no entry."""
        return any(n not in self.by_number and n not in self.listed for n in numbers_of(numbers))

    def note_unnamed(self, sentence: str, line: int) -> list:
        """``unnamed(sentence)``, each kept as (``line``, marker) in ``unnamed_seen``."""
        found = self.unnamed(sentence)
        self.unnamed_seen.extend((line, marker) for marker in found)
        return found

    def _named(self, match) -> str:
        """The names a citation gives: a short name the document defined stands for the
        group's name; a short name defined here is remembered for the citations after it."""
        names, short = match.group("names"), match.group("abbreviation")
        if short:
            self.abbreviations[short] = names
        return self.abbreviations.get(names.strip(), names)


def repeats_a_note(text: str) -> bool:
    """True for ``Ibid., 240.`` and shortened notes (``Miller et al., "Primary Leiomyosarcoma," 241.``)."""
    return bool(IBID.match(text) or _shortened_note(text))


def _shortened_note(text):
    text = text.strip()
    return TITLE_PART.match(text) if len(text) <= SHORT_NOTE_LIMIT else None


def _surname_of(author: str) -> str:
    from .fields import surname

    return surname(author) or author


def strip_markers(text: str, index: MarkerIndex) -> str:
    """The sentence without its marker tokens (author-year citations stay: they are words)."""
    text = EMPTY_BRACKETS.sub("", ALL_MARKERS.sub("", XREF_RANGE.sub("", BRACKETS.sub("", text))))
    if index.numbered and index.numbers_in_parentheses and "(" in text:
        for match in reversed(index.parenthesised(text)):
            text = text[:match.start()] + text[match.end():]
    text = re.sub(r"\s+([.,;:])", r"\1", text)
    text = re.sub(r"(?<=\w)[,;]+(?=[.!?;:]|$)", "", text)  # the commas that separated markers
    return re.sub(r"\s+", " ", text).strip()


def raised_marks(text: str) -> str:
    """``text`` with the digits after a word's full stop (``FLATTENED``) as the superscripts
    they were: "guidance.1 Outcomes" -> "guidance.¹ Outcomes"."""
    return FLATTENED.sub(lambda m: "." + m.group(1).translate(TO_SUPERSCRIPT), text)
