"""Small data classes shared by the stages.

``references.py`` reads references.yaml into these entries; ``resolve.py``
turns a SourceEntry into a Resolution; ``store.py`` writes both.  They are
plain values: no I/O, no behaviour beyond convenience properties (and
``citation_direction``, which way a sighting's label points).
"""

import re
from dataclasses import dataclass, field
from typing import Optional

SOURCE_STATUSES = ("resolved", "unresolved", "conflict")
FAILURES = ("transient", "permanent")  # Resolution.failure, sources.failure
EVIDENCE_BASES = ("curator", "declared", "inferred")


@dataclass
class Sighting:
    """One place a document states a reference, in the words it used."""

    document: str
    line: int
    raw: str
    label: Optional[str] = None  # "[1]", "3.", "Citing Articles", "Fetch PMID", ...


# A sighting whose label says the listed work cites the document ("Citing Articles" on a
# PubMed record page, "Cited by", "Cited in") points the other way.
_CITED_BY_LABEL = re.compile(r"\bciting\b|\bcited[\s_-]*(?:by|in)\b", re.I)


def citation_direction(label) -> str:
    """``"cites"`` when the document cites the listed source, ``"cited-by"`` when the source
    cites it, by a sighting's label.

    >>> citation_direction("[3]"), citation_direction("Citing Articles")
    ('cites', 'cited-by')
    """
    return "cited-by" if label and _CITED_BY_LABEL.search(str(label)) else "cites"


@dataclass
class DeclaredLevel:
    """An evidence level a document itself states, and where it says so."""

    level: int  # 1 (strongest) .. 5 (weakest)
    label: str  # the document's words, e.g. "Level 3 (low-level) evidence"
    scheme: str  # e.g. "level-1-5" (extract.entries.LEVEL_SCHEME)
    document: str
    line: int


@dataclass
class SourceEntry:
    """A source as references.yaml holds it: one distinct work."""

    key: str
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
    isbn: Optional[str] = None  # a book's, as the document states it
    url: Optional[str] = None  # a web page's address, as the document states it
    publisher: Optional[str] = None  # a book's or report's publisher or issuing body
    kind: Optional[str] = None  # article, book, conference-abstract, guideline, ...
    cited_as: Optional[str] = None  # the first raw form, for people
    declared_levels: list = field(default_factory=list)  # [DeclaredLevel]
    level: Optional[int] = None  # a curator's level: wins over everything
    exclude: bool = False
    note: Optional[str] = None
    pinned: bool = False  # a curator vouches for pmid/doi: resolve never rewrites them
    resolved_by: Optional[str] = None  # how a search found the pmid/doi written back
    stale: bool = False  # no document cites it any more
    seen: list = field(default_factory=list)  # [Sighting]

    @property
    def first_author(self) -> Optional[str]:
        return self.authors[0] if self.authors else None

    @property
    def first_page(self) -> Optional[str]:
        if not self.pages:
            return None
        return str(self.pages).replace("\u2013", "-").replace("\u2014", "-").split("-")[0].strip() or None


@dataclass
class DocumentEntry:
    """An input document as references.yaml holds it."""

    id: str  # the file name without extension, e.g. 001_a7b665464bb06ded
    path: str
    title: Optional[str] = None
    kind: Optional[str] = None  # the curator's word, else extract.claims.DOCUMENT_KINDS
    source: Optional[str] = None  # key of the source the document itself is (a publication)
    restates: Optional[str] = None  # id of the document it rewrites
    sha256: Optional[str] = None
    missing: bool = False  # its file is gone: kept for the curator, left out of the database


@dataclass
class ClaimEntry:
    """A sentence or bullet of a document, with the sources its markers name."""

    id: str
    document: str
    text: str
    section: Optional[str] = None
    line: Optional[int] = None
    sources: list = field(default_factory=list)  # source keys
    # the markers as written ("[7]") that name no entry of the document's list
    markers_without_entry: list = field(default_factory=list)
    level: Optional[int] = None  # a curator's `level`, else the level the document declares
    exclude: bool = False  # a curator left the claim out: not stored in the database
    stale: bool = False  # its sentence is gone from the document; kept for the curator's notes


@dataclass
class ReferenceSet:
    """Everything references.yaml says, as plain entries."""

    documents: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    settings: dict = field(default_factory=dict)  # top-level `settings:` (e.g. restatement thresholds)
    # The study design -> evidence level map (evidence.load_level_map): the curator's
    # evidence-levels.yaml beside references.yaml when there is one, read once per build.
    level_map: Optional[dict] = None

    def source(self, key: str) -> Optional[SourceEntry]:
        """The source entry of ``key``, or None: a dict lookup, the dict rebuilt when the
        list of sources changed (the first entry of a key wins, as a scan would find it)."""
        count, index = self.__dict__.get("_source_index", (-1, {}))
        found = index.get(key) if count == len(self.sources) else None
        if found is None or found.key != key:
            index = {}
            for entry in self.sources:
                index.setdefault(entry.key, entry)
            self.__dict__["_source_index"] = (len(self.sources), index)
            found = index.get(key)
        return found


@dataclass
class Resolution:
    """What resolution concluded about one source."""

    key: str
    status: str  # one of SOURCE_STATUSES
    status_reason: Optional[str] = None
    resolved_by: Optional[str] = None  # pmid, doi, citation, title
    record: Optional[object] = None  # entrez.PubmedRecord when resolved
    # Why E-utilities gave no answer, when it did not: "transient" (429, 5xx, timeout, a
    # truncated reply: a later run may clear it), "permanent" (E-utilities refused the request:
    # a 4xx, Invalid query), or None (an answer: resolved, not found, conflict).
    failure: Optional[str] = None
    identity: Optional[str] = None  # verified, partial, mismatch (identity.py), None if unchecked
    identity_reason: Optional[str] = None  # each field that differs and how; a candidate record
