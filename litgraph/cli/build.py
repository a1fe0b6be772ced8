"""The building commands: extract, resolve, graph, and build (all three in one go)."""

import click

from .common import (DEFAULT_DOCUMENTS, db_option, entrez_client, entrez_options, print_report,
                     references_option, setup_logging, verbosity_options)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@references_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@verbosity_options
def extract(paths, references_path, as_json, verbose, quiet):
    """Read documents and bring references.yaml up to date.

    PATHS are documents or folders of documents (default: documents/): plain
    text, Markdown, HTML, JATS XML, reStructuredText, Word (.docx) or PDF,
    recognised by extension or, failing that, by content.  Sources
    found in the documents are merged into references.yaml; everything a
    curator wrote there (levels, notes, pinned identifiers, exclude, comments)
    is kept.  A source no document cites any more is marked stale, never deleted.

    Example:

    \b
        litgraph extract documents/ --references references.yaml
    """
    setup_logging(verbose, quiet)
    from ..references import update_from_documents

    report = update_from_documents(list(paths) or [DEFAULT_DOCUMENTS], references_path)
    print_report(report, as_json, quiet)


@click.command()
@db_option
@references_option
@entrez_options
@click.option("--refresh", is_flag=True,
              help="Re-ask E-utilities for what can change (citing articles, retractions).")
@click.option("--max-age", default="30d", show_default=True, metavar="AGE",
              help="With --refresh: refresh records fetched longer ago than this (e.g. 12h, 7d).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@verbosity_options
def resolve(db_path, references_path, cache_path, offline, eutils_url, batch_sizes, refresh,
            max_age, as_json, verbose, quiet):
    """Resolve the sources of references.yaml through NCBI E-utilities into the database.

    PMIDs are fetched in batches, DOIs searched together, PMCIDs stated alone
    linked to their PubMed records (elink), journal citations matched with
    ECitMatch, free-text citations searched by title; each source
    ends resolved, unresolved (with the reason) or conflict.  Identifiers found
    by search are written back to references.yaml with resolved_by.

    Example:

    \b
        litgraph resolve --offline --db db/litgraph.db
    """
    setup_logging(verbose, quiet)
    from ..pipeline import require_references_file, run_resolve
    from ..store import build_lock

    # The build lock: a resolve never interleaves its writes with a running build (which may
    # not have written references.yaml yet: that build is what to report).
    with build_lock(db_path):
        require_references_file(references_path)  # a mistyped path: no cache, no database
        with entrez_client(db_path, cache_path, offline, eutils_url, quiet,
                           batch_sizes) as client:
            report = run_resolve(db_path, references_path, client, refresh=refresh,
                                 max_age=max_age, progress=not quiet)
    print_report(report, as_json, quiet)


@click.command()
@db_option
@entrez_options
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 3),
              help="How many link steps beyond the reference set to follow.")
@click.option("--cap", default=500, show_default=True, type=click.IntRange(0),
              help="At most this many external works are added to the graph.")
@click.option("--engine", type=click.Choice(["networkx", "spark"]), default="networkx",
              show_default=True,
              help="Who computes the metrics: NetworkX in this process, or Spark (the spark "
                   "extra and a Java runtime) for graphs that outgrow one machine's memory.")
@click.option("--spark-master", metavar="URL",
              help="Spark master (spark://host:7077, yarn, local[4]); default: the usual Spark "
                   "configuration, else local[*].")
@click.option("--spark-mode", type=click.Choice(["auto", "driver", "distributed"]), default="auto",
              show_default=True,
              help="With --engine spark: compute the metrics on Spark's driver (the links must "
                   "fit its memory), with DataFrame operations across the executors (graphs "
                   "larger than the driver), or choose by the driver's memory.")
@click.option("--links-from", type=click.Path(dir_okay=False), metavar="FILE",
              help="CSV or Parquet file of citing,referenced PMID pairs (as NIH's open citation "
                   "collection ships them): links of origin bulk, no elink needed.")
@click.option("--bulk-scope", type=click.Choice(["neighbourhood", "all"]), default="neighbourhood",
              show_default=True,
              help="Which --links-from pairs to keep: those touching the reference set, or all.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@verbosity_options
def graph(db_path, cache_path, offline, eutils_url, batch_sizes, depth, cap, engine,
          spark_master, spark_mode, links_from, bulk_scope, as_json, verbose, quiet):
    """Build the citing/cited graph and its metrics in the database.

    Edges come from the documents' own lists (origin document), E-utilities
    elink (elink-refs, elink-citedin), PubMed reference lists
    (pubmed-references) and, with --links-from, a file of citing/referenced
    PMID pairs (bulk).  The graph is replaced atomically.

    Example:

    \b
        litgraph graph --offline --db db/litgraph.db --depth 1

        litgraph graph --offline --engine spark --links-from links.csv
    """
    setup_logging(verbose, quiet)
    from ..pipeline import run_graph
    from ..store import build_lock, open_existing_db

    # the graph is built from a database's sources: a mistyped --db is one line, and no new
    # empty database (nor cache or lock) is made for it
    open_existing_db(db_path).close()
    # The build lock: a graph run never interleaves its writes with a running build.
    with build_lock(db_path), \
            entrez_client(db_path, cache_path, offline, eutils_url, quiet,
                          batch_sizes) as client:
        report = run_graph(db_path, client, depth=depth, cap=cap, progress=not quiet,
                           engine=engine, links_from=links_from, bulk_scope=bulk_scope,
                           spark_master=spark_master, spark_mode=spark_mode)
    print_report(report, as_json, quiet)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@db_option
@references_option
@entrez_options
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 3),
              help="Graph: link steps beyond the reference set.")
@click.option("--cap", default=500, show_default=True, type=click.IntRange(0),
              help="Graph: at most this many external works.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@verbosity_options
def build(paths, db_path, references_path, cache_path, offline, eutils_url, batch_sizes, depth,
          cap, as_json, verbose, quiet):
    """Extract, resolve and graph in one go: documents in, database out.

    Safe to re-run: a second run changes nothing and, with a warm cache,
    makes no network request.  Two builds on one database never interleave.

    Example:

    \b
        litgraph build --offline --db db/litgraph.db
    """
    setup_logging(verbose, quiet)
    from ..pipeline import run_build
    from ..references import documents_to_read

    paths = list(paths) or [DEFAULT_DOCUMENTS]
    documents_to_read(paths)  # a mistyped path: said before any stand-in, cache or lock is made
    with entrez_client(db_path, cache_path, offline, eutils_url, quiet, batch_sizes) as client:
        report = run_build(paths, db_path, references_path, client,
                           depth=depth, cap=cap, progress=not quiet)
    print_report(report, as_json, quiet)
