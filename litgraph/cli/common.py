"""What the commands share: options, logging, progress bars, the E-utilities client, output."""

import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

NCBI_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
DEFAULT_DB = "db/litgraph.db"
DEFAULT_REFERENCES = "references.yaml"
DEFAULT_DOCUMENTS = "documents"

log = logging.getLogger("litgraph")


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
    f = click.option("--batch-sizes", default=None, metavar="SPEC",
                     help="Identifiers per E-utilities request, e.g. efetch=1000,elink=2000 "
                          "(efetch, elink, esummary; esearch: terms OR'ed). Default: the "
                          "measured defaults (README, Batch sizes).")(f)
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
    from ..entrez import redact

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
def entrez_client(db_path, cache_path=None, offline=False, eutils_url=None, quiet=False,
                  batch_sizes=None):
    """Yield an EntrezClient, starting the in-process stand-in with --offline."""
    from ..entrez import EntrezClient
    from ..errors import InputError

    if offline and eutils_url is not None:
        raise InputError("--offline and --eutils-url are exclusive: --offline starts its own stand-in")
    if eutils_url is not None and not eutils_url.strip():
        raise InputError("--eutils-url is empty: give http(s)://.../eutils/, or leave the option "
                         "out for NCBI's")
    cache_path = cache_path or default_cache_path(db_path)
    api_key = os.environ.get("NCBI_API_KEY") or None
    email = os.environ.get("NCBI_EMAIL") or None
    if offline:
        from ..entrez.transport import STAND_IN_SERVICE
        from ..stub.server import StandIn

        with StandIn(api_key_aware=True) as stand_in:
            if not quiet:
                click.echo(f"Using the E-utilities stand-in at {stand_in.base_url} (offline fixture "
                           "records, not NCBI).", err=True)
            # Its answers are the bundled fixtures whatever port it gets: one cache service.
            with EntrezClient(stand_in.base_url, cache_path=cache_path, api_key=api_key,
                              email=email, service=STAND_IN_SERVICE,
                              batch_sizes=batch_sizes) as client:
                client.progress = None if quiet else progress_bar
                yield client
    else:
        with EntrezClient(NCBI_EUTILS_URL if eutils_url is None else eutils_url,
                          cache_path=cache_path, api_key=api_key,
                          email=email, batch_sizes=batch_sizes) as client:
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
        from ..errors import EntrezError

        raise EntrezError(outage)
