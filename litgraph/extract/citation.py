"""Bibliographic fields of one reference entry, whatever its citation style.

Rules, applied in the order a reader would: identifiers and access notes are
taken out first; the author list is read from the head of the entry
(``names.read_authors``); an author-date year right after it is taken; then
the *locator* (volume, issue, pages and often the year) is found by the
shapes every style family uses for it:

- ``2019;34(3):648-54``  (Vancouver, NLM, AMA, BMJ, Lancet, NEJM, PLOS)
- ``34(3), 648-654`` / ``34(3), pp. 648-654``  (APA, Harvard)
- ``34, 648-654 (2019)`` / ``34 (3): 648-54``  (Nature, Science, Cell, Chicago author-date)
- ``34, no. 3 (2019): 648-54``  (Chicago notes and bibliography)
- ``vol. 34, no. 3, pp. 648-654``  (IEEE, MLA)

The title is the first sentence (or the quoted phrase) after the authors and
the author-date year; the journal or container is what lies between the title
and the locator. Books and chapters are told by ``In:``/``edited by`` and a
publisher (``London: Harbour Press``; ``(Harbour Press, London, 2015)``).
"""

import re

from .identifiers import holds_lookalike, identifiers_in, strip_identifiers
from .names import FIRST_ORDERS, FORENAME_FIRST_ORDERS, read_authors

YEAR = r"(?:19|20)\d{2}"
MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
         r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|Spring|Summer|Autumn|Fall|Winter)\.?")
PAGE = r"(?:[A-Za-z]{0,2}\d+[A-Za-z]?)"
PAGES = rf"(?:{PAGE}(?:\s*[-\u2010-\u2015]\s*{PAGE})?)"
DASHES = re.compile(r"\s*[-\u2010-\u2015]\s*")

# Access notes and markers that belong to no field.
NOISE = [
    re.compile(r"\(\s*(?:last\s+)?accessed\b[^()]*\)", re.I),
    re.compile(r"\[(?:WWW\s+Document|Internet|online|Online|cited[^\]]*|accessed[^\]]*|Accessed[^\]]*|"
               r"Epub ahead of print|published online[^\]]*|abstract|Abstract)\]", re.I),
    re.compile(r"\(?\b(?:last\s+)?accessed(?:\s+on)?:?\s*(?:\d{1,2}\s+)?(?:" + MONTH + r"\s*)?"
               r"(?:\d{1,2}(?:,\s*|\s+))?(?:" + YEAR + r")?\)?\.?", re.I),
    re.compile(r"\bRetrieved\s+(?:(?:" + MONTH + r")\s*\d{1,2},?\s*" + YEAR + r",?\s*)?from\b\.?", re.I),
    re.compile(r"\b(?:Available\s+(?:from|at|online)|\[Online\]\.?\s*Available)\s*:?", re.I),
    re.compile(r"\bEpub\s+(?:ahead\s+of\s+print\.?|" + YEAR + r"(?:\s+" + MONTH + r"(?:\s+\d{1,2})?)?\.?)", re.I),
    # an edition note, whole when bracketed: "(2nd ed.)", "(3rd ed., Vol. 2)", "2nd edn."
    re.compile(r"\(\s*(?:\d+(?:st|nd|rd|th)|[Rr]ev(?:ised)?\.?|[Ff]irst|[Ss]econd|[Tt]hird)\s+ed(?:ition|n)?\b\.?[^()]*\)"),
    re.compile(r"\b(?:\d+(?:st|nd|rd|th)|[Rr]ev(?:ised)?\.?|[Ff]irst|[Ss]econd|[Tt]hird)\s+ed(?:ition|n)?\b\.?"),
    re.compile(r"\bPublished\s+online\s+(?:" + MONTH + r"\s*)?(?:\d{1,2},?\s*)?" + YEAR + r"\.?", re.I),
]
LOCATORS = [
    # 2019 Mar 5;34(3):648-54   2019;34:648   2019; 34: 648-54   2017:10-25 (a chapter's pages)
    ("nlm", re.compile(
        rf"(?:(?<=\s){MONTH}\s+(?:\d{{1,2}},?\s+)?)?(?<![\d])(?P<year>{YEAR})(?P<suffix>[a-z])?(?:\s*{MONTH}(?:\s*[-/\u2013]\s*{MONTH})?(?:\s*\d{{1,2}})?)?"
        rf"\s*[;:]\s*(?:(?P<pages3>{PAGE}\s*[-\u2010-\u2015]\s*{PAGE})(?![\d(:])|"
        rf"(?P<volume>[A-Za-z]?\d+[A-Za-z]?(?:\s*Suppl\s*\d*)?))?"
        rf"(?:\s*\((?P<issue>[^()]{{1,15}})\))?"
        rf"(?:\s*:\s*(?P<pages>{PAGES})|,\s*pp?\.\s*(?P<pages2>{PAGES}))?")),
    # vol. 34, no. 3, ... pp. 648-654
    ("vol", re.compile(
        rf"\b[Vv]ol(?:ume)?\.?\s*(?P<volume>[A-Za-z]?\d+[A-Za-z]?)"
        rf"(?:,?\s*(?:[Nn]o|[Ii]ss(?:ue)?|[Nn]r)\.?\s*(?P<issue>[\w/\u2013-]{{1,10}}))?"
        rf"(?:,?\s*(?:[^,]*?,\s*)??(?:(?:{MONTH}\s*)?(?:\d{{1,2}},?\s*)?(?P<year>{YEAR})[a-z]?,?\s*)?"
        rf"(?:(?:pp?\.|[Aa]rt(?:icle)?\.?\s*(?:no\.)?)\s*(?P<pages>{PAGES}))?)?")),
    # , 34(3), 648-654   , 34(3), pp. 648-654   , 34, 648-654   , 34(3):648
    ("apa", re.compile(
        rf"(?<=,)\s*(?P<volume>[A-Za-z]?\d+[A-Za-z]?)\s*(?:\((?P<issue>[^()]{{1,15}})\))?"
        rf"(?:\s*[,:]\s*(?:pp?\.\s*)?(?P<pages>{PAGES}))"
        rf"|(?<=,)\s*(?P<volume2>\d+[A-Za-z]?)\s*\((?P<issue2>[^()]{{1,15}})\)(?=\s*[.,]|\s*$)")),
    # Journal 34, no. 2 (2010): 238-42   Journal 34 (Spring 2019): 45-67  (Chicago notes and
    # bibliography: the issue after "no.", the date in parentheses, a colon before the pages);
    # Journal 16, no. 11 (2023).  (an online article without pages)
    ("chicago", re.compile(
        rf"(?<=\s)(?P<volume>[A-Za-z]?\d+[A-Za-z]?)(?:,\s*[Nn]o\.\s*(?P<issue>[\w/\u2013-]{{1,10}}))?"
        rf"\s*\((?:{MONTH}\s*)?(?:\d{{1,2}},?\s*)?(?P<year>{YEAR})[a-z]?\)"
        rf"(?:\s*:\s*(?P<pages>{PAGES})|(?=[.,]\s|[.,]?$))")),
    # Journal 34 (2010) 238-42 (Elsevier);  Journal. 34, 2 (2010), 238-42 (ACM)
    ("paren_year", re.compile(
        rf"(?<=\s)(?P<volume>[A-Za-z]?\d+[A-Za-z]?)(?:,\s*(?P<issue>[\w/\u2013-]{{1,10}}))?,?\s*"
        rf"\((?:{MONTH}\s*)?(?P<year>{YEAR})[a-z]?\)(?:,?\s*(?P<pages>{PAGES})|(?=\.?\s*$|\.\s))")),
    # Journal 34, 648-654 (2019)   Journal 34 (3): 648-54   Journal 34:648-54
    ("nature", re.compile(
        rf"(?<=\s)(?P<volume>[A-Za-z]?\d+[A-Za-z]?)\s*(?:\((?P<issue>[^()]{{1,15}})\))?\s*[,:]\s*"
        rf"(?:pp?\.\s*)?(?P<pages>{PAGES})(?:\s*\((?P<year>{YEAR})\))?")),
    # (pp. 10-25), pp. 10-25, p. 10-25: pages alone (chapters)
    ("pp", re.compile(rf"\(?\bpp?\.?\s(?P<pages>{PAGES})\)?")),
    # a bare page range in a chapter ("edited by E. Costa, 287-305.") or one page in proceedings (", 73.")
    ("bare", re.compile(rf"(?<=[\s,])(?P<pages>\d+\s*[-\u2010-\u2015]\s*\d+)(?=\s*[.,(;]|\s*$)"
                        rf"|(?<=,\s)(?P<page1>\d{{1,5}})(?=\.\s|\.?$)")),
]
KIND_WORDS = {
    "conference-abstract": re.compile(r"\b(?:annual\s+meeting|congress|symposium|conference|"
                                      r"proceedings|abstract\s+(?:no|id)|meeting)\b", re.I),
    "guideline": re.compile(r"\b(?:guidelines?|recommendations?|consensus\s+statement|"
                            r"practice\s+parameter|position\s+statement)\b", re.I),
}
PLACE_PUBLISHER = re.compile(
    r"(?:^|(?<=[.,;]\s))(?P<place>[A-Z][\w '-]{1,40}?(?:,\s*[A-Z]{2,})?)\s*:\s*(?P<publisher>[A-Z][^;:.()\[\]]{1,80}?)"
    rf"(?=\s*(?:[;,.]\s*(?:{YEAR}|\d|pp?\.)|\s*{YEAR}|\s*[.;]?\s*$))")
PAREN_PUBLISHER = re.compile(
    rf"\((?P<publisher>[A-Z][^(),]{{1,80}}?)(?:,\s*(?P<place>[A-Z][^(),]{{1,40}}))?,?\s*(?P<year>{YEAR})?\)")


# Patterns of the functions below, compiled once (re.sub with a string compiles on every call).
_SPACES = re.compile(r"\s+")
_EDGE_QUOTES = re.compile(r"^[\"\u201c\u201d\u2018\u2019']+|[\"\u201c\u201d\u2018\u2019']+$")
_OPENING_QUOTE = re.compile(r"[\"\u201c\u2018']")
_CHAPTER_IN = re.compile(r",\s+(?:[Ii]n:\s|In\s(?=[A-Z]))")
_YEAR_ALONE = re.compile(YEAR)
_ENTRY_NUMBER = re.compile(r"^\s*(?:\[\d+\]|\(\d+\)|\d{1,3}[.)]?(?=\s|[A-Z])|[\u2022\u00b7*-](?=\s))\s*")
_AUTHOR_DATE = re.compile(rf"\s*[.,]?\s*\(?(?P<year>{YEAR})(?P<suffix>[a-z])?(?:,\s*[^()]{{1,30}})?\)?[.,:]?(?=\s|$)")
_NO_DATE = re.compile(r"\s*[.,]?\s*\(?n\.\s?d\.\)?[.,]?")
_QUOTED_TITLE_AHEAD = re.compile(r"[\s.,;:]*[\"\u201c\u2018]")
_IN_CONTAINER = re.compile(r"[Ii]n\s*:?\s+(?=\S)")
_ENDS_IN_YEAR = re.compile(rf"\b{YEAR}[a-z]?\)?$")
_SITE_AND_YEAR = re.compile(rf"[^,()]{{3,80}}\s\({YEAR}[a-z]?\)")
_DATE_NOT_ISSUE = re.compile(rf"(?:{YEAR}[a-z]?|{MONTH})")
_YEARS = re.compile(rf"(?<![\d/.-])({YEAR})([a-z])?(?![\d/-])")
_DAY_ONLY = re.compile(rf"(?:{MONTH}\s*)?\d{{0,2}},?\s*")
_TRAILING_DATE = re.compile(rf"[,;.]?\s*\(?(?:{MONTH}\s*)?(?:\d{{1,2}},?\s*)?{YEAR}[a-z]?\)?[.,;:]?\s*$")
_NAMED_PUBLISHER = re.compile(r"(?:^|(?<=[.,;]\s))(?P<publisher>[A-Z][^.;,()\[\]]{1,80}?)(?=\s*(?:[.;,]|$))")
# "Title (London: Harbour Press, 2015), 45": a book's title, then its publication facts (a Chicago
# note; the page after them is the page cited, not the work's)
_BOOK_FACTS_AT_END = re.compile(rf"\s\((?P<facts>[^()]*\b{YEAR})\)(?:,\s*[\w\u2013-]+)?$")
_EDITORS_IN_BRACKETS = re.compile(r"\s*\((?:eds?\.?|editors?|edited\s+by)\s[^()]*\)", re.I)
_EDITED_BY = re.compile(r",?\s*\bedited\s+by\s+", re.I)
_ED_BEFORE_NAMES = re.compile(r",\s*eds?\.\s+")  # "Handbook, ed. Emma Fischer (London: ...)"
_OPENING_PAREN = re.compile(r"\s*\(")
_LIST_SEPARATOR = re.compile(r"[,;]\s+")


def _squash(text):
    return _SPACES.sub(" ", text or "").strip()


def _clean(value):
    if value is None:
        return None
    value = _squash(str(value))
    value = value.strip(" .,;:")
    value = _EDGE_QUOTES.sub("", value).strip(" .,;:")
    return value or None


def _pages(value):
    value = _clean(value)
    return DASHES.sub("-", value) if value else None


# A word each NOISE pattern's matches hold (in lower case): a pattern whose word the text lacks
# is not run.  A text holding a character lower-casing cannot judge (holds_lookalike) runs
# every pattern.
NOISE_WORDS = ("accessed", "[", "accessed", "retrieved", "available", "epub", "ed", "ed", "published")


def _strip_noise(text):
    every = holds_lookalike(text)
    for pattern, word in zip(NOISE, NOISE_WORDS):
        if every or word in text.lower():
            text = pattern.sub(" ", text)
    return _squash(text)


_BOUNDARY = re.compile(r"[.?!](?=\s+(?:[\[(\"\u201c\u2018A-Z0-9\u00c0-\u00de]|[a-z]+[A-Z]|in\s)|\s*$)")
# The characters _sentence_ends acts on: brackets and quotes that nest, and sentence stops.
_SENTENCE_MARKS = re.compile("[\\[(\u201c\\])\u201d.?!]")
_ABBREVIATION_BEFORE = re.compile(
    r"(?:^|[\s.(])(?:[A-Z]|vs|et al|No|St|Dr|e\.g|i\.e|Suppl|Vol|[Ee]d|[Ee]ds)$")
_SHORT_WORD_BEFORE = re.compile(r"(?:^|\s)[A-Z][a-z]{0,5}$")
_SHORT_WORD_AFTER = re.compile(r"\s+[A-Z][a-z]{0,6}\.")
_TWO_SHORT_WORDS_BEFORE = re.compile(r"(?:^|\s)[A-Z][a-z]{0,5}\.\s+[A-Z][a-z]{0,5}$")


def _sentence_ends(text):
    """Indexes of the periods (?, !) in ``text`` that end a sentence.

    A period inside brackets or quotes, after a single capital (an initial)
    or a common abbreviation, or inside a chain of abbreviated words
    (``J. Clin. Oncol.``) ends nothing.
    """
    ends, depth = [], 0
    for mark in _SENTENCE_MARKS.finditer(text):  # other characters change nothing
        i, char = mark.start(), mark.group()
        if char in "[(\u201c":
            depth += 1
        elif char in "])\u201d" and depth:
            depth -= 1
        if depth or char not in ".?!" or not _BOUNDARY.match(text, i):
            continue
        before = text[max(0, i - 40):i]  # a short window: the checks look at the last words only
        if char == "." and _ABBREVIATION_BEFORE.search(before):
            continue
        if char == "." and _SHORT_WORD_BEFORE.search(before) and \
                _SHORT_WORD_AFTER.match(text, i + 1) and \
                _TWO_SHORT_WORDS_BEFORE.search(before):
            continue  # J. Clin. Oncol.: an abbreviated name, not sentences
        ends.append(i)
    return ends


def _split_sentences(text):
    out, last = [], 0
    for end in _sentence_ends(text):
        out.append(text[last:end + 1])
        last = end + 1
    out.append(text[last:])
    return [p.strip() for p in out if p.strip(" .")]


def _title_end(text, pos):
    """(title, end) of the title that starts at ``pos``: a quoted phrase or one sentence."""
    rest = text[pos:]
    lead = len(rest) - len(rest.lstrip(" .,;:"))
    rest = rest[lead:]
    quote = _OPENING_QUOTE.match(rest)
    if quote:
        closer = {"\"": "\"", "\u201c": "\u201d", "\u2018": "\u2019", "'": "'"}[quote.group(0)]
        end = rest.find(closer, 1)
        if end > 0:
            title = rest[1:end]
            return title, pos + lead + end + 1
    # one sentence: up to ". " / "? " / "! " followed by a capital, digit or opening bracket
    ends = _sentence_ends(rest)
    chapter = _CHAPTER_IN.search(rest)
    if chapter and (not ends or chapter.start() < ends[0]):
        return rest[:chapter.start()], pos + lead + chapter.start() + 1  # "Title, in: Book"
    if ends:
        end = ends[0]
        keep = rest[end] if rest[end] in "?!" else ""
        return rest[:end] + keep, pos + lead + end + 1
    return rest, len(text)


def _find_locator(text, start, bare=False):
    """The earliest (name, match) of a locator shape at or after ``start``, preferring richer ones.

    A bare page range (``287-305``) counts only when ``bare`` (in a chapter).
    """
    best = None
    for rank, (name, pattern) in enumerate(LOCATORS):
        if name == "bare" and not bare:
            continue
        for match in pattern.finditer(text, start):
            groups = match.groupdict()
            groups["pages"] = groups.get("pages") or groups.get("pages2") or groups.get("pages3") \
                or groups.get("page1")
            volume = groups.get("volume") or groups.get("volume2")
            if name == "nlm" and not (volume or groups.get("pages")):
                continue
            if name == "chicago" and not (groups.get("pages") or groups.get("issue")):
                continue  # "34 (2010), 238-42" is another style's; "34 (2010)." is paren_year's
            if name == "paren_year" and groups.get("issue") and not groups.get("pages"):
                continue  # "34, 238-42 (2010)" is Nature's volume, pages (year)
            if name == "vol" and not volume:
                continue
            if name in ("apa", "nature") and _YEAR_ALONE.fullmatch(volume or ""):
                continue  # "Press, 2017, pp. 10-25": a year, not a volume
            if name in ("apa", "nature") and not (volume and (groups.get("pages") or groups.get("issue")
                                                              or groups.get("issue2"))):
                continue
            if name == "nature" and not (groups.get("pages") and (groups.get("year") or groups.get("issue")
                                                                  or "," in match.group(0) or ":" in match.group(0))):
                continue
            key = (match.start(), rank)
            if best is None or key < best[0]:
                best = (key, name, match)
            break
    return (best[1], best[2]) if best else (None, None)


def parse_citation(text: str) -> dict:
    """A dict of the fields ``text`` states (see ``fields.ReferenceFields`` for their names)."""
    raw = _squash(str(text or ""))
    out = {}
    for ident in identifiers_in(raw):
        out.setdefault(ident.name, ident.value)
    body = strip_identifiers(raw)
    body = _strip_noise(body)
    body = _ENTRY_NUMBER.sub("", body)
    if not body:
        return out
    authors = read_authors(body)
    out["authors"] = authors.authors
    pos = authors.end
    # author-date: (2019), (2019a), (2019, March 3), . 2019. , (n.d.)
    ad = _AUTHOR_DATE.match(body, pos)
    if ad and (authors.authors or pos == 0):
        out["year"] = int(ad.group("year"))
        if ad.group("suffix"):
            out["year_suffix"] = ad.group("suffix")
        pos = ad.end()
    else:
        nd = _NO_DATE.match(body, pos)
        if nd and authors.authors:
            pos = nd.end()
    title_start = pos
    title, pos_after_title = _title_end(body, pos)
    quoted = bool(_QUOTED_TITLE_AHEAD.match(body, pos))
    rest = body[pos_after_title:].strip(" .,;:")
    kind = None
    # chapter: "In: Editors, eds. Book. Place: Publisher; Year:pages" / "In Book, edited by ..."
    container_in = _IN_CONTAINER.match(rest)
    if container_in:
        kind = "chapter"
        rest = rest[container_in.end():]
    rest, editors = _drop_editors(rest)
    if editors and kind is None:
        kind = "chapter"
    rest = rest.strip(" .,;:")
    proceedings = bool(KIND_WORDS["conference-abstract"].search(rest[:200]))
    name, loc = _find_locator(rest, 0, bare=kind == "chapter" or proceedings)
    if loc is None and not quoted and kind is None:
        # the title may have run into the locator: "Title, Journal 34 (2010) 238-42"
        whole = body[title_start:].strip(" .,;:")
        name, loc = _find_locator(whole, 0)
        if loc is not None:
            head = whole[:loc.start()].rstrip(" .,;:")
            if ", " in head:
                title, rest = head.rsplit(", ", 1)
                rest = rest + " " + whole[loc.start():]
            else:
                title, rest = head, whole[loc.start():]
            title = _clean(title)
            name, loc = _find_locator(rest, 0)
    title = _clean(title)
    if loc is None and not rest and not quoted and title and ", " in title \
            and _ENDS_IN_YEAR.search(title):
        # "Title, Meridian Scientific, Berlin, 2013" / "Title, Site (2018)": the title ran to the end
        parts = title.split(", ")
        for i in range(1, len(parts)):
            tail = ", ".join(parts[i:])
            if parts[i][:1].isupper() and (PUBLISHER_WORDS.search(parts[i]) or
                                           _SITE_AND_YEAR.fullmatch(tail)):
                title, rest = _clean(", ".join(parts[:i])), tail
                break
    if loc is None and not rest and not quoted and title:
        facts = _BOOK_FACTS_AT_END.search(title)
        if facts and facts.start() > 0:
            title, rest = _clean(title[:facts.start()]), f"({facts.group('facts')})"
    container = None
    if loc is not None:
        groups = loc.groupdict()
        groups["pages"] = groups.get("pages") or groups.get("pages2") or groups.get("pages3") \
            or groups.get("page1")
        container = rest[:loc.start()]
        out["volume"] = _clean(groups.get("volume") or groups.get("volume2"))
        out["issue"] = _clean(groups.get("issue") or groups.get("issue2"))
        if out["issue"] and _DATE_NOT_ISSUE.fullmatch(out["issue"]):
            out["issue"] = None  # "12 (2001a): 1635" and "68 (January): 779": a date, not an issue
        out["pages"] = _pages(groups.get("pages"))
        if groups.get("year") and "year" not in out:
            out["year"] = int(groups["year"])
        if groups.get("suffix") and "year_suffix" not in out:
            out["year_suffix"] = groups["suffix"]
        tail = rest[loc.end():]
    else:
        tail = ""
        container = rest
    if (kind == "chapter" or proceedings) and out.get("volume") and not out.get("pages") \
            and not out.get("issue"):
        out["pages"], out["volume"] = out["volume"], None  # "Press; 2011:73": a chapter's page
    publisher = None
    # "Blood Press. 2016;25(6):357-360": before a journal's volume, a name holding a
    # publisher's word is the journal's (chapters and proceedings name their publisher there)
    journal_before = loc is not None and out.get("volume") and kind is None and not proceedings
    for segment in (container, tail):
        if not segment or (segment is container and journal_before):
            continue
        found = _publisher(segment)
        if found:
            publisher, start, year = found
            if segment is container:
                container = container[:start]
            if year and "year" not in out:
                out["year"] = year
            break
    if "year" not in out:
        years = _YEARS.findall(body[pos_after_title:] or body)
        if years:
            out["year"] = int(years[0][0])
            if years[0][1] and re.search(rf"\b{years[0][0]}{years[0][1]}\b", body):
                out["year_suffix"] = years[0][1]
    if container is not None:
        container = _strip_date(container)
        segments = _split_sentences(container)
        if loc is not None and kind is None and len(segments) > 1 and not quoted and title:
            # "Title. Subtitle. Journal. 2019;..." : the journal is the last sentence
            title = _clean(title + ". " + " ".join(segments[:-1]))
            container = segments[-1]
        elif loc is None and len(segments) > 1:
            container = segments[0]
        container = _clean(_strip_date(container or ""))
        if loc is None and kind is None and publisher is None and container and not out.get("url"):
            publisher, container = container, None  # "Title. Harbour Press, 2015.": a book
        if container and loc is None and len(container.split()) > 14:
            container = None
        if container and _DAY_ONLY.fullmatch(container):
            container = None
    if container and publisher and _clean(container) == publisher:
        container = None
    out["title"] = title
    out["journal"] = container
    out["publisher"] = publisher
    if kind is None:
        if loc is not None and container and (out.get("volume") or out.get("pages")):
            kind = "article"
        elif publisher:
            kind = "book"
        elif out.get("url"):
            kind = "web"
    text_for_kind = " ".join(filter(None, [title, container]))
    if KIND_WORDS["conference-abstract"].search(text_for_kind or "") and not out.get("volume"):
        # a journal named "Proceedings of ..." has volumes; a meeting's proceedings do not
        kind = "conference-abstract"
    elif KIND_WORDS["guideline"].search(title or "") and kind in (None, "web", "book"):
        kind = "guideline"
    out["kind"] = kind
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _strip_date(text):
    return _TRAILING_DATE.sub("", (text or "").strip())


PUBLISHER_WORDS = re.compile(
    r"\b(?:Press|Publish\w*|Academic|Scientific|Verlag|Books|Media|Editions?|Wiley|Elsevier|"
    r"Springer|Karger|Thieme|Saunders|Lippincott\w*|Mosby|Churchill\w*|University|Inc|Ltd|LLC|"
    r"GmbH|Co)\b\.?")


def _publisher(segment):
    """(publisher, start in segment, year or None) of the publisher a segment names, or None."""
    place = PLACE_PUBLISHER.search(segment)
    if place:
        name = place.group("publisher")
        if PUBLISHER_WORDS.search(place.group("place")) and not PUBLISHER_WORDS.search(name):
            name = place.group("place")  # "Harbour Press: London" (publisher first)
        return _clean(name), place.start(), None
    paren = PAREN_PUBLISHER.search(segment)
    if paren and (paren.group("year") or paren.group("place") or PUBLISHER_WORDS.search(paren.group("publisher"))):
        year = int(paren.group("year")) if paren.group("year") else None
        name = paren.group("publisher").split(": ")[-1]  # "(London: Harbour Press, 2015)"
        return _clean(name), paren.start(), year
    for match in _NAMED_PUBLISHER.finditer(segment):
        if PUBLISHER_WORDS.search(match.group("publisher")) and not KIND_WORDS["conference-abstract"].search(match.group("publisher")):
            return _clean(match.group("publisher")), match.start(), None
    return None


# Editors named after "edited by" or "ed." are written forename first (Emma P. Fischer),
# now and then surname first (Fischer EP).
EDITOR_ORDERS = FORENAME_FIRST_ORDERS + FIRST_ORDERS
_EDITOR_MARK = re.compile(r",?\s*\(?\b(?:eds?|editors?|Hrsg)\b\.?\)?[.,:]?", re.I)


def _drop_editors(text):
    """(text without its editor phrase, True if there was one)."""
    paren = _EDITORS_IN_BRACKETS.search(text)
    if paren:
        return text[:paren.start()] + text[paren.end():], True
    by = _EDITED_BY.search(text)
    if by:
        names = read_authors(text[by.end():], EDITOR_ORDERS)
        if names.authors:
            return text[:by.start()] + text[by.end() + names.end:], True
    # a Chicago note names the editors after "ed." and before its (Place: Publisher, Year)
    for before in _ED_BEFORE_NAMES.finditer(text):
        names = read_authors(text[before.end():], EDITOR_ORDERS)
        after = before.end() + names.end
        if names.authors and _OPENING_PAREN.match(text, after):
            return text[:before.start()] + text[after:], True
    for mark in _EDITOR_MARK.finditer(text):
        if mark.start() == 0:
            continue
        starts = [0] + [m.end() for m in _LIST_SEPARATOR.finditer(text[:mark.start()])]
        for start in starts:
            chunk = text[start:mark.start()]
            names = read_authors(chunk)
            if names.authors and not chunk[names.end:].strip(" ,."):
                cut_start = start if start == 0 else start - 2
                return text[:cut_start] + (", " if cut_start else "") + text[mark.end():].lstrip(" ,."), True
    return text, False
