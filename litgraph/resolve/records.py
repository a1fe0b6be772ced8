"""efetch of the PMIDs resolution judges; with ``refresh``, stale ones bypass the cache."""

from datetime import datetime, timezone

from ..store import stored_time


def stale_pmids(db, pmids, max_age) -> set:
    """PMIDs whose sources row was fetched longer ago than ``max_age`` (or never)."""
    if db is None or "sources" not in db.table_names():
        return set(pmids)
    limit = datetime.now(timezone.utc) - max_age
    fetched = {}
    for row in db.query("select pmid, fetched_at from sources where pmid is not null"):
        fetched[str(row["pmid"])] = row["fetched_at"]
    stale = set()
    for pmid in pmids:
        moment = stored_time(fetched.get(pmid))
        if moment is None or moment < limit:
            stale.add(pmid)
    return stale


def fetch_ahead(client, pmids, refresh, age, db) -> None:
    """Start fetching ``pmids`` beside the searches (``EntrezClient.fetch_ahead``), stale
    ones bypassing the cache as ``fetch_records`` would; ``fetch_records`` takes them."""
    client.fetch_ahead(pmids, refresh=stale_pmids(db, pmids, age) if refresh else False)


def fetch_records(client, pmids, refresh, age, db, progress=False):
    """efetch every PMID; with ``refresh``, batches holding a stale PMID bypass the cache."""
    stale = stale_pmids(db, pmids, age) if refresh else False
    return client.fetch_pubmed(pmids, refresh=stale, progress=progress)
