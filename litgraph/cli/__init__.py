"""The ``litgraph`` command: a thin click layer over the stage modules.

Each command parses its options, calls library functions and prints.  Library
code raises LitgraphError subclasses; ``main`` turns them into one line on
stderr and the error's exit code (1 for a failed run, 2 for bad input).
The commands live by family: ``build`` (extract, resolve, graph, build),
``browse`` (check, claims, sources, status), ``export``, ``serve`` (serve, stub);
``common`` holds what they share.
"""

import click

from .. import __version__
from ..allocator import use_one_arena
from ..errors import LitgraphError
from . import browse, build, export, serve
from .common import progress_bar, progress_wanted

__all__ = ["cli", "main", "progress_bar", "progress_wanted"]


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
    use_one_arena()  # before any thread: the threads share freed memory (litgraph.allocator)


for _command in (build.extract, build.resolve, build.graph, build.build, serve.serve, serve.stub,
                 export.export, browse.check, browse.claims, browse.sources, browse.status):
    cli.add_command(_command)


def main():
    cli(prog_name="litgraph")
