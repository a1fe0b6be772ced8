"""Is this text citation data?  Plausibility checks for the titles and citation strings
that exports and pages show.

Extraction sometimes keeps page furniture as if it were a reference: a link's text
("View", "PubMed", "Google Scholar") after a citation, a tool's label ("Fetch PMID:
11283938"), a breadcrumb ("» Articles » PMID: 27882721"), a meeting header with a
copyright line, or a bare journal citation ("Mod Pathol 2021;34:758") where a title
should be.  These functions say what is data and strip the furniture; they know no
seed document, only the shapes such text takes.

>>> clean_citation("Helman L, Meltzer P. Mechanisms of sarcoma development. Nat Rev Cancer. View")
'Helman L, Meltzer P. Mechanisms of sarcoma development. Nat Rev Cancer.'
>>> plausible_title("Mod Pathol 2021;34:758") is None
True
>>> plausible_title("Fetch PMID: 11283938") is None
True
>>> plausible_title("Full text at PMC") is None
True
"""

import re
from functools import lru_cache
from typing import Optional

# Link texts a web page puts after a reference (after its final full stop or bracket).
_TRAILING_LINKS = re.compile(
    r"(?<=[.\])])\s*(?:\[\s*)?(?:view(?:\s+(?:article|record|full\s+text|abstract))?|"
    r"full\s+text|pubmed|google\s+scholar|cross\s?ref|pmc\s+free\s+article|free\s+article|"
    r"see\s+all)(?:\s*\])?\s*$", re.IGNORECASE)
# Identifiers and their labels, navigation marks: removed before counting a title's words.
_IDENTIFIERS = re.compile(
    r"\b(?:pmid|pmcid|pmc|doi|isbn|issn)\s*[:#]?\s*\S+|\b10\.\d{4,9}/\S+|https?://\S+|"
    r"\bPMC\d+\b|\b\d{5,}\b", re.IGNORECASE)
_NAVIGATION = re.compile(r"[»›|>]")
# Boilerplate that no title or reference contains.
_BOILERPLATE = re.compile(r"\bcopyright\b|\u00a9|\ball rights reserved\b", re.IGNORECASE)
# A bare journal citation: "Journal Abbrev 2021;34:758" (year; volume(issue): page[-page]).
_BARE_CITATION = re.compile(
    r"^[A-Z][\w.&' -]{1,80}?\s+(?:1[6-9]|20)\d\d\s*[;,]\s*\d+[A-Za-z]?(?:\s*\([^)]*\))?"
    r"\s*:\s*[A-Za-z]?\d+(?:\s*[-\u2013]\s*[A-Za-z]?\d+)?\.?$")
_LABEL = re.compile(r"^\s*(?:fetch|get|download|open|show|view|link|see|go to)\b", re.IGNORECASE)
# The words of a link's own label ("Full text at PMC", "View article on PubMed"): a text of
# these words alone names a place to read a work, not the work.
_LINK_WORDS = frozenset(
    "full text free view article abstract read online pdf html here link links at on in via "
    "the from pubmed pmc medline google scholar crossref doi publisher site website journal "
    "record page".split())
_WORD = re.compile(r"[^\W\d_]{2,}")


def clean_citation(text) -> Optional[str]:
    """``text`` without trailing link texts and extra spaces; None when nothing is left."""
    if text is None:
        return None
    text = " ".join(str(text).split())
    while True:
        stripped = _TRAILING_LINKS.sub("", text).rstrip(" ,;|")
        if stripped == text:
            break
        text = stripped
    return text or None


def _words(text: str) -> list:
    return _WORD.findall(_NAVIGATION.sub(" ", _IDENTIFIERS.sub(" ", text)))


def plausible_citation(text) -> Optional[str]:
    """The cleaned citation string, or None when it is not citation data (a tool's
    label, a breadcrumb, a page header with a copyright line)."""
    text = clean_citation(text)
    if not text or _BOILERPLATE.search(text):
        return None
    if _BARE_CITATION.match(text):
        return text  # a journal, year, volume and page: citation data, if short
    words = _words(text)
    if _NAVIGATION.search(text) and len(words) < 4:
        return None  # a breadcrumb
    if len(words) < 4 and _LABEL.match(text) and _IDENTIFIERS.search(text):
        return None  # a tool's or link's label around an identifier
    return text if words else None


def plausible_title(text) -> Optional[str]:
    """The cleaned title, or None when it is not a work's title: no citation data, a bare
    journal citation, or a tool's label around an identifier."""
    text = plausible_citation(text)
    if not text or _BARE_CITATION.match(text):
        return None
    if all(word.lower() in _LINK_WORDS for word in _words(text)):
        return None  # a link's label: "Full text at PMC"
    return text


@lru_cache(maxsize=1 << 16)
def is_a_title(text: str) -> bool:
    """Whether ``plausible_title`` keeps ``text`` (asked for every source and every record a
    search found: cached)."""
    return plausible_title(text) is not None
