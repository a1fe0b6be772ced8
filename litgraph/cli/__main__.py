"""``python -m litgraph.cli``: the litgraph command."""

from . import main

main()
