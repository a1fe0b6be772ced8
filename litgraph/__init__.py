"""litgraph: literature and citation-graph curation for medical content.

Stages, one module each: ``extract`` (documents -> references.yaml),
``resolve`` (references -> sources through NCBI E-utilities, via ``entrez``),
``store`` (SQLite shape and writes), ``graph`` (citing/cited graph and metrics),
``publish`` (Datasette).  ``cli`` is a thin click layer over them.
"""

__version__ = "0.1.0"
