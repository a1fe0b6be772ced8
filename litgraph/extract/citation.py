"""Bibliographic fields of one reference entry, whatever its citation style.

Rules, applied in the order a reader would: identifiers and access notes are
taken out first; the author list is read from the head of the entry
(``names.read_authors``); an author-date year right after it is taken; then
the *locator* (volume, issue, pages and often the year) is found by the
shapes every style family uses for it:

- ``2019;34(3):648-54``  (Vancouver, NLM, AMA, BMJ, Lancet, NEJM, PLOS)
- ``34(3), 648-654`` / ``34(3), pp. 648-654``  (APA, Harvard)
- ``34, 648-654 (2019)`` / ``34 (3): 648-54``  (Nature, Science, Cell, Chicago)
- ``vol. 34, no. 3, pp. 648-654``  (IEEE, MLA)

The title is the first sentence (or the quoted phrase) after the authors and
the author-date year; the journal or container is what lies between the title
and the locator. Books and chapters are told by ``In:``/``edited by`` and a
publisher (``London: Harbour Press``; ``(Harbour Press, London, 2015)``).
"""

import re

from .identifiers import identifiers_in, strip_identifiers
from .names import read_authors

YEAR = r"(?:19|20)\d{2}"
MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
         r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|Spring|Summer|Autumn|Fall|Winter)\.?")
PAGE = r"(?:[A-Za-z]{0,2}\d+[A-Za-z]?)"
PAGES = rf"(?:{PAGE}(?:\s*[-\u2010-\u2015]\s*{PAGE})?)"
DASHES = re.compile(r"\s*[-\u2010-\u2015]\s*")

# Access notes and markers that belong to no field.
NOISE = [
    re.compile(r"\[(?:Internet|online|Online|cited[^\]]*|accessed[^\]]*|Accessed[^\]]*|"
               r"Epub ahead of print|published online[^\]]*|abstract|Abstract)\]", re.I),
    re.compile(r"\(?\b(?:last\s+)?accessed(?:\s+on)?:?\s*(?:\d{1,2}\s+)?(?:" + MONTH + r"\s*)?"
               r"(?:\d{1,2},?\s*)?(?:" + YEAR + r")?\)?\.?", re.I),
    re.compile(r"\bRetrieved\s+(?:(?:" + MONTH + r")\s*\d{1,2},?\s*" + YEAR + r",?\s*)?from\b\.?", re.I),
    re.compile(r"\b(?:Available\s+(?:from|at|online)|\[Online\]\.?\s*Available)\s*:?", re.I),
    re.compile(r"\bEpub\s+(?:ahead\s+of\s+print\.?|" + YEAR + r"(?:\s+" + MONTH + r"(?:\s+\d{1,2})?)?\.?)", re.I),
    re.compile(r"\bPublished\s+online\s+(?:" + MONTH + r"\s*)?(?:\d{1,2},?\s*)?" + YEAR + r"\.?", re.I),
]
LOCATORS = [
    # 2019 Mar 5;34(3):648-54   2019;34:648   2019; 34: 648-54   2017:10-25 (a chapter's pages)
    ("nlm", re.compile(
        rf"(?<![\d])(?P<year>{YEAR})(?P<suffix>[a-z])?(?:\s*{MONTH}(?:\s*[-/\u2013]\s*{MONTH})?(?:\s*\d{{1,2}})?)?"
        rf"\s*[;:]\s*(?P<volume>[A-Za-z]?\d+[A-Za-z]?(?:\s*Suppl\s*\d*)?)?"
        rf"(?:\s*\((?P<issue>[^()]{{1,15}})\))?"
        rf"(?:\s*:\s*(?P<pages>{PAGES})|,\s*pp?\.\s*(?P<pages2>{PAGES}))?")),
    # vol. 34, no. 3, ... pp. 648-654
    ("vol", re.compile(
        rf"\b[Vv]ol(?:ume)?\.?\s*(?P<volume>[A-Za-z]?\d+[A-Za-z]?)"
        rf"(?:,?\s*(?:[Nn]o|[Ii]ss(?:ue)?|[Nn]r)\.?\s*(?P<issue>[\w/\u2013-]{{1,10}}))?"
        rf"(?:,?\s*(?:[^,]*?,\s*)??(?:(?:{MONTH}\s*)?(?:\d{{1,2}},?\s*)?(?P<year>{YEAR}),?\s*)?"
        rf"(?:(?:pp?\.|[Aa]rt(?:icle)?\.?\s*(?:no\.)?)\s*(?P<pages>{PAGES}))?)?")),
    # , 34(3), 648-654   , 34(3), pp. 648-654   , 34, 648-654   , 34(3):648
    ("apa", re.compile(
        rf"(?<=,)\s*(?P<volume>[A-Za-z]?\d+[A-Za-z]?)\s*(?:\((?P<issue>[^()]{{1,15}})\))?"
        rf"(?:\s*[,:]\s*(?:pp?\.\s*)?(?P<pages>{PAGES}))"
        rf"|(?<=,)\s*(?P<volume2>\d+[A-Za-z]?)\s*\((?P<issue2>[^()]{{1,15}})\)(?=\s*[.,]|\s*$)")),
    # Journal 34, 648-654 (2019)   Journal 34 (3): 648-54   Journal 34:648-54
    ("nature", re.compile(
        rf"(?<=\s)(?P<volume>[A-Za-z]?\d+[A-Za-z]?)\s*(?:\((?P<issue>[^()]{{1,15}})\))?\s*[,:]\s*"
        rf"(?:pp?\.\s*)?(?P<pages>{PAGES})(?:\s*\((?P<year>{YEAR})\))?")),
 # (pp. 10-25), pp. 10-25, p. 10-25: pages alone (chapters)
    ("pp", re.compile(rf"\(?\bpp?\.\s*(?P<pages>{PAGES})\)?")),
]
KIND_WORDS = {
    "conference-abstract": re.compile(r"\b(?:annual\s+meeting|congress|symposium|conference|"
                                      r"proceedings|abstract\s+(?:no|id)|meeting)\b", re.I),
    "guideline": re.compile(r"\b(?:guidelines?|recommendations?|consensus\s+statement|"
                            r"practice\s+parameter|position\s+statement)\b", re.I),
}
EDITORS = re.compile(
    r"(?:,?\s*\(?\b(?:eds?|editors?|Ed|Eds|Hrsg)\b\.?\)?\s*[.,:]?"
    r"|\bedited\s+by\b[^.()]*?(?=[.,(]|$))", re.I)
IN_CONTAINER = re.compile(r"(?:^|[.,]\s*|\s)[Ii]n\s*:?\s+(?=\S)")
PLACE_PUBLISHER = re.compile(
    r"(?:^|(?<=[.,;]\s))(?P<place>[A-Z][\w '-]{1,40}?(?:,\s*[A-Z]{2,})?)\s*:\s*(?P<publisher>[A-Z][^;:.()\[\]]{1,80}?)"
    rf"(?=\s*(?:[;,.]\s*(?:{YEAR}|\d|pp?\.)|\s*{YEAR}|\s*[.;]?\s*$))")
PAREN_PUBLISHER = re.compile(
    rf"\((?P<publisher>[A-Z][^(),]{{1,80}}?)(?:,\s*(?P<place>[A-Z][^(),]{{1,40}}))?,?\s*(?P<year>{YEAR})?\)")


def _squash(text):
    return re.sub(r"\s+", " ", text or "").strip()


def _clean(value):
    if value is None:
        return None
    value = _squash(str(value))
    value = value.strip(" .,;:")
    value = re.sub(r"^[\"\u201c\u201d\u2018\u2019']+|[\"\u201c\u201d\u2018\u2019']+$", "", value).strip(" .,;:")
    return value or None


def _pages(value):
    value = _clean(value)
    return DASHES.sub("-", value) if value else None


def _strip_noise(text):
    for pattern in NOISE:
        text = pattern.sub(" ", text)
    return _squash(text)


def _title_end(text, pos):
    """(title, end) of the title that starts at ``pos``: a quoted phrase or one sentence."""
    rest = text[pos:]
    lead = len(rest) - len(rest.lstrip(" .,;:"))
    rest = rest[lead:]
    quote = re.match(r"[\"\u201c\u2018']", rest)
    if quote:
        closer = {"\"": "\"", "\u201c": "\u201d", "\u2018": "\u2019", "'": "'"}[quote.group(0)]
        end = rest.find(closer, 1)
        if end > 0:
            title = rest[1:end]
            return title, pos + lead + end + 1
    # one sentence: up to ". " / "? " / "! " followed by a capital, digit or opening bracket
    for match in re.finditer(r"[.?!](?=\s+[\[(\"\u201c\u2018A-Z0-9\u00c0-\u00de]|\s*$)|\s(?=\((?:[A-Z][^()]*,\s*)?" + YEAR + r"\)\.?\s*$)", rest):
        end = match.start()
        candidate = rest[:end]
        # a period after a single capital letter or a common abbreviation does not end a sentence
        if rest[end] == "." and re.search(r"(?:\b[A-Z]|\bvs|\bet al|\bNo|\bSt|\bDr|\be\.g|\bi\.e)$", candidate):
            continue
        keep = rest[end] if rest[end] in "?!" else ""
        return candidate + keep, pos + lead + end + 1
    return rest, len(text)


def _find_locator(text, start):
    """The earliest (name, match) of a locator shape at or after ``start``, preferring richer ones."""
    best = None
    for name, pattern in LOCATORS:
        for match in pattern.finditer(text, start):
            groups = match.groupdict()
            if groups.get("pages2"):
                groups["pages"] = groups["pages2"]
            volume = groups.get("volume") or groups.get("volume2")
            if name == "nlm" and not (volume or groups.get("pages")):
                continue
            if name == "vol" and not volume:
                continue
            if name in ("apa", "nature") and re.fullmatch(YEAR, volume or ""):
                continue  # "Press, 2017, pp. 10-25": a year, not a volume
            if name in ("apa", "nature") and not (volume and (groups.get("pages") or groups.get("issue")
                                                              or groups.get("issue2"))):
                continue
            if name == "nature" and not (groups.get("pages") and (groups.get("year") or groups.get("issue")
                                                                  or "," in match.group(0) or ":" in match.group(0))):
                continue
            key = (match.start(), LOCATORS.index((name, pattern)))
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
    body = re.sub(r"^\s*(?:\[\d+\]|\(\d+\)|\d+[.)]?(?=\s|[A-Z])|[\u2022\u00b7*-](?=\s))\s*", "", body)
    if not body:
        return out
    authors = read_authors(body)
    out["authors"] = authors.authors
    pos = authors.end
    # author-date: (2019), (2019a), (2019, March 3), . 2019. , (n.d.)
    ad = re.compile(rf"\s*[.,]?\s*\(?(?P<year>{YEAR})(?P<suffix>[a-z])?(?:,\s*[^()]{{1,30}})?\)?[.,:]?(?=\s|$)").match(body, pos)
    if ad and authors.authors:
        out["year"] = int(ad.group("year"))
        if ad.group("suffix"):
            out["year_suffix"] = ad.group("suffix")
        pos = ad.end()
    else:
        nd = re.compile(r"\s*[.,]?\s*\(?n\.\s?d\.\)?[.,]?").match(body, pos)
        if nd and authors.authors:
            pos = nd.end()
    title, pos_after_title = _title_end(body, pos)
    title = _clean(title)
    rest = body[pos_after_title:]
    kind = None
    # chapter: "In: Editors, eds. Book. Place: Publisher; Year:pages" / "In Book, edited by ..."
    container_in = IN_CONTAINER.match(rest) or re.match(r"\s*[.,]?\s*[Ii]n\s*:?\s+", rest)
    if container_in:
        kind = "chapter"
        rest = rest[container_in.end():]
        ed = EDITORS.search(rest)
        if ed and ed.start() < 200:
            head = rest[:ed.start()]
            if read_authors(head).authors and not re.search(r"[.:]\s", head.strip(" .")):
                rest = rest[ed.end():]
        rest = rest.lstrip(" .,;:")
    name, loc = _find_locator(rest, 0)
    container = None
    if loc is not None:
        groups = loc.groupdict()
        if groups.get("pages2"):
            groups["pages"] = groups["pages2"]
        container = rest[:loc.start()]
        out["volume"] = _clean(groups.get("volume") or groups.get("volume2"))
        out["issue"] = _clean(groups.get("issue") or groups.get("issue2"))
        out["pages"] = _pages(groups.get("pages"))
        if groups.get("year") and "year" not in out:
            out["year"] = int(groups["year"])
        if groups.get("suffix") and "year_suffix" not in out:
            out["year_suffix"] = groups["suffix"]
        if kind == "chapter" and not out.get("volume"):
            pass
        tail = rest[loc.end():]
    else:
        tail = ""
        container = rest
    # publisher: "Place: Publisher; 2015", "(Publisher, Place, 2015)", "Publisher, 2015"
    publisher = None
    for segment in (container, tail):
        if not segment:
            continue
        paren = PAREN_PUBLISHER.search(segment)
        place = PLACE_PUBLISHER.search(segment)
        if place:
            publisher = _clean(place.group("publisher"))
            if segment is container:
                container = container[:place.start()]
            break
        if paren and (paren.group("year") or paren.group("place")):
            publisher = _clean(paren.group("publisher"))
            if segment is container:
                container = container[:paren.start()]
            if paren.group("year") and "year" not in out:
                out["year"] = int(paren.group("year"))
            break
    if "year" not in out:
        years = re.findall(rf"(?<![\d/.-])({YEAR})([a-z])?(?![\d/-])", body[pos_after_title:] or body)
        if years:
            out["year"] = int(years[0][0])
            if years[0][1] and re.search(rf"\b{years[0][0]}{years[0][1]}\b", body):
                out["year_suffix"] = years[0][1]
    if container is not None:
        container = re.sub(rf"[,;.]?\s*\(?(?:{MONTH}\s*)?(?:\d{{1,2}},?\s*)?{YEAR}[a-z]?\)?[.,;]?\s*$", "", container.strip())
        container = re.sub(r"\s*\((?:[^()]*)\)\s*$", "", container) if publisher else container
        container = _clean(container)
        if container and (loc is None) and kind != "chapter":
            # without a locator the container is the first short segment (a site, a book series)
            first = re.split(r"\.\s+", container)[0]
            container = _clean(first)
            if publisher is None and container and len(container.split()) > 12:
                container = None
        if container and re.fullmatch(rf"(?:{MONTH}\s*)?\d{{0,2}},?\s*", container):
            container = None
    if container and publisher and _clean(container) == publisher:
        container = None
    out["title"] = title
    out["journal"] = container
    out["publisher"] = publisher
    # kind
    if kind is None:
        if loc is not None and container and (out.get("volume") or out.get("pages")):
            kind = "article"
        elif publisher:
            kind = "book"
        elif out.get("url"):
            kind = "web"
    text_for_kind = " ".join(filter(None, [title, container]))
    if KIND_WORDS["conference-abstract"].search(text_for_kind or "") and kind != "article":
        kind = "conference-abstract"
    elif KIND_WORDS["guideline"].search(title or "") and kind in (None, "web", "book"):
        kind = "guideline"
    out["kind"] = kind
    return {k: v for k, v in out.items() if v not in (None, "", [])}
