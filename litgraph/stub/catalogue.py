"""The stand-in's catalogue: fixture records indexed by PMID, DOI, citation, word, author and year."""

from __future__ import annotations

from .records import _WORD, Journal, Record, StubDataError, journal_key, words


class Catalogue:
    """Records indexed for the stand-in's endpoints.

    ``cited_by`` is derived from every record's cited PMIDs, so the
    ``citedin`` links of a work are exactly the records that cite it.
    """

    def __init__(self, records, journals=(), synthetic=None):
        self.by_pmid: dict[str, Record] = {}
        self.by_doi: dict[str, list[str]] = {}
        self.by_pmcid: dict[str, list[str]] = {}
        self.by_citation: dict[tuple, list[str]] = {}
        self.by_word: dict[str, set[str]] = {}
        self.by_author: dict[str, set[str]] = {}
        self.by_journal: dict[str, set[str]] = {}
        self.by_year: dict[int, set[str]] = {}
        self._cited_by: dict[str, list[str]] | None = None
        self.journal_names: set[str] = set()
        self.iso_of_journal: dict[str, str] = {}
        self.synthetic = synthetic
        self._synthetic_indexed = synthetic is None or len(synthetic) == 0
        self._synthetic_journals: set[str] = set()
        # Serialized answer fragments (render.py): a record's XML, an id's LinkSet, by shapes.
        # Cleared when a record is added, since a record's answer names the records it cites.
        self.rendered: dict[tuple, str] = {}
        for journal in journals:
            self.add_journal(journal)
        if synthetic is not None and len(synthetic):
            from .synthetic import SYNTHETIC_JOURNAL, SYNTHETIC_JOURNAL_ISO

            self.add_journal(Journal(SYNTHETIC_JOURNAL, SYNTHETIC_JOURNAL_ISO))
            self._synthetic_journals = {journal_key(SYNTHETIC_JOURNAL), journal_key(SYNTHETIC_JOURNAL_ISO)}
        for record in records:
            self.add(record)

    def add_journal(self, journal: Journal) -> None:
        """Make a journal known, so citations of it are NOT_FOUND rather than INVALID_JOURNAL."""
        for name in (journal.title, journal.iso_abbreviation):
            if name:
                self.journal_names.add(journal_key(name))
        if journal.title and journal.iso_abbreviation:
            self.iso_of_journal[journal_key(journal.title)] = journal.iso_abbreviation

    def add(self, record: Record) -> None:
        """Index one record; a second record with the same PMID is a StubDataError."""
        if record.pmid in self.by_pmid or self.synthetic_number(record.pmid):
            raise StubDataError(f"stand-in records: PMID {record.pmid} appears twice")
        self.by_pmid[record.pmid] = record
        self._cited_by = None
        self.rendered.clear()
        self._index(record)

    def _index(self, record: Record) -> None:
        pmid = record.pmid
        self._index_ids(record)
        for word in set(words(record.title or "")):
            self.by_word.setdefault(word, set()).add(pmid)
        for author in record.authors:
            name = author.last_name or author.collective_name or ""
            self.by_author.setdefault(" ".join(words(name)), set()).add(pmid)
        for key in self.journal_keys(record):
            self.by_journal.setdefault(key, set()).add(pmid)
        if record.year:
            self.by_year.setdefault(record.year, set()).add(pmid)

    def _index_ids(self, record: Record) -> None:
        pmid = record.pmid
        if record.doi:
            self.by_doi.setdefault(record.doi.lower(), []).append(pmid)
        if record.pmcid:
            self.by_pmcid.setdefault(record.pmcid.lower(), []).append(pmid)
        for key in self.journal_keys(record):
            self.journal_names.add(key)
            if record.year and record.volume and record.first_page:
                citation = (key, str(record.year), record.volume.lower(), record.first_page.lower())
                self.by_citation.setdefault(citation, []).append(pmid)

    def synthetic_number(self, pmid: str) -> int | None:
        """The synthetic record number of ``pmid``, or None for fixture and unknown PMIDs."""
        return self.synthetic.number_of(pmid) if self.synthetic is not None else None

    def ensure_search_index(self) -> None:
        """Add the synthetic records to the word, author, journal and year indexes (once)."""
        if self._synthetic_indexed:
            return
        from .synthetic import SYNTHETIC_JOURNAL, SYNTHETIC_JOURNAL_ISO, synthetic_pmid

        by_word, by_author, by_year = self.by_word, self.by_author, self.by_year
        journal = self.by_journal.setdefault(journal_key(SYNTHETIC_JOURNAL), set())
        for number in range(1, len(self.synthetic) + 1):
            pmid = synthetic_pmid(number)
            title, last_names, year = self.synthetic.search_fields(number)
            for word in set(_WORD.findall(title.lower())):  # synthetic titles are plain ASCII
                by_word.setdefault(word, set()).add(pmid)
            for name in last_names:
                by_author.setdefault(name.lower(), set()).add(pmid)
            by_year.setdefault(year, set()).add(pmid)
            journal.add(pmid)
        self.by_journal[journal_key(SYNTHETIC_JOURNAL_ISO)] = journal
        self._synthetic_indexed = True

    def all_records(self):
        """Every record, fixture records first, then synthetic ones."""
        yield from self.by_pmid.values()
        if self.synthetic is not None:
            yield from self.synthetic.records()

    def has(self, pmid: str) -> bool:
        return pmid in self.by_pmid or self.synthetic_number(pmid) is not None

    def pmids_for_doi(self, doi: str) -> list[str]:
        """PMIDs of the records with this DOI (lower case)."""
        found = list(self.by_doi.get(doi, ()))
        if self.synthetic is not None:
            number = self.synthetic.number_of_doi(doi)
            if number:
                from .synthetic import synthetic_pmid

                found.append(synthetic_pmid(number))
        return found

    def pmids_for_pmcid(self, pmcid: str) -> list[str]:
        return list(self.by_pmcid.get(pmcid.lower(), ()))

    def journal_keys(self, record: Record) -> set[str]:
        """Every comparable name of the record's journal (full title, ISO abbreviation)."""
        keys = {journal_key(n) for n in (record.journal, record.journal_iso) if n}
        if record.journal and not record.journal_iso:
            iso = self.iso_of_journal.get(journal_key(record.journal))
            if iso:
                keys.add(journal_key(iso))
        keys.discard("")
        return keys

    def iso_abbreviation(self, record: Record) -> str | None:
        """The record's ISO journal abbreviation, from the record or the journal list."""
        if record.journal_iso:
            return record.journal_iso
        if record.journal:
            return self.iso_of_journal.get(journal_key(record.journal))
        return None

    def get(self, pmid: str) -> Record | None:
        """The record with this PMID, fixture or synthetic, or None."""
        record = self.by_pmid.get(pmid)
        if record is None:
            number = self.synthetic_number(pmid)
            if number:
                record = self.synthetic.record(number)
        return record

    def __len__(self) -> int:
        return len(self.by_pmid) + (len(self.synthetic) if self.synthetic is not None else 0)

    @property
    def cited_by(self) -> dict[str, list[str]]:
        """PMID -> PMIDs of the records that cite it (computed once, on first use)."""
        if self._cited_by is None:
            cited_by: dict[str, list[str]] = {}
            for record in self.by_pmid.values():
                for cited in record.all_cited_pmids:
                    cited_by.setdefault(cited, []).append(record.pmid)
            self._cited_by = cited_by
        return self._cited_by

    def refs(self, pmid: str) -> list[str]:
        """PMIDs the record cites (``pubmed_pubmed_refs``), empty when unknown."""
        number = self.synthetic_number(pmid)
        if number:
            from .synthetic import synthetic_pmid

            return [synthetic_pmid(n) for n in self.synthetic.cites(number)]
        record = self.by_pmid.get(pmid)
        return list(record.all_cited_pmids) if record else []

    def citedin(self, pmid: str) -> list[str]:
        """PMIDs of records that cite ``pmid`` (``pubmed_pubmed_citedin``)."""
        number = self.synthetic_number(pmid)
        if number:
            from .synthetic import synthetic_pmid

            return [synthetic_pmid(n) for n in self.synthetic.cited_by(number)]
        return list(self.cited_by.get(pmid, ()))

    def match_citation(self, journal: str, year: str, volume: str, first_page: str,
                       author: str = "") -> tuple[str, list[str]]:
        """Match one ecitmatch citation; return (status, pmids).

        status is ``found`` (one PMID), ``ambiguous``, ``not_found`` or
        ``invalid_journal`` (a journal the stand-in has never heard of). The
        author only breaks ties, since NCBI tolerates a wrong author.
        """
        key = journal_key(journal)
        if not key or key not in self.journal_names:
            return "invalid_journal", []
        pmids = self.by_citation.get((key, year.strip(), volume.strip().lower(), first_page.strip().lower()), [])
        if key in self._synthetic_journals:
            from .synthetic import synthetic_pmid

            number = self.synthetic.number_of_citation(year.strip(), volume.strip(), first_page.strip())
            pmids = pmids + [synthetic_pmid(number)] if number else pmids
        if len(pmids) > 1 and author.strip():
            wanted = words(author)
            narrowed = [p for p in pmids if wanted and any(
                words(a.last_name or a.collective_name or "")[:1] == wanted[:1]
                for a in self.get(p).authors)]
            if narrowed:
                pmids = narrowed
        if not pmids:
            return "not_found", []
        if len(pmids) > 1:
            return "ambiguous", sorted(pmids, key=int, reverse=True)
        return "found", list(pmids)
