"""The reading commands for curators and authors: check, claims, sources, status."""

from pathlib import Path

import click

from .common import (db_option, default_cache_path, emit_json, references_option, setup_logging,
                     verbosity_options)


def _read_references_if_present(references_path, quiet):
    """The ReferenceSet of references.yaml, or None (with a note on stderr) when there is none."""
    if not Path(references_path).is_file():
        if not quiet:
            click.echo(f"Note: {references_path} not found; checks that compare the database with "
                       "it are skipped.", err=True)
        return None
    from ..references import read_reference_set

    return read_reference_set(references_path)


def _output_format(as_json, markdown):
    from ..errors import InputError

    if as_json and markdown:
        raise InputError("--json and --markdown are exclusive: choose one output format")
    return "json" if as_json else "markdown" if markdown else "table"


@click.command()
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
    from ..check import render_text, run_checks
    from ..report import open_existing_db

    db = open_existing_db(db_path)
    refset = _read_references_if_present(references_path, quiet)
    report = run_checks(db, refset)
    if as_json:
        emit_json(report.as_dict())
    else:
        click.echo(render_text(report, limit=None if show_all else 20,
                               severities=("error",) if quiet else ("error", "warning", "info")))
    click.get_current_context().exit(report.exit_code)


@click.command()
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
    from ..report import (CLAIM_COLUMNS, claims_for_source, open_existing_db, render_claims_text,
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


@click.command()
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
    from ..report import (SOURCE_COLUMNS, open_existing_db, render_markdown, render_sources_text,
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


@click.command()
@db_option
@click.option("--cache", "cache_path", default=None, type=click.Path(dir_okay=False),
              help="HTTP cache (SQLite). Default: http-cache.sqlite beside the database.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@verbosity_options
def status(db_path, cache_path, as_json, verbose, quiet):
    """One screen: documents, sources by status and level, claims, edges, build time, cache.

    Each evidence level counts what its sources' levels rest on: a curator's word, the
    documents' statement (declared), or PubMed's publication types alone (inferred).

    Example:

    \b
        litgraph status --db db/litgraph.db
    """
    setup_logging(verbose, quiet)
    from ..report import open_existing_db, render_status, status_summary

    summary = status_summary(open_existing_db(db_path), cache_path or default_cache_path(db_path))
    if as_json:
        emit_json(summary)
    else:
        click.echo(render_status(summary))
