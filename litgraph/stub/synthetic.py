"""A deterministic synthetic corpus for benchmarks, clearly marked synthetic.

Record ``i`` (1-based) has PMID ``900000000 + i`` and DOI
``10.5555/synthetic.i`` (the synthetic ranges of ``litgraph.ids``), the
journal "Synthetic Journal of Benchmarks", a title starting
"Synthetic record i", and up to ``refs_per_record`` citations of earlier
synthetic records. Journal, year, volume and first page are unique per
record, so ecitmatch resolves each one. The same ``n`` and ``seed`` always
give the same corpus.

>>> first = next(synthetic_records(2))
>>> first.pmid, first.doi, first.synthetic
('900000001', '10.5555/synthetic.1', True)
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from ..errors import InputError
from ..ids import SYNTHETIC_DOI_PREFIX, SYNTHETIC_PMID_BASE, SYNTHETIC_PMID_MAX
from .records import Author, Record

SYNTHETIC_MAX = SYNTHETIC_PMID_MAX - SYNTHETIC_PMID_BASE  # keeps PMIDs at nine digits
SYNTHETIC_JOURNAL = "Synthetic Journal of Benchmarks"
SYNTHETIC_JOURNAL_ISO = "Synth J Bench"
RECORDS_PER_VOLUME = 500
PROVENANCE = (("default", "synthetic benchmark record made by litgraph.stub.synthetic; not a real article"),)

# Topic words so title searches have something to find; they describe nothing real.
TOPIC_WORDS = (
    "sarcoma", "leiomyosarcoma", "renal", "uterine", "retroperitoneal", "metastatic", "survival",
    "prognosis", "imaging", "biopsy", "chemotherapy", "radiotherapy", "surgery", "recurrence",
    "cohort", "trial", "registry", "outcome", "margin", "grading", "immunohistochemistry",
    "genomic", "mutation", "marker", "inflammatory", "myogenic", "smooth", "muscle", "tumour",
    "benchmark",
)
_LETTERS = "ABCDEFGHJKLMNPRSTVWZ"


def synthetic_pmid(number: int) -> str:
    """The PMID of synthetic record ``number`` (1-based)."""
    return str(SYNTHETIC_PMID_BASE + number)


class SyntheticCorpus:
    """``n`` synthetic records made on demand: nothing is built until it is asked for.

    Each record draws from its own random generator, seeded by the corpus seed
    and its number, so any record can be made alone and always comes out the
    same. Lookups by PMID, DOI and journal citation are arithmetic; only the
    reverse citation map (``citedin``) needs a pass over every record, made
    once on first use.
    """

    def __init__(self, n: int, seed: int = 0, refs_per_record: int = 10):
        if not 0 <= n <= SYNTHETIC_MAX:
            raise InputError(f"synthetic corpus size {n}: expected 0 to {SYNTHETIC_MAX}")
        if refs_per_record < 0:
            raise InputError(f"refs_per_record {refs_per_record}: expected 0 or more")
        self.n = n
        self.seed = seed
        self.refs_per_record = refs_per_record
        self._cited_by: dict[int, list[int]] | None = None

    def __len__(self) -> int:
        return self.n

    def _rng(self, number: int) -> random.Random:
        return random.Random((self.seed << 40) | number)

    def number_of(self, pmid: str) -> int | None:
        """The record number of a synthetic PMID, or None when it is not in this corpus."""
        if len(pmid) != 9 or not pmid.isdigit():
            return None
        number = int(pmid) - SYNTHETIC_PMID_BASE
        return number if 1 <= number <= self.n else None

    def number_of_doi(self, doi: str) -> int | None:
        """The record number of a synthetic DOI (``10.5555/synthetic.N``), or None."""
        prefix = f"{SYNTHETIC_DOI_PREFIX}synthetic."
        if not doi.startswith(prefix) or not doi[len(prefix):].isdigit():
            return None
        number = int(doi[len(prefix):])
        return number if 1 <= number <= self.n else None

    def number_of_citation(self, year: str, volume: str, first_page: str) -> int | None:
        """The record number cited as year/volume/first page in the synthetic journal, or None."""
        if not (volume.isdigit() and first_page.isdigit() and year.isdigit()):
            return None
        volume_number, page = int(volume), int(first_page)
        if volume_number < 1 or page < 1 or (page - 1) % 10 or (page - 1) // 10 >= RECORDS_PER_VOLUME:
            return None
        number = (volume_number - 1) * RECORDS_PER_VOLUME + (page - 1) // 10 + 1
        if number > self.n or int(year) != _year_of(volume_number):
            return None
        return number

    def cites(self, number: int) -> list[int]:
        """Numbers of the earlier records that record ``number`` cites."""
        rng = self._rng(number)
        for _ in range(_TITLE_DRAWS + _AUTHOR_DRAWS):
            rng.random()
        return _draw_cites(rng, number, self.refs_per_record)

    def cited_by(self, number: int) -> list[int]:
        """Numbers of the records that cite record ``number`` (reverse map built on first use)."""
        if self._cited_by is None:
            cited_by: dict[int, list[int]] = {}
            for citing in range(2, self.n + 1):
                for cited in self.cites(citing):
                    cited_by.setdefault(cited, []).append(citing)
            self._cited_by = cited_by
        return self._cited_by.get(number, [])

    def citation(self, number: int) -> str:
        """A short citation of record ``number``, made without drawing anything."""
        volume = (number - 1) // RECORDS_PER_VOLUME + 1
        first_page = ((number - 1) % RECORDS_PER_VOLUME) * 10 + 1
        return (f"Synthetic record {number}. {SYNTHETIC_JOURNAL_ISO}. {_year_of(volume)};{volume}:"
                f"{first_page}-{first_page + 9}.")

    def search_fields(self, number: int) -> tuple[str, list[str], int]:
        """(title, author last names, year) of record ``number``: what the search index needs."""
        draw = self._rng(number).random
        topics = len(TOPIC_WORDS)
        title_words = " ".join(TOPIC_WORDS[int(draw() * topics)] for _ in range(_TITLE_DRAWS))
        draws = [draw() for _ in range(_AUTHOR_DRAWS)]
        last_names = [f"Synthauthor{1 + int(draws[1 + 3 * k] * 1999)}" for k in range(1 + int(draws[0] * 3))]
        volume = (number - 1) // RECORDS_PER_VOLUME + 1
        return f"Synthetic record {number}: {title_words}", last_names, _year_of(volume)

    def record(self, number: int) -> Record:
        """Make synthetic record ``number``."""
        rng = self._rng(number)
        draw = rng.random
        volume = (number - 1) // RECORDS_PER_VOLUME + 1
        first_page = ((number - 1) % RECORDS_PER_VOLUME) * 10 + 1
        topics = len(TOPIC_WORDS)
        title_words = " ".join(TOPIC_WORDS[int(draw() * topics)] for _ in range(_TITLE_DRAWS))
        draws = [draw() for _ in range(_AUTHOR_DRAWS)]
        author_count = 1 + int(draws[0] * 3)
        authors = tuple(
            Author(last_name=f"Synthauthor{1 + int(draws[1 + 3 * k] * 1999)}",
                   initials=_LETTERS[int(draws[2 + 3 * k] * len(_LETTERS))]
                   + _LETTERS[int(draws[3 + 3 * k] * len(_LETTERS))])
            for k in range(author_count)
        )
        cites = _draw_cites(rng, number, self.refs_per_record)
        return Record(
            pmid=synthetic_pmid(number),
            doi=f"{SYNTHETIC_DOI_PREFIX}synthetic.{number}",
            title=f"Synthetic record {number}: {title_words}",
            authors=authors,
            journal=SYNTHETIC_JOURNAL,
            journal_iso=SYNTHETIC_JOURNAL_ISO,
            year=_year_of(volume),
            volume=str(volume),
            pages=f"{first_page}-{first_page + 9}",
            language="eng",
            publication_types=("Journal Article",),
            cites_pmids=tuple(synthetic_pmid(c) for c in cites),
            synthetic=True,
            provenance=PROVENANCE,
        )

    def records(self) -> Iterator[Record]:
        """Every record, in PMID order."""
        return (self.record(number) for number in range(1, self.n + 1))


_TITLE_DRAWS = 3
_AUTHOR_DRAWS = 10  # one for the author count, three per author (up to three authors)


def _year_of(volume: int) -> int:
    return 1950 + volume % 76


def _draw_cites(rng: random.Random, number: int, refs_per_record: int) -> list[int]:
    earlier = number - 1
    wanted = min(refs_per_record, earlier)
    cited: dict[int, None] = {}
    draw = rng.random
    while len(cited) < wanted:
        cited[1 + int(draw() * earlier)] = None
    return list(cited)


def synthetic_records(n: int, seed: int = 0, refs_per_record: int = 10) -> Iterator[Record]:
    """Yield ``n`` synthetic records, one at a time, the same every time for a given seed."""
    return SyntheticCorpus(n, seed, refs_per_record).records()
