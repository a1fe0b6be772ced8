"""Search terms for a citation, and whether a fetched record meets the citation's search."""

import re
import unicodedata

from ..identity import stated_title, without_suffix

STOPWORDS = frozenset(
    "a an and are as at by for from in into is it its of on or the their to with without vs versus "
    "after before between during under over via not".split())
TITLE_WORDS = 8  # the rarest-looking words of a title that go into a search
_WORD = re.compile(r"[a-z0-9]+")


def _words(text) -> list:
    folded = unicodedata.normalize("NFKD", str(text or ""))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return _WORD.findall(re.sub(r"<[^>]+>", " ", folded))


def title_words(title) -> list:
    """The words of a title worth searching: no stop words, no one-letter words."""
    chosen = []
    for word in _words(title):
        if word not in STOPWORDS and len(word) > 1 and word not in chosen:
            chosen.append(word)
    return sorted(chosen, key=len, reverse=True)[:TITLE_WORDS]


def author_parts(author):
    """(last-name words, first initial) of ``"Miller JS"``, ``"Van Geel AN"``, ``"Singer S"``
    or ``"Lavengood RW Jr"`` (a suffix left out)."""
    tokens = without_suffix(author)[0].replace(",", " ").replace(".", " ").split()
    if len(tokens) > 1 and tokens[-1].isupper() and len(tokens[-1]) <= 3:
        return _words(" ".join(tokens[:-1])), tokens[-1][0].lower()
    return _words(" ".join(tokens)), None


def journal_agrees(stated, record_journals) -> bool:
    """A stated journal name agrees with one of the record's (full title or ISO abbreviation).

    Word by word, an abbreviation's word may be the start of the full word:
    ``Lancet Oncol`` agrees with ``Lancet Oncology``.
    """
    want = [w for w in _words(stated) if w != "the"]
    for name in record_journals:
        have = [w for w in _words(name) if w != "the"]
        if want and len(want) == len(have) and all(
                a.startswith(b) or b.startswith(a) for a, b in zip(want, have)):
            return True
    return False


def search_term(source):
    """The esearch term for a free-text citation, or None when it has too little to search by
    (a title that is no work's title, such as a link's label, is not searched: ``stated_title``)."""
    title = stated_title(source)
    parts = [f"{word}[ti]" for word in title_words(title)]
    last, initial = author_parts(source.first_author)
    if last:
        parts.append(f"{' '.join(last)}{' ' + initial if initial else ''}[au]")
    if source.year:
        parts.append(f"{int(source.year)}[dp]")
    if not title:
        if not (last and source.year and source.journal):
            return None
        parts.append('"' + " ".join(_words(source.journal)) + '"[ta]')
    return " AND ".join(parts) if parts else None


def search_agrees(source, record) -> bool:
    """Whether a fetched record meets every criterion of the citation's search."""
    title = stated_title(source)
    if title:
        have = set(_words(record.title))
        if not set(title_words(title)) <= have:
            return False
    last, _ = author_parts(source.first_author)
    if last and not any(author_parts(a)[0] == last or _words(a) == last for a in record.authors):
        return False
    if source.year and record.year and int(source.year) != int(record.year):
        return False
    if not title and not journal_agrees(
            source.journal, [record.journal, record.journal_iso, record.book_title]):
        return False
    return True


def title_term(entry):
    """An esearch term of the title's words alone (the citation's author or year may be the
    invented part)."""
    words = title_words(stated_title(entry))
    return " AND ".join(f"{word}[ti]" for word in words) if len(words) >= 2 else None


def describe(record) -> str:
    """``PMID n "Title" (year)``: a record as a reason names it."""
    title = record.title or "untitled"
    return f"PMID {record.pmid} \"{title}\"" + (f" ({record.year})" if record.year else "")
