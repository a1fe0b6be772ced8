"""The export command: the citation graph or the references in another tool's format."""

import click

from .common import DEFAULT_DOCUMENTS, DEFAULT_REFERENCES, db_option


@click.command()
@db_option
@click.option("--format", "fmt", required=True,
              type=click.Choice(["graphml", "gexf", "json", "bibtex", "ris", "csljson"]),
              help="graphml, gexf or json (node-link) for the citation graph; bibtex, ris or "
                   "csljson for the references.")
@click.option("--document", default=None, metavar="ID",
              help="Only this document's node, the sources it lists and the links among them; "
                   "for a rewrite also its original and the sources it inherits.")
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

    from ..export import export as export_to, open_existing_db, project_inputs, write_output

    db = open_existing_db(db_path)
    text = io.StringIO()  # all or nothing: no file is written when the export fails
    export_to(db, fmt, text, document=document)
    if document and fmt in ("bibtex", "ris", "csljson"):
        from ..bibliography import bibliography_sources

        if not bibliography_sources(db, document):
            click.echo(f"Note: document {document} cites no source and restates no cited "
                       "sentence: the bibliography holds no entry.", err=True)
    if output == "-":
        click.echo(text.getvalue(), nl=False)
    else:
        write_output(text.getvalue(), output,
                     project_inputs(db, db_path, DEFAULT_REFERENCES, DEFAULT_DOCUMENTS))
