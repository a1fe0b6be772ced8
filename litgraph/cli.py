"""The ``litgraph`` command: a thin click layer over the stage modules.

Each command parses its options, calls library functions and prints.  Library
code raises LitgraphError subclasses; ``main`` turns them into one line on
stderr and the error's exit code (1 for a failed run, 2 for bad input).
"""

import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .errors import LitgraphError

NCBI_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
DEFAULT_DB = "db/litgraph.db"
DEFAULT_REFERENCES = "references.yaml"
DEFAULT_DOCUMENTS = "documents"

log = logging.getLogger("litgraph")


class LitgraphGroup(click.Group):
    """A click group that reports LitgraphError as one line on stderr, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LitgraphError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except OSError as exc:
            # A disk, permission or network problem outside the library's own
            # checks: still one line, naming the file when the OS gives one.
            where = f" {exc.filename}:" if getattr(exc, "filename", None) else ""
            click.echo(f"Error:{where} {exc.strerror or exc}", err=True)
            ctx.exit(1)


# ---------------------------------------------------------------- shared options

def db_option(f):
    return click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                        type=click.Path(dir_okay=False), help="The SQLite database to build or read.")(f)


def references_option(f):
    return click.option("--references", "references_path", default=DEFAULT_REFERENCES,
                        show_default=True, type=click.Path(dir_okay=False),
                        help="The curated reference set (YAML).")(f)


def entrez_options(f):
    f = click.option("--cache", "cache_path", default=None, type=click.Path(dir_okay=False),
                     help="HTTP cache (SQLite). Default: http-cache.sqlite beside the database.")(f)
    f = click.option("--offline", is_flag=True,
                     help="Start the E-utilities stand-in in-process on a free loopback port and use it.")(f)
    f = click.option("--eutils-url", default=None, metavar="URL",
                     help=f"E-utilities base URL. Default: NCBI's ({NCBI_EUTILS_URL}).")(f)
    return f


def verbosity_options(f):
    f = click.option("-q", "--quiet", is_flag=True, help="Print only errors and final results.")(f)
    f = click.option("-v", "--verbose", count=True, help="Log more (-vv for every request).")(f)
    return f


def setup_logging(verbose: int = 0, quiet: bool = False) -> None:
    level = logging.ERROR if quiet else (logging.DEBUG if verbose > 1 else
                                         logging.INFO if verbose == 1 else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr,
                        force=True)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_redact_log_record)


def _redact_log_record(record) -> bool:
    """Blank api_key/email values in every log line, also those of libraries (urllib3 logs URLs)."""
    from .entrez import redact

    message = record.getMessage()
    clean = redact(message, [os.environ.get("NCBI_API_KEY"), os.environ.get("NCBI_EMAIL")])
    if clean != message:
        record.msg, record.args = clean, ()
    return True


def progress_wanted(enabled: bool = True, stream=None) -> bool:
    """Whether a bar should be drawn: asked for, stderr a terminal, not in CI."""
    if not enabled or os.environ.get("CI"):
        return False
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def progress_bar(items, label: str, length=None, enabled: bool = True, stream=None):
    """The command line's progress hook (litgraph.progress): yield every item of ``items``,
    drawing click's bar on stderr only on a terminal and outside CI, so that logs,
    pipes and captured output stay clean.  ``length`` counts a generator's items."""
    if not progress_wanted(enabled, stream):
        yield from items
        return
    if length is None:
        try:
            length = len(items)
        except TypeError:
            length = None
    with click.progressbar(items, length=length, label=label,
                           file=sys.stderr if stream is None else stream) as bar:
        yield from bar


def default_cache_path(db_path: str) -> str:
    return str(Path(db_path).parent / "http-cache.sqlite")


@contextmanager
def entrez_client(db_path, cache_path=None, offline=False, eutils_url=None, quiet=False):
    """Yield an EntrezClient, starting the in-process stand-in with --offline."""
    from .entrez import EntrezClient
    from .errors import InputError

    if offline and eutils_url is not None:
        raise InputError("--offline and --eutils-url are exclusive: --offline starts its own stand-in")
    if eutils_url is not None and not eutils_url.strip():
        raise InputError("--eutils-url is empty: give http(s)://.../eutils/, or leave the option "
                         "out for NCBI's")
    cache_path = cache_path or default_cache_path(db_path)
    api_key = os.environ.get("NCBI_API_KEY") or None
    email = os.environ.get("NCBI_EMAIL") or None
    if offline:
        from .entrez.transport import STAND_IN_SERVICE
        from .stub.server import StandIn

        with StandIn(api_key_aware=True) as stand_in:
            if not quiet:
                click.echo(f"Using the E-utilities stand-in at {stand_in.base_url} (offline fixture "
                           "records, not NCBI).", err=True)
            # Its answers are the bundled fixtures whatever port it gets: one cache service.
            with EntrezClient(stand_in.base_url, cache_path=cache_path, api_key=api_key,
                              email=email, service=STAND_IN_SERVICE) as client:
                client.progress = None if quiet else progress_bar
                yield client
    else:
        with EntrezClient(NCBI_EUTILS_URL if eutils_url is None else eutils_url,
                          cache_path=cache_path, api_key=api_key,
                          email=email) as client:
            client.progress = None if quiet else progress_bar
            yield client


def emit_json(value) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def print_report(report, as_json: bool, quiet: bool) -> None:
    """A stage report as JSON (--json), as text, or not at all (--quiet); then, when
    E-utilities failed and nothing resolved, one error line and a non-zero exit."""
    if as_json:
        emit_json(report.as_dict())
    elif not quiet:
        click.echo(report.summary())
    parts = [report, *getattr(report, "parts", [])]
    outage = next((p.error for p in parts if getattr(p, "error", None)), None)
    if outage:
        from .errors import EntrezError

        raise EntrezError(outage)


# ---------------------------------------------------------------- the group

@click.group(cls=LitgraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="litgraph")
def cli():
    """litgraph: curate the references of medical documents and their citation graph.

    The stages run in order: extract (documents -> references.yaml), resolve
    (references -> sources through NCBI E-utilities), graph (citing/cited
    links and metrics), then serve (Datasette).  ``build`` runs the first three.

    Example:

    \b
        litgraph build --offline && litgraph serve
    """


# ---------------------------------------------------------------- extract

@cli.command()
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
    from .references import update_from_documents

    report = update_from_documents(list(paths) or [DEFAULT_DOCUMENTS], references_path)
    print_report(report, as_json, quiet)


# ---------------------------------------------------------------- resolve

@cli.command()
@db_option
@references_option
@entrez_options
@click.option("--refresh", is_flag=True,
              help="Re-ask E-utilities for what can change (citing articles, retractions).")
@click.option("--max-age", default="30d", show_default=True, metavar="AGE",
              help="With --refresh: refresh records fetched longer ago than this (e.g. 12h, 7d).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@verbosity_options
def resolve(db_path, references_path, cache_path, offline, eutils_url, refresh, max_age, as_json,
            verbose, quiet):
    """Resolve the sources of references.yaml through NCBI E-utilities into the database.

    PMIDs are fetched in batches, DOIs searched together, journal citations
    matched with ECitMatch, free-text citations searched by title; each source
    ends resolved, unresolved (with the reason) or conflict.  Identifiers found
    by search are written back to references.yaml with resolved_by.

    Example:

    \b
        litgraph resolve --offline --db db/litgraph.db
    """
    setup_logging(verbose, quiet)
    from .pipeline import run_resolve
    from .store import build_lock

    # The build lock: a resolve never interleaves its writes with a running build.
    with build_lock(db_path), \
            entrez_client(db_path, cache_path, offline, eutils_url, quiet) as client:
        report = run_resolve(db_path, references_path, client, refresh=refresh, max_age=max_age,
                             progress=not quiet)
    print_report(report, as_json, quiet)


# ---------------------------------------------------------------- graph

@cli.command()
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
@click.option("--links-from", type=click.Path(dir_okay=False), metavar="FILE",
              help="CSV or Parquet file of citing,referenced PMID pairs (as NIH's open citation "
                   "collection ships them): links of origin bulk, no elink needed.")
@click.option("--bulk-scope", type=click.Choice(["neighbourhood", "all"]), default="neighbourhood",
              show_default=True,
              help="Which --links-from pairs to keep: those touching the reference set, or all.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@verbosity_options
def graph(db_path, cache_path, offline, eutils_url, depth, cap, engine, spark_master, links_from,
          bulk_scope, as_json, verbose, quiet):
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
    from .pipeline import run_graph
    from .store import build_lock

    # The build lock: a graph run never interleaves its writes with a running build.
    with build_lock(db_path), \
            entrez_client(db_path, cache_path, offline, eutils_url, quiet) as client:
        report = run_graph(db_path, client, depth=depth, cap=cap, progress=not quiet,
                           engine=engine, links_from=links_from, bulk_scope=bulk_scope,
                           spark_master=spark_master)
    print_report(report, as_json, quiet)


# ---------------------------------------------------------------- build

@cli.command()
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
def build(paths, db_path, references_path, cache_path, offline, eutils_url, depth, cap, as_json,
          verbose, quiet):
    """Extract, resolve and graph in one go: documents in, database out.

    Safe to re-run: a second run changes nothing and, with a warm cache,
    makes no network request.  Two builds on one database never interleave.

    Example:

    \b
        litgraph build --offline --db db/litgraph.db
    """
    setup_logging(verbose, quiet)
    from .pipeline import run_build

    with entrez_client(db_path, cache_path, offline, eutils_url, quiet) as client:
        report = run_build(list(paths) or [DEFAULT_DOCUMENTS], db_path, references_path, client,
                           depth=depth, cap=cap, progress=not quiet)
    print_report(report, as_json, quiet)


# ---------------------------------------------------------------- serve

@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")
def serve(db_path, host, port):
    """Publish the database read-only through Datasette until Ctrl-C.

    Example:

    \b
        litgraph serve --db db/litgraph.db --port 8001
    """
    from .publish import serve_database

    serve_database(db_path, host=host, port=port)


# ---------------------------------------------------------------- stub

@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback interface to listen on.")
@click.option("--port", default=8002, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--rate-limit", default=3, show_default=True, type=click.IntRange(0),
              help="Requests per second allowed without api_key (10 with one); 0: no limit.")
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0),
              help="Delay added to every answer.")
@click.option("--faults", default="", metavar="SPEC",
              help="Inject faults, e.g. '429=0.2,500=0.1,truncate=0.05,error=0.05,html=0.05,slow=0.05'.")
@click.option("--synthetic", default=0, type=click.IntRange(0), metavar="N",
              help="Also serve N synthetic records (marked synthetic) for benchmarks.")
@click.option("--shapes", default="", metavar="NAMES",
              help="Answer in other shapes NCBI's real replies take, e.g. 'cites,http-dtd,omit' "
                   "(cites, http-dtd, invalid-elocation, omit, group-links, id-errors, wrong-root, "
                   "shuffled-citations).")
def stub(host, port, rate_limit, latency_ms, faults, synthetic, shapes):
    """Run the E-utilities stand-in in the foreground (fixture records, not NCBI).

    It answers efetch, esearch, esummary, elink and ecitmatch at NCBI's paths,
    and GET /_stats with its request counts.

    Example:

    \b
        litgraph stub --port 8002 &
        litgraph build --eutils-url http://127.0.0.1:8002/entrez/eutils/
    """
    from .stub.server import StandIn, parse_faults, parse_shapes

    stand_in = StandIn(host=host, port=port, rate_limit=rate_limit or None, latency_ms=latency_ms,
                       faults=parse_faults(faults), synthetic=synthetic,
                       shapes=parse_shapes(shapes) if shapes else None)
    stand_in.start()
    click.echo(f"E-utilities stand-in at {stand_in.base_url} (Ctrl-C to stop)", err=True)
    try:
        stand_in.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stand_in.stop()


# ---------------------------------------------------------------- export

@cli.command()
@db_option
@click.option("--format", "fmt", required=True,
              type=click.Choice(["graphml", "gexf", "json", "bibtex", "ris", "csljson"]),
              help="graphml, gexf or json (node-link) for the citation graph; bibtex, ris or "
                   "csljson for the references.")
@click.option("--document", default=None, metavar="ID",
              help="Only this document's node, the sources it lists and the links among them.")
@click.option("--output", default="-", show_default="stdout", type=click.Path(dir_okay=False),
              help="File to write (replaced whole, never left half-written); a device or pipe "
                   "is written to, never replaced; the project's own files are refused.")
def export(db_path, fmt, document, output):
    """Write the citation graph or the references in a format other tools read.

    Graph nodes carry kind, title, year, evidence level and PageRank; each
    edge lists its origins (document, elink-refs, elink-citedin,
    pubmed-references).  JSON is NetworkX node-link JSON.

    Example:

    \b
        litgraph export --format graphml --output litgraph.graphml
    """
    import io

    from .export import export as export_to, open_existing_db, project_inputs, write_output

    db = open_existing_db(db_path)
    text = io.StringIO()  # all or nothing: no file is written when the export fails
    export_to(db, fmt, text, document=document)
    if document and fmt in ("bibtex", "ris", "csljson"):
        from .bibliography import bibliography_sources

        if not bibliography_sources(db, document):
            click.echo(f"Note: document {document} cites no source and restates no cited "
                       "sentence: the bibliography holds no entry.", err=True)
    if output == "-":
        click.echo(text.getvalue(), nl=False)
    else:
        write_output(text.getvalue(), output,
                     project_inputs(db, db_path, DEFAULT_REFERENCES, DEFAULT_DOCUMENTS))


# ---------------------------------------------------------------- curation (issue #7)

def _read_references_if_present(references_path, quiet):
    """The ReferenceSet of references.yaml, or None (with a note on stderr) when there is none."""
    if not Path(references_path).is_file():
        if not quiet:
            click.echo(f"Note: {references_path} not found; checks that compare the database with "
                       "it are skipped.", err=True)
        return None
    from .references import read_reference_set

    return read_reference_set(references_path)


def _output_format(as_json, markdown):
    from .errors import InputError

    if as_json and markdown:
        raise InputError("--json and --markdown are exclusive: choose one output format")
    return "json" if as_json else "markdown" if markdown else "table"


@cli.command()
@db_option
@references_option
@click.option("--json", "as_json", is_flag=True, help="Print every finding as JSON.")
@click.option("--all", "show_all", is_flag=True,
              help="Show every finding (the text report shows at most 20 of each kind).")
@verbosity_options
def check(db_path, references_path, as_json, show_all, verbose, quiet):
    """Report what a curator should fix; exit 1 when there are errors, 0 when clean.

    Errors: unresolved references (with reasons), PMID/DOI conflicts, records
    that are not the work the document cites (identity mismatch), one work
    under two keys, retracted sources and the claims resting on them.
    Warnings: records that match their citation only in part (identity
    partial), errata, claims with no source, claims resting only on low-level
    evidence, declared-versus-inferred level disagreements, restatements whose
    numbers or content differ from the document they restate, citations
    references.yaml lacks, stale entries.  Info: sources excluded by a curator
    (exclude: true and a note in references.yaml), unsourced sentences of
    documents without references.  -q prints only the summary and errors.

    Example:

    \b
        litgraph check --db db/litgraph.db --references references.yaml --json
    """
    setup_logging(verbose, quiet)
    from .check import render_text, run_checks
    from .report import open_existing_db

    db = open_existing_db(db_path)
    refset = _read_references_if_present(references_path, quiet)
    report = run_checks(db, refset)
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(render_text(report, limit=None if show_all else 20,
                               severities=("error",) if quiet else ("error", "warning", "info")))
    click.get_current_context().exit(report.exit_code)


@cli.command()
@click.argument("source_args", nargs=-1, metavar="[PMID|DOI|KEY]...")
@db_option
@click.option("--source", "source_options", multiple=True, metavar="PMID|DOI|KEY",
              help="The source: a PMID, DOI, PMC id or references.yaml key (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.option("--markdown", is_flag=True, help="Print a Markdown table.")
@verbosity_options
def claims(source_args, db_path, source_options, as_json, markdown, verbose, quiet):
    """Which claims of the documents cite a source: for content authors.

    The source is a PMID, DOI, PMC id or references.yaml key, given with
    --source or as an argument.

    Example:

    \b
        litgraph claims --source 20090506 --markdown
    """
    setup_logging(verbose, quiet)
    from .report import (CLAIM_COLUMNS, claims_for_source, open_existing_db, render_claims_text,
                         render_markdown)

    source_queries = list(source_options) + list(source_args)
    if not source_queries:
        raise click.UsageError("name a source: litgraph claims --source PMID|DOI|KEY")
    fmt = _output_format(as_json, markdown)
    db = open_existing_db(db_path)
    rows, seen = [], set()
    for query in source_queries:
        for row in claims_for_source(db, query):
            if (row["source"], row["claim"]) not in seen:
                seen.add((row["source"], row["claim"]))
                rows.append(row)
    if fmt == "json":
        emit_json(rows)
    elif fmt == "markdown":
        click.echo(render_markdown(rows, CLAIM_COLUMNS))
    elif not rows:
        click.echo(f"No claim cites {', '.join(source_queries)}.")
    else:
        click.echo(render_claims_text(rows))


@cli.command()
@click.argument("claim_arg", required=False, metavar="[ID|TEXT]")
@db_option
@click.option("--claim", "claim_option", metavar="ID|TEXT",
              help="A claim id, or words of its text (every claim containing them).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows as JSON.")
@click.option("--markdown", is_flag=True, help="Print a Markdown table.")
@verbosity_options
def sources(claim_arg, db_path, claim_option, as_json, markdown, verbose, quiet):
    """What stands behind a claim: its sources, their status and evidence level.

    The claim is its id or words of its text, given with --claim or as an
    argument; a claim that cites nothing shows one row without a source.

    Example:

    \b
        litgraph sources --claim "mean age at diagnosis of 58.5"
    """
    setup_logging(verbose, quiet)
    from .report import (SOURCE_COLUMNS, open_existing_db, render_markdown, render_sources_text,
                         sources_for_claim)

    if claim_option and claim_arg:
        raise click.UsageError("give the claim once: --claim or an argument, not both")
    claim_query = claim_option or claim_arg
    if not claim_query:
        raise click.UsageError("name a claim: litgraph sources --claim ID|TEXT")
    fmt = _output_format(as_json, markdown)
    rows = sources_for_claim(open_existing_db(db_path), claim_query)
    if fmt == "json":
        emit_json(rows)
    elif fmt == "markdown":
        click.echo(render_markdown(rows, SOURCE_COLUMNS))
    else:
        click.echo(render_sources_text(rows))


@cli.command()
@db_option
@click.option("--cache", "cache_path", default=None, type=click.Path(dir_okay=False),
              help="HTTP cache (SQLite). Default: http-cache.sqlite beside the database.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@verbosity_options
def status(db_path, cache_path, as_json, verbose, quiet):
    """One screen: documents, sources by status and level, claims, edges, build time, cache.

    Example:

    \b
        litgraph status --db db/litgraph.db
    """
    setup_logging(verbose, quiet)
    from .report import open_existing_db, render_status, status_summary

    summary = status_summary(open_existing_db(db_path), cache_path or default_cache_path(db_path))
    if as_json:
        emit_json(summary)
    else:
        click.echo(render_status(summary))


def main():
    cli(prog_name="litgraph")


if __name__ == "__main__":
    main()
