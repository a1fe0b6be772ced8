"""Author lists at the head of a reference entry, in any citation style.

A person comes back as ``"Surname AB"`` (family name, then the initials of
the given names, as PubMed writes them); a corporate author is kept whole.
``et al.`` is dropped. The styles seen in the wild write a person in four
orders, and a list keeps to one or two of them:

- ``van der Berg AM`` (Vancouver, NLM, AMA, BMJ, Lancet, NEJM, PLOS)
- ``van der Berg, A. M.`` / ``van der Berg, Anna Maria`` (APA, Harvard, Nature, Cell, MLA, Chicago's first)
- ``A. M. van der Berg`` / ``Anna Maria van der Berg`` (Science, IEEE, Chicago's later authors,
  and every author of a Chicago full note, the list closed by a comma before the quoted title)

>>> read_authors("van der Berg AM, O'Neil JP, Smith K, et al. A title.").authors
['van der Berg AM', "O'Neil JP", 'Smith K']
>>> read_authors("Lee, M., & Brown, T. (2019). A title.").authors
['Lee M', 'Brown T']
>>> read_authors("A. M. van der Berg, J. P. O'Neil, and K. Smith, A title").authors
['van der Berg AM', "O'Neil JP", 'Smith K']
"""

import re
from dataclasses import dataclass, field

_UP = r"[A-Z\u00c0-\u00de\u0100-\u017f]"
_LOW = r"[a-z\u00df-\u00ff\u0100-\u017f]"
_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|dos|das|du|la|le|ten|ter|zu|af|al|el|bin|ibn|St\.?|Mc|Mac)"
_PARTICLE_CI = r"(?i:van|von|der|den|de|del|della|di|da|dos|das|du|la|le|ten|ter)"
# One family name: optional particles, then capitalised words joined by hyphens,
# apostrophes or a space before another capitalised word ("Garcia Lopez" is not
# taken as one name where it cannot be told from a title; see _SURNAME_STRICT).
_WORD = rf"(?:{_UP}[\w'\u2019]*(?:-{_UP}?[\w'\u2019]+)*|{_UP}'{_UP}[\w]+)"
_SURNAME = rf"(?:(?:{_PARTICLE}\s+)*{_WORD}(?:\s+{_WORD})?)"
_SURNAME_ONE = rf"(?:(?:{_PARTICLE}\s+)*{_WORD})"
_INITIALS_DOTTED = rf"(?:{_UP}\.(?:\s?-?\s?{_UP}\.){{0,3}})"
_INITIALS_BARE = rf"(?:{_UP}(?:-?{_UP}){{0,3}})"
_INITIALS_SPACED = rf"(?:{_UP}(?:\s{_UP}){{0,3}})"
_GIVEN = rf"(?:{_UP}{_LOW}+(?:-{_UP}?{_LOW}+)?(?:\s+(?:{_UP}{_LOW}+|{_UP}\.))*)"
_SUFFIX = r"(?:,?\s+(?:Jr|Sr|II|III|IV)\.?)"
_NOT_SUFFIX = r"(?!(?:Jr|Sr|II|III|IV)\b)"  # "John Miller Jr.": Jr is no family name

# Each pattern reads one person at the current position.
PATTERNS = {
    # van der Berg AM   (initials in capitals, no dots, then a list separator or the end)
    "vancouver": re.compile(rf"(?P<sur>{_SURNAME})\s+(?P<ini>{_INITIALS_BARE}){_SUFFIX}?"
                            rf"(?=\s*(?:,|\.|;|:|$|\s+(?:and|&)\s|\s+et\s+al|\s*\(|\s+(?:19|20)\d\d\b))"),
    # van der Berg, A. M.
    "inverted": re.compile(rf"(?P<sur>{_SURNAME}),\s*(?P<ini>{_INITIALS_DOTTED}|{_INITIALS_BARE}(?=[,.])"
                           rf"|{_INITIALS_SPACED}(?=,|\.\s))"
                           rf"{_SUFFIX}?"),
    # van der Berg, Anna Maria
    "inverted_full": re.compile(rf"(?P<sur>{_SURNAME}),\s+(?P<giv>{_GIVEN}){_SUFFIX}?"
                                rf"(?=\s*(?:,|\.\s|\.$|\s+(?:and|&)\s|\s*\()|(?<=\.)\s+(?:19|20)\d\d\b)"),
    # A. M. van der Berg
    "natural": re.compile(rf"(?P<ini>{_INITIALS_DOTTED})\s*(?P<sur>{_SURNAME_ONE}(?:\s+{_NOT_SUFFIX}{_WORD})?){_SUFFIX}?"
                          rf"(?=\s*(?:,|\.|;|:|$|\s+(?:and|&)\s|\s+et\s+al|\s*\())"),
    # J S Miller (initials without periods, after an inverted first author)
    "natural_spaced": re.compile(rf"(?P<ini>{_INITIALS_SPACED})\s(?P<sur>{_SURNAME_ONE}(?:\s+{_NOT_SUFFIX}{_WORD})?){_SUFFIX}?"
                                 rf"(?=\s*(?:,|\.|;|$|\s+(?:and|&)\s|\s+et\s+al))"),
    # Anna Maria van der Berg (after a first author has set the list going, or in a Chicago full note)
    "natural_full": re.compile(rf"(?P<giv>{_UP}{_LOW}+(?:-{_UP}?{_LOW}+)?(?:\s+(?!{_PARTICLE_CI}\s)(?:{_UP}{_LOW}+|{_UP}\.))*)\s+"
                               rf"(?P<sur>(?:{_PARTICLE_CI}\s+)*{_NOT_SUFFIX}(?=[\w'\u2019-]*[a-z]){_UP}[\w'\u2019]+(?:-{_UP}?[\w'\u2019]+)*)"
                               rf"{_SUFFIX}?"
                               rf"(?=\s*(?:,|\.\s|\.$|\s+(?:and|&)\s|\s+et\s+al|\s*\())"),
}
# Which orders may follow the first author's.
FOLLOWERS = {
    "vancouver": ("vancouver",),
    "inverted": ("inverted", "natural", "natural_spaced"),
    "inverted_full": ("natural_full", "natural", "inverted_full", "inverted"),
    "natural": ("natural",),
    "natural_full": ("natural_full", "natural"),
    "natural_spaced": ("natural_spaced",),
}
SEPARATOR = re.compile(r"\s*(?:,\s*(?:and\s+|&\s*)?|;\s*|\s+and\s+|\s*&\s*)")
ET_AL = re.compile(r"\s*,?\s*(?:et\s*al\b\.?|and\s+others\b\.?|\u2026|\.\.\.)")
CORPORATE_WORDS = re.compile(
    r"\b(?:Group|Network|Society|Committee|Association|Consortium|Collaborat\w*|Institutes?|"
    r"Organi[sz]ation|Panel|Workgroup|Working|Council|Foundation|Agency|Ministry|Department|"
    r"Cent(?:re|er)|College|Academy|Board|Office|Service|Union|Federation|Team|Trust|"
    r"University|Commission|Authority|Program(?:me)?|Initiative|Alliance|Task\s+Force|"
    r"Investigators|Registry|Party|Administration|Bureau|League|Federal)\b", re.I)
_ACRONYM = re.compile(r"^[A-Z]{2,8}(?:[\s/-][A-Z]{2,8})?$")


@dataclass
class AuthorList:
    """The authors read at the head of an entry and where the list ends in the text."""

    authors: list = field(default_factory=list)
    end: int = 0  # index in the text just after the list (its closing period kept out)
    order: str = ""  # the order the first author was written in, or "corporate"
    et_al: bool = False
    ends: list = field(default_factory=list, repr=False, compare=False)  # the list's end after
    # each of its authors (a shorter reading of the same list)


def _initials(text):
    return "".join(re.findall(_UP, text or ""))


def _given_initials(given):
    parts = re.split(r"[\s.]+", given.strip())
    out = ""
    for part in parts:
        if not part:
            continue
        for piece in part.split("-"):
            if piece:
                out += piece[0].upper()
    return out


def _person(match, order):
    sur = re.sub(r"\s+", " ", match.group("sur")).strip()
    if order in ("inverted_full", "natural_full"):
        ini = _given_initials(match.group("giv"))
    else:
        ini = _initials(match.group("ini"))
    return f"{sur} {ini.replace('-', '')}".strip()


def _match_person(text, pos, orders):
    for order in orders:
        match = PATTERNS[order].match(text, pos)
        if match:
            return order, match
    return None, None


FIRST_ORDERS = ("vancouver", "inverted", "inverted_full", "natural")
# A Chicago full note writes every person forename first ("John S. Miller, Anna B. Lee, and
# Carl Ortiz") and ends the list with a comma before the title: an article's or chapter's in
# quotes, a book's followed by its publication facts in parentheses at the end of the note
# ("Title (London: Harbour Press, 2015), 45.").
FORENAME_FIRST_ORDERS = ("natural", "natural_full", "natural_spaced")
_QUOTE_AFTER_COMMA = r"\s*,\s*[\"\u201c\u2018]"
QUOTED_TITLE_AFTER_COMMA = re.compile(_QUOTE_AFTER_COMMA)
# A shortened note names the authors by surname alone ("Miller et al.", "Miller and Lee"),
# then the title's first words in quotes: 'Miller et al., "Primary Leiomyosarcoma," 241.'
SHORT_NOTE_NAMES = re.compile(
    rf"\s*(?P<first>{_SURNAME_ONE})(?:(?:\s+and\s+|\s*&\s*)(?P<second>{_SURNAME_ONE}))?"
    rf"(?P<et_al>,?\s+et\s+al\.?)?(?={_QUOTE_AFTER_COMMA})")
# What QUOTED_TITLE_AFTER_COMMA or BOOK_AFTER_COMMA needs somewhere in the text: a quick test
NOTE_SHAPE = re.compile(rf"{_QUOTE_AFTER_COMMA}|\([^()]*\b(?:19|20)\d{{2}}\)")
# ACM's form: the list, a full stop, the year and another full stop ("... and J I Epstein. 2010.")
YEAR_AFTER_LIST = re.compile(r"\.\s+(?:19|20)\d{2}[a-z]?\.(?=\s|$)")
BOOK_AFTER_COMMA = re.compile(r"\s*,\s+[A-Z0-9].*\s\([^()]*\b(?:19|20)\d{2}\)(?:,\s*[\w\u2013-]+)?\.?\s*$")


def read_authors(text: str, first_orders=FIRST_ORDERS) -> AuthorList:
    """The author list that opens ``text`` (an entry without its number), or an empty list.

    ``first_orders``: the orders the first person may be written in (an editor
    list after ``edited by`` may start ``Emma Fischer``). A list written
    forename first and closed by a comma before a quoted title or a book's
    title and publication facts (a Chicago full note) is read forename first,
    as far as the other reading or further.
    """
    text = str(text or "")
    found = _read_list(text, first_orders)
    note = _read_note_list(text)
    dated = _read_dated_list(text) if first_orders == FIRST_ORDERS else AuthorList()
    if dated.authors and dated.end >= max(found.end, note.end if note.authors else 0) and (
            dated.end > found.end or len(dated.authors) > len(found.authors)):
        return dated  # as far as any other reading, or as far and with more persons in it
    if note.authors and note.end >= found.end:
        return note
    if not found.authors:
        short = SHORT_NOTE_NAMES.match(text)
        if short and not CORPORATE_WORDS.search(short.group(0)):
            return AuthorList(authors=[n for n in short.group("first", "second") if n],
                              end=short.end(), order="surname", et_al=bool(short.group("et_al")),
                              ends=[short.end()])
    return found


def _read_dated_list(text):
    """A forename-first list closed by a full stop and the year, as ACM writes it ("J S Miller,
    M Zhou, and J I Epstein. 2010. Title."), or an empty list when ``text`` is not one."""
    if not YEAR_AFTER_LIST.search(text):
        return AuthorList()
    found = _read_list(text, FORENAME_FIRST_ORDERS)
    if any(CORPORATE_WORDS.search(author) for author in found.authors):
        return AuthorList()
    for count in range(len(found.ends), 0, -1):
        if YEAR_AFTER_LIST.match(text, found.ends[count - 1]):
            return AuthorList(authors=found.authors[:count], end=found.ends[count - 1],
                              order=found.order, et_al=found.et_al and count == len(found.ends),
                              ends=found.ends[:count])
    return AuthorList()


def _read_note_list(text):
    """The forename-first list of a Chicago full note, or an empty list when ``text`` is not one.

    A book's title can read as one more person ("Mette Fischer, Practical Sarcoma Pathology
    (Leeds: ...)"): the list then ends after the last person its title follows.
    """
    if not NOTE_SHAPE.search(text):
        return AuthorList()  # neither a quoted title after a comma nor a book's facts: no note
    note = _read_list(text, FORENAME_FIRST_ORDERS)
    if any(CORPORATE_WORDS.search(author) for author in note.authors):
        return AuthorList(end=note.end)  # "Sarcoma Study Group" is not a person
    if QUOTED_TITLE_AFTER_COMMA.match(text, note.end):
        return note
    for count in range(len(note.ends), 0, -1):
        if BOOK_AFTER_COMMA.match(text, note.ends[count - 1]):
            return AuthorList(authors=note.authors[:count], end=note.ends[count - 1], order=note.order,
                              et_al=note.et_al and count == len(note.ends), ends=note.ends[:count])
    return AuthorList(end=note.end)


def _read_list(text, first_orders):
    """The author list that opens ``text``, its first person in one of ``first_orders``."""
    start = len(text) - len(text.lstrip())
    order, match = _match_person(text, start, first_orders)
    result = AuthorList(order=order)
    if not match:
        result = _corporate(text, start)
        sep = SEPARATOR.match(text, result.end) if result.authors else None
        if not sep:
            return result
        # "Synthetic Trials Group, Lee M, Brown T." : persons after a corporate author
        order, match = _match_person(text, sep.end(), ("inverted", "natural", "natural_full", "vancouver"))
        if not match:
            return result
    allowed = FOLLOWERS[order]
    result.order = result.order or order
    while match:
        result.authors.append(_person(match, order))
        result.end = match.end()
        result.ends.append(result.end)
        pos = match.end()
        et_al = ET_AL.match(text, pos)
        if et_al:
            result.et_al = True
            result.end = result.ends[-1] = et_al.end()
            last = re.compile(r"\s*").match(text, et_al.end())
            if "\u2026" in et_al.group(0) or "..." in et_al.group(0):
                # "A, B, ... Z": the list's last author after the ellipsis
                order, match = _match_person(text, last.end(), allowed)
                if match:
                    result.authors.append(_person(match, order))
                    result.end = match.end()
                    result.ends.append(result.end)
            break
        sep = SEPARATOR.match(text, pos)
        if not sep:
            break
        order, match = _match_person(text, sep.end(), allowed)
        if match is None:
            corporate = _corporate_at(text, sep.end())
            if corporate and result.order in ("vancouver", "corporate"):
                result.authors.append(corporate[0])
                result.end = corporate[1]
                result.ends.append(result.end)
            break
    return result


def _corporate_at(text, pos):
    match = re.compile(r"([^.,;:()\d\[\]\u201c\"]{3,120}?)(?=\s*(?:\.\s|\.$|\.,\s|\s\(|,\s|;|:\s)|\s(?:19|20)\d\d\b)").match(text, pos)
    if not match:
        return None
    name = re.sub(r"\s+et\s+al$", "", match.group(1).strip())
    words = name.split()
    if not words or len(words) > 14:
        return None
    if CORPORATE_WORDS.search(name) and words[0][:1].isupper():
        return name, match.end(1)
    if _ACRONYM.match(name):
        return name, match.end(1)
    return None


def _corporate(text, start):
    found = _corporate_at(text, start)
    if not found:
        return AuthorList(end=start)
    return AuthorList(authors=[found[0]], end=found[1], order="corporate", ends=[found[1]])


def surname_of(author: str) -> str:
    """The family name of an author in ``Surname AB`` form (a corporate author whole)."""
    match = re.match(rf"^(?P<sur>.+?)\s+{_INITIALS_BARE}$", author or "")
    return match.group("sur") if match else (author or "")
