"""A small, honest evaluator of PubMed search terms for the stand-in's esearch.

It understands what litgraph and most PubMed clients send:

- ``"10.1097/pas.0b013e3181cad8c9"[aid] OR "10.1007/s00428-020-02774-z"[lid]``
- ``20090506[uid]``, ``20090506[pmid]``
- ``(leiomyosarcoma[ti] AND kidney[ti] AND miller j[au] AND 2010[dp])``
- quoted phrases, a trailing ``*`` for truncation, parentheses, and the
  upper-case operators AND, OR, NOT, which PubMed applies left to right.

Words next to each other without a tag are ANDed, each searched in all
fields; a group of words followed by a tag (``miller js[au]``) is one term.
A tag PubMed does not know is reported as FieldNotFound and matches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError
from .catalogue import Catalogue
from .records import fold, journal_key, words

# tag -> the field name PubMed shows in QueryTranslation
FIELDS = {
    "ti": "Title", "title": "Title", "tiab": "Title/Abstract", "title/abstract": "Title/Abstract",
    "au": "Author", "auth": "Author", "author": "Author",
    "dp": "Date - Publication", "pdat": "Date - Publication", "publication date": "Date - Publication",
    "aid": "Article Identifier", "lid": "Location ID", "doi": "doi",
    "pmid": "PMID", "uid": "UID", "pm": "PMID",
    "pmc": "PMCID", "pmcid": "PMCID",
    "ta": "Journal", "journal": "Journal", "jour": "Journal", "jt": "Journal",
    "vi": "Volume", "volume": "Volume", "ip": "Issue", "issue": "Issue", "pg": "Pagination",
    "pt": "Publication Type", "la": "Language",
    "all": "All Fields", "all fields": "All Fields",
}
# Fields PubMed has but the fixture records never fill: known, so never FieldNotFound.
EMPTY_FIELDS = {"mh": "MeSH Terms", "majr": "MeSH Major Topic", "sh": "MeSH Subheading",
                "ad": "Affiliation", "ab": "Abstract", "tw": "Text Word", "ot": "Other Term"}
LANGUAGES = {"english": "eng", "dutch": "dut", "french": "fre", "german": "ger", "spanish": "spa"}
OPERATORS = ("AND", "OR", "NOT")

_TAG = re.compile(r"\s*\[([^\]]*)\]")


@dataclass(frozen=True)
class Term:
    """One search term: its text, its field tag (None = all fields) and whether it was quoted."""

    text: str
    tag: str | None = None
    quoted: bool = False

    def translation(self) -> str:
        field_name = FIELDS.get(self.tag or "all") or EMPTY_FIELDS.get(self.tag or "", self.tag or "")
        return f'"{self.text}"[{field_name}]'


@dataclass(frozen=True)
class Operation:
    """``left OP right`` with OP one of AND, OR, NOT."""

    operator: str
    left: object
    right: object


@dataclass
class SearchResult:
    """What esearch reports: matching PMIDs (newest PMID first) and PubMed's messages."""

    pmids: list[str]
    translation: str
    phrases_not_found: list[str]
    fields_not_found: list[str]


# ---------------------------------------------------------------- parsing

def tokenize(query: str) -> list:
    """Split a query into '(' / ')' / operators / Term, grouping words before a tag."""
    tokens: list = []
    pending: list[str] = []

    def flush(tag=None):
        if not pending:
            return
        if tag is not None:
            tokens.append(Term(" ".join(pending), tag))
        else:
            tokens.extend(Term(word) for word in pending)
        pending.clear()

    position, length = 0, len(query)
    while position < length:
        char = query[position]
        if char.isspace():
            position += 1
        elif char in "()":
            flush()
            tokens.append(char)
            position += 1
        elif char == '"':
            flush()
            end = query.find('"', position + 1)
            if end < 0:
                raise InputError(f"search term {query!r}: unbalanced quotation mark")
            text = query[position + 1:end]
            position = end + 1
            tag_match = _TAG.match(query, position)
            tag = None
            if tag_match:
                tag = tag_match.group(1).strip().lower()
                position = tag_match.end()
            tokens.append(Term(text, tag, quoted=True))
        else:
            start, depth = position, 0
            while position < length:
                char = query[position]
                if char.isspace() or char in '"[':
                    break
                if char == "(":
                    if position == start:
                        break
                    depth += 1
                elif char == ")":
                    if depth == 0:
                        break
                    depth -= 1
                position += 1
            word = query[start:position]
            if word in OPERATORS:
                flush()
                tokens.append(word)
                continue
            pending.append(word)
            tag_match = _TAG.match(query, position)
            if tag_match:
                position = tag_match.end()
                flush(tag_match.group(1).strip().lower())
    flush()
    return tokens


MAX_NESTING = 100  # parentheses deeper than this are refused (the parser recurses)
MAX_TERMS = 20_000  # terms per query


class QueryTooComplex(InputError):
    """A search term nested or chained beyond what the stand-in evaluates: a bad request."""


def parse(query: str):
    """Parse a query into a tree of Term and Operation, left to right like PubMed."""
    tokens = tokenize(query)
    depth = max_depth = 0
    for token in tokens:
        if token == "(":
            depth += 1
            max_depth = max(max_depth, depth)
        elif token == ")":
            depth -= 1
    if max_depth > MAX_NESTING:
        raise QueryTooComplex(f"search term nested {max_depth} parentheses deep "
                              f"(at most {MAX_NESTING})")
    if len(tokens) > MAX_TERMS * 2:
        raise QueryTooComplex(f"search term of {len(tokens)} parts (at most {MAX_TERMS * 2})")
    position = 0

    def expression():
        nonlocal position
        node = primary()
        while position < len(tokens) and tokens[position] != ")":
            token = tokens[position]
            if token in OPERATORS:
                position += 1
                node = Operation(token, node, primary())
            else:  # adjacent terms: implicit AND
                node = Operation("AND", node, primary())
        return node

    def primary():
        nonlocal position
        if position >= len(tokens):
            raise InputError(f"search term {query!r}: ends where a term was expected")
        token = tokens[position]
        position += 1
        if token == "(":
            node = expression()
            if position >= len(tokens) or tokens[position] != ")":
                raise InputError(f"search term {query!r}: unbalanced parenthesis")
            position += 1
            return node
        if isinstance(token, Term):
            return token
        raise InputError(f"search term {query!r}: unexpected {token!r}")

    if not tokens:
        raise InputError("empty search term")
    tree = expression()
    if position != len(tokens):
        raise InputError(f"search term {query!r}: unbalanced parenthesis")
    return tree


def _spine(node):
    """The left-most operand of a left-leaning chain ``a OR b OR c ...`` and the operations
    above it, innermost first: chains are walked in a loop, so only parentheses recurse."""
    operations = []
    while not isinstance(node, Term):
        operations.append(node)
        node = node.left
    return node, reversed(operations)


def translate(node) -> str:
    """PubMed-style QueryTranslation of a parsed query."""
    first, operations = _spine(node)
    text = first.translation()
    for operation in operations:
        text = f"({text} {operation.operator} {translate(operation.right)})"
    return text


# ---------------------------------------------------------------- evaluation

def search(catalogue: Catalogue, query: str) -> SearchResult:
    """Evaluate ``query`` against the catalogue."""
    tree = parse(query)
    not_found: list[str] = []
    bad_fields: list[str] = []

    def term_hits(term) -> set[str]:
        hits = match_term(catalogue, term, bad_fields)
        if not hits and term.text not in not_found:
            not_found.append(term.text)
        return hits

    def evaluate(node) -> set[str]:
        first, operations = _spine(node)
        hits = term_hits(first)
        for operation in operations:
            right = evaluate(operation.right)
            if operation.operator == "AND":
                hits = hits & right
            elif operation.operator == "OR":
                hits = hits | right
            else:
                hits = hits - right
        return hits

    hits = evaluate(tree)
    ordered = sorted(hits, key=int, reverse=True)
    return SearchResult(ordered, translate(tree), not_found, bad_fields)


def _word_hits(catalogue: Catalogue, word: str) -> set[str]:
    if word.endswith("*"):
        stem = word[:-1]
        found: set[str] = set()
        for key, pmids in catalogue.by_word.items():
            if key.startswith(stem):
                found |= pmids
        return found
    return catalogue.by_word.get(word, set())


def _title_hits(catalogue: Catalogue, text: str, phrase: bool) -> set[str]:
    tokens = _star_words(text) if "*" in text else words(text)
    if not tokens:
        return set()
    candidates = sorted((_word_hits(catalogue, token) for token in tokens), key=len)
    hits = set(candidates[0])
    for other in candidates[1:]:
        if not hits:
            break
        hits &= other
    if phrase and len(tokens) > 1 and not any(t.endswith("*") for t in tokens):
        hits = {p for p in hits if _contains(words(catalogue.get(p).title or ""), tokens)}
    return hits


def _star_words(text: str) -> list[str]:
    return [w + ("*" if raw.endswith("*") else "") for raw in text.split() for w in words(raw)[:1]]


def _contains(haystack: list[str], needle: list[str]) -> bool:
    size = len(needle)
    return any(haystack[i:i + size] == needle for i in range(len(haystack) - size + 1))


def _author_hits(catalogue: Catalogue, text: str) -> set[str]:
    tokens = words(text)
    if not tokens:
        return set()
    hits = set(catalogue.by_author.get(" ".join(tokens), ()))
    if len(tokens) > 1:
        last_name, initials = " ".join(tokens[:-1]), tokens[-1]
        for pmid in catalogue.by_author.get(last_name, ()):
            for author in catalogue.get(pmid).authors:
                if (" ".join(words(author.last_name or "")) == last_name
                        and fold(author.initials or "").startswith(initials)):
                    hits.add(pmid)
    return hits


def _date_hits(catalogue: Catalogue, text: str) -> set[str]:
    years = re.findall(r"\d{4}", text)
    if not years:
        return set()
    low, high = int(years[0]), int(years[-1]) if ":" in text else int(years[0])
    found: set[str] = set()
    for year in range(low, high + 1):
        found |= catalogue.by_year.get(year, set())
    return found


def _doi_hits(catalogue: Catalogue, text: str) -> set[str]:
    key = text.strip().lower()
    return set(catalogue.pmids_for_doi(key)) | set(catalogue.pmids_for_pmcid(key))


def _scan(catalogue: Catalogue, wanted: str, value_of) -> set[str]:
    wanted = fold(wanted.strip())
    return {r.pmid for r in catalogue.all_records() if fold(value_of(r) or "") == wanted}


def match_term(catalogue: Catalogue, term: Term, bad_fields: list[str]) -> set[str]:
    """The PMIDs one term matches."""
    tag, text = term.tag, term.text
    if tag in ("pmid", "uid", "pm"):
        pmid = text.strip().lstrip("0")
        return {pmid} if catalogue.has(pmid) else set()
    if tag in ("aid", "lid", "doi", "pmc", "pmcid"):
        return _doi_hits(catalogue, text)
    if tag not in ("pmid", "uid", "pm", "aid", "lid", "doi", "pmc", "pmcid"):
        catalogue.ensure_search_index()
    if tag in ("ti", "title", "tiab", "title/abstract"):
        return _title_hits(catalogue, text, phrase=term.quoted)
    if tag in ("au", "auth", "author"):
        return _author_hits(catalogue, text)
    if tag in ("dp", "pdat", "publication date"):
        return _date_hits(catalogue, text)
    if tag in ("ta", "journal", "jour", "jt"):
        return set(catalogue.by_journal.get(journal_key(text), ()))
    if tag in ("vi", "volume"):
        return _scan(catalogue, text, lambda r: r.volume)
    if tag in ("ip", "issue"):
        return _scan(catalogue, text, lambda r: r.issue)
    if tag == "pg":
        return _scan(catalogue, text.split("-")[0], lambda r: r.first_page)
    if tag == "pt":
        wanted = fold(text.strip())
        return {r.pmid for r in catalogue.all_records() if wanted in {fold(t) for t in r.publication_types}}
    if tag == "la":
        code = LANGUAGES.get(fold(text.strip()), fold(text.strip()))
        return {r.pmid for r in catalogue.all_records() if r.language == code}
    if tag in EMPTY_FIELDS:
        return set()
    if tag not in (None, "all", "all fields"):
        if tag not in bad_fields:
            bad_fields.append(tag)
        return set()
    # all fields
    hits = _doi_hits(catalogue, text)
    if text.strip().isdigit():
        pmid = text.strip().lstrip("0")
        if catalogue.has(pmid):
            hits.add(pmid)
        if len(text.strip()) == 4:
            hits |= _date_hits(catalogue, text)
    hits |= _title_hits(catalogue, text, phrase=term.quoted)
    hits |= _author_hits(catalogue, text)
    hits |= set(catalogue.by_journal.get(journal_key(text), ()))
    return hits
