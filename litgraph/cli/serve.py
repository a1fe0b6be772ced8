"""The serving commands: serve (Datasette) and stub (the E-utilities stand-in)."""

import click

from .common import db_option


@click.command()
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
    from ..publish import serve_database

    serve_database(db_path, host=host, port=port)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback interface to listen on.")
@click.option("--port", default=8002, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--rate-limit", default=3, show_default=True, type=click.IntRange(0),
              help="Requests per second allowed without api_key (10 with one); 0: no limit.")
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(0),
              help="Delay added to every answer.")
@click.option("--faults", default="", metavar="SPEC",
              help="Inject faults, e.g. '429=0.2,500=0.1,truncate=0.05,error=0.05,html=0.05,slow=0.05' "
                   "(settings: seed, slow_ms, timeout_ms, retry_after).")
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
    from ..stub.faults import parse_faults
    from ..stub.server import StandIn, parse_shapes

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
