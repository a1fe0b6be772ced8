"""The E-utilities stand-in: a local server that answers like NCBI over fixture records.

``StandIn`` (in :mod:`litgraph.stub.server`) serves efetch, esearch, esummary,
elink and ecitmatch at NCBI's paths; :mod:`litgraph.stub.records` holds the
fixture records (facts from the seed documents and the shared extra facts,
each with its provenance), :mod:`litgraph.stub.catalogue` indexes them;
:mod:`litgraph.stub.synthetic` makes a
deterministic synthetic corpus for benchmarks. Nothing here is NCBI's data.
"""
