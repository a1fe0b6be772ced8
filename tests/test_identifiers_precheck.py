"""The fast pre-checks of litgraph.extract.identifiers agree with the patterns they stand for.

``_kinds_present`` rules an identifier pattern out by substring tests on the
lower-cased text; a pattern it rules out must find nothing, whatever the case,
the spelling or the non-ASCII letters of the text.
"""

import random
import re
import sys

from litgraph.extract import identifiers
from text_variants import varied_texts

PATTERNS = {"pmid": identifiers.PMID_RE, "pmcid": identifiers.PMC_RE, "doi": identifiers.DOI_RE,
            "isbn": identifiers.ISBN_RE, "url": identifiers.URL_RE}

PIECES = [
    "PMID: 900000001", "pmid:900000002", "PubMed PMID: 900000003", "[PubMed: 900000004]",
    "PubMed ID 900000005", "pmid = {900000006}", "https://pubmed.ncbi.nlm.nih.gov/900000007/",
    "www.ncbi.nlm.nih.gov/pubmed/?term=900000008", "europepmc.org/abstract/MED/900000009",
    "EUROPEPMC.ORG/ARTICLE/MED/900000010", "PMCID: PMC5647653", "pmc 123", "PMC:77",
    "doi:10.5555/synth.1", "DOI 10.5555/ABC(1)2", "https://doi.org/10.5555%2Fsynth.2",
    "10%2E5555/x", "10%2e5555%2Fy", "https://dx.doi.org/10.5555/z/full?x=1", "2010. 34:10.",
    "ISBN 978-0-306-40615-7", "isbn-10: 0-306-40615-2", "979-1-234-56789-0", "978-3-16-148410-0",
    "http://example.org/a(b)", "HTTPS://EXAMPLE.ORG/", "www.example.org.", "WWW.EXAMPLE.ORG",
    "Miller JS, Zhou M.", "Lancet. 2016;388:488-97.", "Am J Surg Pathol. 2010:34(2):238-42",
    # non-ASCII letters, among them those IGNORECASE takes for i, s and k
    "P\u0130D: 900000011", "Pm\u0131d: 900000012", "\u0130SBN 978-0-306-40615-7",
    "\u0131sbn 0-306-40615-2", "Pub\u212aed", "\u017f", "\u00d6zt\u00fcrk A.",
    "www.ex\u00e4mple.org", "h\u0131tp://x", "do\u0131:10.5555/q",
]


def _texts():
    """The pieces, combined and changed at random, and the lines of the repository's documents."""
    return varied_texts(PIECES, seed=12, count=3000, most=4,
                        inserted=" .:-/%\u0131\u0130\u017f\u212a\u00e9")


def test_a_kind_ruled_out_has_no_match():
    for text in _texts():
        kinds = identifiers._kinds_present(text)
        for name, pattern in PATTERNS.items():
            if name not in kinds:
                assert not pattern.search(text), (name, text)


def test_the_lookalike_characters_are_all_those_ignorecase_folds_to_ascii_letters():
    letter = re.compile("[a-z]", re.I)
    folding = {chr(c) for c in range(128, sys.maxunicode + 1) if letter.fullmatch(chr(c))}
    assert folding == set(identifiers._ASCII_LOOKALIKES.pattern.strip("[]"))


def test_dropping_the_leadin_from_the_end_agrees_with_the_whole_pattern():
    rng = random.Random(7)
    words = ["PMID:", "PubMed", "[PMCID=", "doi", "ISBN-13 :", "ISBN-10", "Available from:",
             "available   online", "Accessed", "URL:", "Retrieved from", "Epub ahead of print",
             "Epub", "\u0131sbn", "Pm\u0131d", "\u017fomething", "Lancet. 2016;388:488-97.", "J Synth Med.",
             "Miller JS, Zhou M.", "x", "1999", "[", "(", "\n", "\u00a0", "\u212aey", ":", "="]
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(0, 6))) for _ in range(4000)]
    texts += [t + "\n" for t in texts[:500]] + [t.upper() for t in texts[:500]]
    for text in texts + _texts():
        assert identifiers._drop_leadin(text) == identifiers._LEADIN.sub("", text), text
