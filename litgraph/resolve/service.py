"""The E-utilities client as resolution sees it: the interface a real client and a fake share."""

from typing import Optional, Protocol, runtime_checkable


@runtime_checkable
class EntrezService(Protocol):
    """What resolution asks of an E-utilities client (entrez.EntrezClient; a test's fake
    implements the same)."""

    base_url: str
    stats: dict  # network_requests, cache_hits, failures, ...
    reached: int  # tries that reached a server at all
    last_failure: Optional[str]
    stand_in: bool  # an answer came from litgraph's stand-in

    def citation_match(self, citations) -> dict: ...

    def search_ids(self, terms) -> list: ...

    def search_dois(self, dois) -> list: ...

    def pmids_of_pmcids(self, pmcids) -> dict: ...  # {PMCID: [PMIDs]}, elink pmc -> pubmed

    def fetch_ahead(self, pmids, refresh=False) -> None: ...  # may fetch nothing ahead

    def fetch_pubmed(self, pmids, refresh=False, progress=False): ...
