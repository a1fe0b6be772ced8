"""Normalise PubMed, DOI and PMC identifiers on the way in.

Every stage compares identifiers in these normal forms only:

>>> normalise_doi("https://doi.org/10.1097/PAS.0b013e3181cad8c9.")
'10.1097/pas.0b013e3181cad8c9'
>>> normalise_pmid("PMID: 20090506")
'20090506'
>>> normalise_pmcid("PMC: 5647653")
'PMC5647653'
"""

import re

from .errors import IdentifierError

PMID_MAX_DIGITS = 9  # PubMed ids are at most 8 digits today; 9 leaves room.

_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|doi\.org/)", re.I)
_DOI_SHAPE = re.compile(r"^10\.[0-9]{4,9}/\S+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise_pmid(value) -> str:
    """Return a PMID as a string of ASCII digits, or raise IdentifierError.

    Accepts ``20090506``, ``"PMID: 20090506"``, ``"pmid:20090506"``. Rejects
    zero, negative numbers, non-digits, digits of other scripts (full-width
    ``２００９``), numbers written in another base or with separators (a YAML
    ``0x1F``, ``0o17`` or ``1_000`` arrives as a special int) and absurdly
    long numbers.
    """
    if isinstance(value, bool) or isinstance(value, float) or \
            (isinstance(value, int) and type(value) is not int):
        raise IdentifierError(f"invalid PMID {str(value)!r}: a PMID is a positive whole number "
                              "written in decimal digits")
    text = str(value).strip()
    text = re.sub(r"^(?:pmid|pubmed\s*id|pubmed)\s*:?\s*", "", text, flags=re.I)
    if not re.fullmatch(r"[0-9]+", text):
        raise IdentifierError(f"invalid PMID {str(value)!r}: a PMID is a positive whole number "
                              "written in decimal digits")
    text = text.lstrip("0")
    if not text:
        raise IdentifierError(f"invalid PMID {str(value)!r}: a PMID is a positive whole number")
    if len(text) > PMID_MAX_DIGITS:
        raise IdentifierError(f"invalid PMID {str(value)!r}: more than {PMID_MAX_DIGITS} digits")
    return text


def normalise_doi(value) -> str:
    """Return a DOI in lower case without URL or ``doi:`` prefix, or raise IdentifierError.

    Trailing sentence punctuation is dropped, and a closing parenthesis is
    dropped only when the DOI does not open one itself, so
    ``10.1016/S0140-6736(16)30587-6`` keeps its parentheses.
    """
    text = str(value).strip()
    if _CONTROL.search(text):
        raise IdentifierError(f"invalid DOI {text!r}: contains control characters")
    text = _DOI_PREFIX.sub("", text).strip()
    while text and text[-1] in ".,;:]>'\"":
        text = text[:-1]
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1]
    if " " in text or not _DOI_SHAPE.match(text):
        raise IdentifierError(f"invalid DOI {str(value)!r}: expected 10.<registrant>/<suffix>")
    return text.lower()


def normalise_pmcid(value) -> str:
    """Return a PMC id as ``PMC`` followed by digits, or raise IdentifierError."""
    text = str(value).strip()
    text = re.sub(r"^(?:pmcid|pmc)\s*:?\s*", "", text, flags=re.I)
    if not re.fullmatch(r"[0-9]{1,9}", text) or not text.lstrip("0"):
        raise IdentifierError(f"invalid PMC id {str(value)!r}: expected PMC followed by digits")
    return "PMC" + text.lstrip("0")


def normalise_isbn(value) -> str:
    """Return an ISBN-10 or ISBN-13 as bare digits (a final ``X`` kept), or raise IdentifierError.

    Hyphens and spaces are dropped; the check digit must be right, so a
    telephone number of the right length is not taken for an ISBN.

    >>> normalise_isbn("ISBN 978-0-306-40615-7")
    '9780306406157'
    """
    text = re.sub(r"^isbn(?:-1[03])?\s*:?\s*", "", str(value).strip(), flags=re.I)
    digits = re.sub(r"[\s-]", "", text).upper()
    if re.fullmatch(r"[0-9]{9}[0-9X]", digits):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        if total % 11 == 0:
            return digits
    elif re.fullmatch(r"97[89][0-9]{10}", digits):
        total = sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits))
        if total % 10 == 0:
            return digits
    raise IdentifierError(f"invalid ISBN {str(value)!r}: expected 10 or 13 digits with a valid check digit")
