"""Fixture records of the E-utilities stand-in: the Record model and its YAML loader.

A :class:`Record` holds only what a source states about one work; every field
that nobody states is ``None`` (or empty) and is left out of every answer.
:func:`load_records` reads them from YAML (``fixtures/records.yaml`` by
default) and checks that each record names its provenance; the
``catalogue`` module indexes them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import InputError, LitgraphError
from ..ids import normalise_doi, normalise_pmcid, normalise_pmid

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEFAULT_RECORDS_PATH = FIXTURES / "records.yaml"
TEST_RECORDS_PATH = FIXTURES / "test-records.yaml"

RECORD_FIELDS = frozenset({
    "pmid", "doi", "pmcid", "title", "authors", "authors_complete", "journal", "journal_iso",
    "year", "month", "day", "medline_date", "volume", "issue", "pages", "language",
    "publication_types", "kind", "book_title", "cites_pmids", "references",
    "comments_corrections", "synthetic", "provenance", "editors", "contribution_year",
})
KINDS = ("journal-article", "book-article")
COMMENT_TYPES = frozenset({
    "RetractionIn", "RetractionOf", "ErratumIn", "ErratumFor", "ExpressionOfConcernIn",
    "ExpressionOfConcernFor", "CommentIn", "CommentOn", "UpdateIn", "UpdateOf",
    "RetractedandRepublishedIn", "RetractedandRepublishedFrom", "CorrectedandRepublishedIn",
    "CorrectedandRepublishedFrom", "RepublishedIn", "RepublishedFrom", "ReprintIn", "ReprintOf",
    "SummaryForPatientsIn", "OriginalReportIn", "AssociatedDataset", "AssociatedPublication",
})
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_INITIALS = re.compile(r"^[A-Z\u00c0-\u017f]{1,4}$")
_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV"})
_WORD = re.compile(r"[0-9a-z]+")


class StubDataError(InputError):
    """A fixture file of the stand-in that cannot be used (names the file and record)."""


@dataclass(frozen=True, slots=True)
class Author:
    """One author: a person (last name, initials, optional fore name, suffix) or a group."""

    last_name: str | None = None
    initials: str | None = None
    fore_name: str | None = None
    suffix: str | None = None
    collective_name: str | None = None

    @property
    def display(self) -> str:
        """The author as PubMed summaries show it: ``Miller JS`` or the group name."""
        if self.collective_name:
            return self.collective_name
        parts = [self.last_name, self.initials, self.suffix]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of a record's reference list: free citation text and its identifiers."""

    citation: str
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None


@dataclass(frozen=True, slots=True)
class CommentCorrection:
    """A link to a retraction, erratum or comment (PubMed's CommentsCorrections)."""

    ref_type: str
    ref_source: str
    pmid: str | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """One work the stand-in can serve. Unknown facts are ``None`` or empty."""

    pmid: str
    kind: str = "journal-article"
    doi: str | None = None
    pmcid: str | None = None
    title: str | None = None
    authors: tuple[Author, ...] = ()
    authors_complete: bool | None = None
    journal: str | None = None
    journal_iso: str | None = None
    year: int | None = None
    month: str | None = None
    day: int | None = None
    medline_date: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    language: str | None = None
    publication_types: tuple[str, ...] = ()
    book_title: str | None = None
    cites_pmids: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    comments_corrections: tuple[CommentCorrection, ...] = ()
    synthetic: bool = False
    provenance: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    editors: tuple[Author, ...] = ()  # a book's editors (never its authors)
    contribution_year: int | None = None  # a book chapter's own date (ContributionDate)

    @property
    def first_page(self) -> str | None:
        """The first page of ``pages`` (``238`` of ``238-42``), or None."""
        if not self.pages:
            return None
        return self.pages.split("-")[0].strip() or None

    @property
    def pub_date(self) -> str | None:
        """The date as PubMed summaries show it: ``2010 Feb``, ``1995 Apr 22``."""
        if self.medline_date:
            return self.medline_date
        parts = [str(p) for p in (self.year, self.month, self.day) if p]
        return " ".join(parts) or None

    @property
    def all_cited_pmids(self) -> tuple[str, ...]:
        """PMIDs this record cites: ``cites_pmids`` then the PMIDs of ``references``."""
        seen = dict.fromkeys(self.cites_pmids)
        for reference in self.references:
            if reference.pmid:
                seen.setdefault(reference.pmid)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class Journal:
    """A journal the stand-in knows by full title and/or ISO abbreviation."""

    title: str | None = None
    iso_abbreviation: str | None = None


# ---------------------------------------------------------------- text helpers

def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents, for matching (``Öztürk`` -> ``ozturk``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The searchable words of ``text``: folded alphanumeric runs."""
    return _WORD.findall(fold(text))


def journal_key(name: str) -> str:
    """A journal name reduced for comparison: folded, punctuation and a leading 'the' dropped."""
    tokens = words(name)
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


def parse_author(entry) -> Author:
    """Read an author written as ``"Miller JS"``, ``"Lavengood RW Jr"``, a group name, or a mapping."""
    if isinstance(entry, dict):
        unknown = set(entry) - {"last_name", "initials", "fore_name", "suffix", "collective_name"}
        if unknown:
            raise ValueError(f"unknown author field(s) {sorted(unknown)}")
        return Author(**{k: str(v) for k, v in entry.items()})
    tokens = str(entry).split()
    if not tokens:
        raise ValueError("empty author")
    suffix = None
    if len(tokens) >= 3 and tokens[-1] in _SUFFIXES:
        suffix = tokens.pop()
    if len(tokens) >= 2 and _INITIALS.match(tokens[-1]):
        return Author(last_name=" ".join(tokens[:-1]), initials=tokens[-1], suffix=suffix)
    return Author(collective_name=str(entry).strip())


# ---------------------------------------------------------------- loading

def load_yaml(path) -> dict:
    """Read one fixture YAML file, raising StubDataError naming the file."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            data = YAML(typ="safe").load(handle)
    except OSError as error:
        raise StubDataError(f"{path}: cannot read stand-in fixture file: {error.strerror}") from None
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise StubDataError(f"{path}:{where} not valid YAML: {getattr(error, 'problem', error)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        raise StubDataError(f"{path}: expected a mapping with a 'records' list")
    return data


def load_records(path=DEFAULT_RECORDS_PATH) -> list[Record]:
    """Read the records of one fixture file, checking fields, identifiers and provenance.

    A file is read once per modification time; records are immutable, so the
    copies are shared.
    """
    path = Path(path)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return list(_load_records_cached(str(path), stamp))


@functools.lru_cache(maxsize=16)
def _load_records_cached(path: str, stamp) -> tuple[Record, ...]:
    data = load_yaml(path)
    records = []
    for number, entry in enumerate(data["records"], 1):
        try:
            records.append(record_from_mapping(entry))
        except (ValueError, TypeError, LitgraphError) as error:
            pmid = entry.get("pmid") if isinstance(entry, dict) else None
            raise StubDataError(f"{path}: record {number} (PMID {pmid}): {error}") from None
    return tuple(records)


def load_journals(path=DEFAULT_RECORDS_PATH) -> list[Journal]:
    """Read the ``journals`` list of one fixture file (journals known without a record)."""
    data = load_yaml(path)
    journals = []
    for number, entry in enumerate(data.get("journals") or [], 1):
        if not isinstance(entry, dict) or not (entry.get("title") or entry.get("iso_abbreviation")):
            raise StubDataError(f"{path}: journal {number}: needs a title or iso_abbreviation")
        if not entry.get("provenance"):
            raise StubDataError(f"{path}: journal {number}: needs a provenance")
        journals.append(Journal(entry.get("title"), entry.get("iso_abbreviation")))
    return journals


def _doi(value) -> str:
    """A DOI as the source writes it (case kept, as PubMed shows it), after checking its shape."""
    normalise_doi(value)
    return str(value).strip()


def _text(value, name):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise ValueError(f"{name} must be text")
    text = str(value).strip()
    return text or None


def record_from_mapping(entry: dict) -> Record:
    """Build a Record from one YAML mapping, raising ValueError on anything unusable."""
    if not isinstance(entry, dict):
        raise ValueError("a record must be a mapping")
    unknown = set(entry) - RECORD_FIELDS
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}")
    if "pmid" not in entry:
        raise ValueError("a served record needs a PMID")
    synthetic = bool(entry.get("synthetic", False))
    provenance = entry.get("provenance") or {}
    if not isinstance(provenance, dict):
        raise ValueError("provenance must be a mapping of field -> source")
    stated = {name for name in entry if name not in {"provenance", "synthetic", "kind"}}
    uncovered = sorted(name for name in stated if name not in provenance and "default" not in provenance)
    if uncovered:
        raise ValueError(f"no provenance for {uncovered}")
    kind = entry.get("kind", "journal-article")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    month = _text(entry.get("month"), "month")
    if month is not None and month not in MONTHS:
        raise ValueError(f"month must be one of {MONTHS}, not {month!r}")
    references = tuple(
        Reference(
            citation=_text(ref.get("citation"), "citation") or "",
            pmid=normalise_pmid(ref["pmid"]) if ref.get("pmid") else None,
            doi=_doi(ref["doi"]) if ref.get("doi") else None,
            pmcid=normalise_pmcid(ref["pmcid"]) if ref.get("pmcid") else None,
        )
        for ref in entry.get("references") or []
    )
    corrections = []
    for item in entry.get("comments_corrections") or []:
        if item.get("ref_type") not in COMMENT_TYPES:
            raise ValueError(f"comments_corrections ref_type {item.get('ref_type')!r} is not one of PubMed's")
        corrections.append(CommentCorrection(item["ref_type"], _text(item.get("ref_source"), "ref_source") or "",
                                             normalise_pmid(item["pmid"]) if item.get("pmid") else None))
    return Record(
        pmid=normalise_pmid(entry["pmid"]),
        kind=kind,
        doi=_doi(entry["doi"]) if entry.get("doi") else None,
        pmcid=normalise_pmcid(entry["pmcid"]) if entry.get("pmcid") else None,
        title=_text(entry.get("title"), "title"),
        authors=tuple(parse_author(a) for a in entry.get("authors") or []),
        authors_complete=entry.get("authors_complete"),
        journal=_text(entry.get("journal"), "journal"),
        journal_iso=_text(entry.get("journal_iso"), "journal_iso"),
        year=int(entry["year"]) if entry.get("year") is not None else None,
        month=month,
        day=int(entry["day"]) if entry.get("day") is not None else None,
        medline_date=_text(entry.get("medline_date"), "medline_date"),
        volume=_text(entry.get("volume"), "volume"),
        issue=_text(entry.get("issue"), "issue"),
        pages=_text(entry.get("pages"), "pages"),
        language=_text(entry.get("language"), "language"),
        publication_types=tuple(str(t) for t in entry.get("publication_types") or []),
        book_title=_text(entry.get("book_title"), "book_title"),
        cites_pmids=tuple(normalise_pmid(p) for p in entry.get("cites_pmids") or []),
        references=references,
        comments_corrections=tuple(corrections),
        synthetic=synthetic,
        provenance=tuple((str(k), str(v)) for k, v in provenance.items()),
        editors=tuple(parse_author(a) for a in entry.get("editors") or []),
        contribution_year=(int(entry["contribution_year"])
                           if entry.get("contribution_year") is not None else None),
    )
