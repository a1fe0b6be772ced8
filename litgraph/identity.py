"""Identity verification: is the resolved record the work the document describes?

A source resolves through an identifier (PMID, DOI) or a search; an identifier
can be right while the citation around it describes another work (the most
common fabricated reference: a real DOI under an invented title).  After
resolution, ``verify_identity`` compares what the document states for the
source (title, first author's surname, the other authors, year, journal,
volume, first page) with the PubMed record, field by field, and gives a
verdict:

- ``verified``: every field the document states agrees with the record;
- ``partial``: exactly one field differs and at least one other agrees (a
  typo, a wrong year, a misspelt author: worth a look);
- ``mismatch``: two or more fields differ, or everything stated differs
  (the record is another work);
- ``None``: the document states nothing the record can be compared with.

Comparisons are normalised (accents, case, punctuation, inline markup,
trailing periods) and tolerate what real citations do: a journal abbreviated
(``Am J Surg Pathol`` for ``The American journal of surgical pathology``), a
dropped subtitle, ``et al.``, an epub year one off the print year, authors
written forename first.  Similarity comes from rapidfuzz.

>>> from litgraph.model import SourceEntry
>>> from litgraph.entrez.records import PubmedRecord
>>> record = PubmedRecord("20090506", title="Primary leiomyosarcoma of the kidney: a study",
...                       authors=["Miller JS", "Zhou M"], year=2010, journal_iso="Am J Surg Pathol")
>>> verify_identity(SourceEntry("m", title="Primary leiomyosarcoma of the kidney",
...                             authors=["Miller JS", "et al."], year=2009,
...                             journal="The American Journal of Surgical Pathology"), record).verdict
'verified'
>>> verify_identity(SourceEntry("k", title="The role of sunlight in tooth decay",
...                             authors=["Kendal WS"], year=2007), record).reason
'title 0.38 similar: "The role of sunlight in tooth decay" vs "Primary leiomyosarcoma of the kidney: a..."; first author Kendal vs Miller; year 2007 vs 2010'
"""

import functools
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from rapidfuzz import fuzz

VERDICTS = ("verified", "partial", "mismatch")
FIELDS = ("title", "first author", "authors", "year", "journal", "volume", "first page")

TITLE_AGREES = 0.9  # normalised titles at least this similar (rapidfuzz ratio / 100) agree
SURNAME_AGREES = 0.85  # surnames at least this similar agree (transliteration, one typo)
JOURNAL_AGREES = 0.9  # journal names at least this similar agree (typos)
YEAR_SLACK = 1  # epub versus print year
SHOWN = 40  # characters of a title shown in a reason

# Inline markup PubMed keeps in titles (<i>in vivo</i>, CO<sub>2</sub>): removed without a
# space so that a word is never split; any other tag becomes a space.
_INLINE_TAG = re.compile(r"</?(?:i|b|u|em|strong|sub|sup|sc|span|mml:[a-z]+)(?:\s[^>]*)?>", re.I)
_TAG = re.compile(r"<[^>]+>")
_BRACKETED = re.compile(r"\[[^\]]*\]")  # [Internet], [Article in German]
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SUBTITLE = re.compile(r"\s*(?::|\.\s|\?\s|!\s|\s[-\u2013\u2014]\s)\s*")
_ET_AL = re.compile(r"\bet\.?\s+al\b\.?", re.I)
NAME_SUFFIXES = ("Jr", "Sr", "II", "III", "IV", "2nd", "3rd")  # as PubMed writes them
_NAME_SUFFIXES = {suffix.lower() for suffix in NAME_SUFFIXES}
# PubMed's author with a suffix after the initials: "Lavengood RW Jr", "Smith J III"
_SUFFIXED = re.compile(rf"^(?P<name>.+?\s[A-Z]{{1,4}})\s+(?P<suffix>{'|'.join(NAME_SUFFIXES)})\.?$")


def without_suffix(author) -> tuple:
    """(name, suffix) of PubMed's ``"Lavengood RW Jr"``: ``("Lavengood RW", "Jr")``; a name
    without a suffix after its initials comes back whole, with None.

    >>> without_suffix("Lavengood RW Jr"), without_suffix("Miller JS")
    (('Lavengood RW', 'Jr'), ('Miller JS', None))
    """
    match = _SUFFIXED.match(" ".join(str(author or "").split()))
    return (match["name"], match["suffix"]) if match else (str(author or ""), None)


# ISO 4 leaves articles, prepositions and conjunctions out of abbreviated titles, whatever the
# language: the common ones of English, French, German, Dutch, Spanish, Italian and Portuguese
# journal titles (none a word's abbreviation: not "a", "an", "e", "el")
_JOURNAL_FILLERS = {"the", "of", "and", "in", "for", "on", "at", "to", "by", "with", "from",
                    "de", "la", "le", "les", "des", "du", "au", "aux", "et", "pour", "sur",
                    "der", "die", "das", "dem", "den", "und", "fur", "fuer", "zur", "zum",
                    "voor", "van", "het", "een",
                    "y", "del", "los", "las", "para", "di", "della", "delle", "dei", "il", "per",
                    "do", "da", "dos", "em"}
_WORD_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")  # Anti-tumor and Antitumor: one word
_DIGITS = re.compile(r"\d+")
NOTHING_STATED = ("nothing to compare: the document states only an identifier (no title, author, "
                  "year, journal, volume or page)")
NOTHING_RECORDED = "nothing to compare: the record gives none of the fields the document states"
# A source's reason when another of its citations (not its first) names another work:
# "<document> line <n> cites this identifier as another work: <fields>" (resolve.py writes it,
# publish.py shows that citation's words on the source's page).
ANOTHER_WORK = " cites this identifier as another work: "


@dataclass
class FieldCheck:
    """One field compared: what the document states, what the record holds, and whether they agree."""

    name: str  # one of FIELDS
    agrees: bool
    stated: str
    recorded: str
    detail: str  # how it differs, for the reason ("year 2007 vs 2010"); "" when it agrees


@dataclass
class Identity:
    """The verdict on one resolved source, with the reason a curator reads."""

    verdict: Optional[str]  # one of VERDICTS, or None when nothing could be compared
    reason: Optional[str]
    checks: list = field(default_factory=list)  # [FieldCheck]

    @property
    def differing(self) -> list:
        return [c.name for c in self.checks if not c.agrees]

    @property
    def agreeing(self) -> list:
        return [c.name for c in self.checks if c.agrees]


# ---------------------------------------------------------------- normalising

def fold(text) -> str:
    """Lower case without accents, markup, entities or punctuation; words single-spaced.

    >>> fold("Türkeri <i>in&nbsp;vivo</i> CO<sub>2</sub>.")
    'turkeri in vivo co2'
    """
    if text is None:
        return ""
    return _fold(str(text))


@functools.lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    # a verification folds each name and title of a record many times over: cached
    if "<" in text or "&" in text:
        text = _INLINE_TAG.sub("", text)
        text = html.unescape(_TAG.sub(" ", text))
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.lower())  # lower first: Ø, Ł, Æ fold too
        text = "".join(c for c in text if not unicodedata.combining(c))
        text = text.replace("\u00df", "ss").replace("\u00f8", "o").replace("\u0131", "i")
        text = text.replace("\u0142", "l").replace("\u00e6", "ae").replace("\u0153", "oe")
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def similarity(a, b) -> float:
    """rapidfuzz's normalised similarity of two folded strings, 0..1."""
    return fuzz.ratio(a, b) / 100.0


def _plain(text) -> str:
    """Markup-free text of a title, for showing."""
    text = _INLINE_TAG.sub("", str(text or ""))
    return " ".join(html.unescape(_TAG.sub(" ", text)).split())


def _shown(text) -> str:
    text = _plain(text).rstrip(".")
    if len(text) <= SHOWN:
        return text
    cut = text[:SHOWN].rsplit(" ", 1)[0] if " " in text[:SHOWN] else text[:SHOWN]
    return cut + "..."


# ---------------------------------------------------------------- fields

def _title_main(title) -> str:
    """A title without its subtitle (what follows the first ':' or sentence end)."""
    plain = _BRACKETED.sub(" ", _plain(title))
    return fold(_SUBTITLE.split(plain.strip(), maxsplit=1)[0])


def _title_forms(title) -> list:
    """The folded title, and without bracketed parts (PubMed's [translated titles], a
    document's [Article in Dutch]) when it has any."""
    forms = [fold(title), fold(_BRACKETED.sub(" ", _plain(title)))]
    return [f for f in dict.fromkeys(forms) if f]


def compare_title(stated, recorded_titles) -> Optional[FieldCheck]:
    """Titles agree when similar enough, or when one is the other without its subtitle."""
    recorded_titles = [t for t in recorded_titles if t]
    if not stated or not fold(stated) or not recorded_titles:
        return None
    best, best_title = -1.0, recorded_titles[0]
    wanted, stated_main = _title_forms(stated), _title_main(stated)
    for title in recorded_titles:
        title_main = _title_main(title)
        for want in wanted:
            for have in _title_forms(title):
                score = similarity(want, have)
                subtitle_dropped = (len(want.split()) >= 2 and len(have.split()) >= 2
                                    and (want == title_main or have == stated_main))
                if subtitle_dropped:
                    score = max(score, 1.0 if want == have else TITLE_AGREES)
                if score > best:
                    best, best_title = score, title
    agrees = best >= TITLE_AGREES
    detail = "" if agrees else (f"title {best:.2f} similar: \"{_shown(stated)}\" vs "
                                f"\"{_shown(best_title)}\"")
    return FieldCheck("title", agrees, _plain(stated), _plain(best_title), detail)


def author_names(authors) -> list:
    """The authors a document lists, without ``et al.`` (in any spelling) or empty items."""
    names = []
    for author in authors or []:
        text = _ET_AL.sub(" ", str(author or "")).strip(" ,;.")
        if fold(text) and fold(text) not in ("et al", "others", "and others"):
            names.append(text)
    return names


def surname(author) -> list:
    """Folded words of an author's surname.

    ``"Miller JS"`` and ``"Miller, J. S."`` give ``["miller"]``; a name written
    forename first (``"Albert N. Van Geel"``) or a collective name keeps every
    word, and is matched by its last words (see ``surnames_agree``).

    >>> surname("Van Geel AN"), surname("Lavengood RW Jr"), surname("Miller, J. S.")
    (['van', 'geel'], ['lavengood'], ['miller'])
    """
    return list(_surname(str(author or "")))


@functools.lru_cache(maxsize=1 << 16)
def _surname(text: str) -> tuple:
    # a record's authors are compared with each author a document names: cached
    if "," in text:  # "Miller, J. S.": the surname comes first
        head = text.split(",", 1)[0]
        if fold(head):
            return tuple(fold(head).split())
    tokens = [t for t in re.split(r"[\s.]+", text) if t]
    while tokens and fold(tokens[-1]) in _NAME_SUFFIXES:
        tokens.pop()
    kept = list(tokens)
    while len(kept) > 1 and kept[-1].isalpha() and kept[-1].isupper() and len(kept[-1]) <= 3:
        kept.pop()  # trailing initials
    return tuple(fold(" ".join(kept)).split())


def surnames_agree(stated_author, recorded_author) -> bool:
    """The stated author's surname is the record author's, allowing forename-first order,
    collective names and a small spelling difference."""
    want, have = _surname(str(stated_author or "")), _surname(str(recorded_author or ""))
    if not want or not have:
        return False
    if "".join(want) == "".join(have):
        return True
    if len(want) > len(have) and have in (want[-len(have):], want[:len(have)]):
        return True  # "Rabia Zafar" or "Zhang Wei" vs "Zafar R", "Zhang W"
    if len(have) > len(want) and have[-len(want):] == want:
        return True
    return similarity("".join(want), "".join(have)) >= SURNAME_AGREES


def _shown_surname(author) -> str:
    words = surname(author)
    tokens = [t for t in re.split(r"[\s,.]+", str(author)) if t]
    # show the surname in the author's own spelling when its words can be found
    original = [t for t in tokens if fold(t) in words]
    return " ".join(original) if original else " ".join(words)


def compare_first_author(stated_authors, recorded_authors) -> Optional[FieldCheck]:
    stated, recorded = author_names(stated_authors), list(recorded_authors or [])
    if not stated or not recorded:
        return None
    agrees = surnames_agree(stated[0], recorded[0])
    detail = "" if agrees else (f"first author {_shown_surname(stated[0])} vs "
                                f"{_shown_surname(recorded[0])}")
    return FieldCheck("first author", agrees, stated[0], recorded[0], detail)


def compare_other_authors(stated_authors, recorded_authors) -> Optional[FieldCheck]:
    """Every other author the document names is among the record's authors (any order)."""
    stated, recorded = author_names(stated_authors), list(recorded_authors or [])
    others = stated[1:]
    if not others or not recorded:
        return None
    missing = [a for a in others if not any(surnames_agree(a, r) for r in recorded)]
    agrees = not missing
    detail = "" if agrees else (f"authors {len(missing)} of {len(others)} others not on the record: "
                                + ", ".join(_shown_surname(a) for a in missing[:4])
                                + (", ..." if len(missing) > 4 else ""))
    return FieldCheck("authors", agrees, ", ".join(others), ", ".join(recorded), detail)


def compare_year(stated, recorded) -> Optional[FieldCheck]:
    try:
        stated, recorded = int(stated), int(recorded)
    except (TypeError, ValueError):
        return None
    agrees = abs(stated - recorded) <= YEAR_SLACK
    return FieldCheck("year", agrees, str(stated), str(recorded),
                      "" if agrees else f"year {stated} vs {recorded}")


def _journal_words(name) -> list:
    text = _WORD_HYPHEN.sub("", _BRACKETED.sub(" ", str(name or "")))
    return [w for w in fold(text).split() if w not in _JOURNAL_FILLERS]


def _abbreviates(short, full) -> bool:
    """``short`` is an abbreviation of the word ``full``: same first letter, its letters in order
    (``pathol`` of ``pathology``, ``natl`` of ``national``)."""
    if not short or not full or short[0] != full[0] or len(short) > len(full):
        return False
    position = 0
    for letter in short:
        position = full.find(letter, position)
        if position < 0:
            return False
        position += 1
    return True


def journals_agree(stated, recorded) -> bool:
    """Two names of a journal agree: equal, nearly equal, or one abbreviates the other word by
    word (ISO 4 style, leaving out articles and prepositions)."""
    if ":" in str(recorded or "") and journals_agree(stated, str(recorded).split(":", 1)[0]):
        return True  # NLM titles carry subtitles: "Journal of clinical oncology : official ..."
    want, have = _journal_words(stated), _journal_words(recorded)
    if not want or not have:
        return False
    if want == have or similarity(" ".join(want), " ".join(have)) >= JOURNAL_AGREES:
        return True
    if len(want) != len(have):
        return False
    return all(_abbreviates(a, b) or _abbreviates(b, a) for a, b in zip(want, have))


def record_journals(record) -> list:
    """Every name the record gives its journal (or book): title, ISO abbreviation, MedlineTA."""
    names = [getattr(record, name, None)
             for name in ("journal", "journal_iso", "journal_medline_ta", "book_title")]
    return [n for n in dict.fromkeys(names) if n]


def compare_journal(stated, recorded_names) -> Optional[FieldCheck]:
    recorded_names = [n for n in recorded_names if n]
    if not stated or not fold(stated) or not recorded_names:
        return None
    agrees = any(journals_agree(stated, name) for name in recorded_names)
    shown = recorded_names[1] if len(recorded_names) > 1 and recorded_names[1] else recorded_names[0]
    return FieldCheck("journal", agrees, str(stated), " / ".join(recorded_names),
                      "" if agrees else f"journal {stated} vs {shown}")


def _number_part(value) -> str:
    text = fold(value)
    digits = _DIGITS.search(text)
    return digits.group(0).lstrip("0") or "0" if digits else text


def compare_volume(stated, recorded) -> Optional[FieldCheck]:
    if not fold(stated) or not fold(recorded):
        return None
    agrees = (fold(stated) == fold(recorded)
              or _number_part(stated) == _number_part(recorded))
    return FieldCheck("volume", agrees, str(stated), str(recorded),
                      "" if agrees else f"volume {stated} vs {recorded}")


def first_page(pages) -> Optional[str]:
    if not pages:
        return None
    text = str(pages).replace("\u2013", "-").replace("\u2014", "-")
    return text.split("-")[0].strip() or None


def compare_first_page(stated, recorded_pages) -> Optional[FieldCheck]:
    recorded = first_page(recorded_pages)
    if not fold(stated) or not fold(recorded):
        return None
    agrees = (fold(stated).replace(" ", "") == fold(recorded).replace(" ", "")
              or _number_part(stated) == _number_part(recorded))
    return FieldCheck("first page", agrees, str(stated), str(recorded),
                      "" if agrees else f"first page {stated} vs {recorded}")


# ---------------------------------------------------------------- the verdict

def stated_title(entry) -> Optional[str]:
    """The title the entry states, unless it is no work's title (a link's label, "Full text
    at PMC"; a bare journal citation): that is not compared."""
    from .plausible import is_a_title

    return entry.title if entry.title and is_a_title(str(entry.title)) else None


def compare_fields(entry, record) -> list:
    """A FieldCheck for every field both the document and the record give, in FIELDS order."""
    titles = [record.title] + ([record.book_title] if getattr(record, "is_book", False) else [])
    checks = [
        compare_title(stated_title(entry), titles),
        compare_first_author(entry.authors, record.authors),
        compare_other_authors(entry.authors, record.authors),
        compare_year(entry.year, record.year),
        compare_journal(entry.journal, record_journals(record)),
        compare_volume(entry.volume, record.volume),
        compare_first_page(entry.first_page, record.pages),
    ]
    return [c for c in checks if c is not None]


def verdict_of(checks) -> Optional[str]:
    """verified / partial / mismatch from the compared fields (see the module docstring)."""
    if not checks:
        return None
    differing = [c for c in checks if not c.agrees]
    if not differing:
        return "verified"
    if len(differing) >= 2 or len(differing) == len(checks):
        return "mismatch"
    return "partial"


def verify_identity(entry, record) -> Identity:
    """Compare a SourceEntry (what the document states) with the PubmedRecord it resolved to."""
    checks = compare_fields(entry, record)
    verdict = verdict_of(checks)
    if verdict is None:
        stated = any([stated_title(entry), author_names(entry.authors), entry.year, entry.journal,
                      entry.volume, entry.first_page])
        return Identity(None, NOTHING_STATED if not stated else NOTHING_RECORDED, checks)
    differing = [c.detail for c in checks if not c.agrees]
    agreeing = [c.name for c in checks if c.agrees]
    parts = list(differing)
    if agreeing:
        parts.append("agrees: " + ", ".join(agreeing))
    return Identity(verdict, "; ".join(parts), checks)


def states_enough_to_search(entry) -> bool:
    """Whether the entry states title, journal and year: enough to look for the work it means."""
    return bool(entry.title and entry.journal and entry.year)


def better_candidate(entry, records, exclude=()) -> Optional[tuple]:
    """(record, Identity) of the record among ``records`` that best fits the citation, when one
    fits it (verified, else partial); never one whose PMID is in ``exclude``."""
    ranked = []
    for record in records:
        if record is None or record.pmid in exclude:
            continue
        identity = verify_identity(entry, record)
        if identity.verdict in ("verified", "partial"):
            ranked.append((identity.verdict != "verified", len(identity.differing),
                           -len(identity.agreeing), record.pmid, record, identity))
    if not ranked:
        return None
    best = min(ranked, key=lambda item: item[:4])
    return best[4], best[5]


def sighting_entry(entry, sighting):
    """What one citation of ``entry`` (a Sighting, in the document's own words) states, as a
    SourceEntry: two documents can give one identifier under two different works."""
    from .extract.citation import parse_citation
    from .model import SourceEntry

    stated = parse_citation(sighting.raw)
    return SourceEntry(entry.key, title=stated.get("title"), authors=stated.get("authors") or [],
                       journal=stated.get("journal"), year=stated.get("year"),
                       volume=stated.get("volume"), pages=stated.get("pages"))


def mismatched_sighting(entry, record) -> Optional[tuple]:
    """(Sighting, SourceEntry, Identity) of the first citation in ``entry.seen`` whose own words
    name another work than ``record`` (a ``mismatch``), or None.

    A source's fields come from its first citation; a later citation with the same identifier
    (a real DOI under an invented title, author and journal) is merged into the same source and
    would otherwise never be compared.  Only citations stating title, journal and year count:
    a link text or a breadcrumb that happens to sit beside an identifier states too little.
    """
    for sighting in entry.seen or []:
        if not sighting.raw or sighting.raw == entry.cited_as:
            continue
        stated = sighting_entry(entry, sighting)
        if not states_enough_to_search(stated):
            continue
        identity = verify_identity(stated, record)
        if identity.verdict == "mismatch":
            return sighting, stated, identity
    return None
