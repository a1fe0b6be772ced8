"""elink replies in the plain shape NCBI writes, read by regular expressions instead of a tree.

An elink reply for 10,000 PMIDs holds some 350,000 elements: ElementTree spends
about 250 ms building them (a 6.8 MB reply), nearly all of ``parse_elink``'s
time, for PMIDs that are digits between ``<Id>`` tags.  ``scan_links`` reads a
reply that is exactly elink's grammar (below) in C: it matches one LinkSet at a
time, from the root's start tag to its end tag, every LinkSet right after the
last, and takes the PMIDs with ``findall``: 111 ms against 403 ms for that reply
(``bench/parse.py --elink --n 10000``).

The grammar: ASCII; after the XML declaration and DOCTYPE (checked by
``xmlread.check_root``), no other markup declaration, comment, CDATA section,
processing instruction or reference; ``<eLinkResult>``, then LinkSets of a
``DbFrom``, one ``IdList`` of ``Id``\\ s and ``LinkSetDb``\\ s of ``DbTo``,
``LinkName`` and ``Link``\\ s of one ``Id`` each, no attributes, PMIDs of ASCII
digits, white space (XML's four characters) between tags.  Anything else, an
``<ERROR>`` in a LinkSet, a ``Score``, an attribute, an empty ``Id``, is left to
ElementTree (``scan_links`` returns None), which reads every reply; tests hold
both to Bio.Entrez's reading.
"""

import re
from typing import Optional

_SPACE = r"[ \t\r\n]*"
_SPACES = re.compile(_SPACE)
_LINK_SET = re.compile(
    rf"<LinkSet>{_SPACE}<DbFrom>[^<]*</DbFrom>{_SPACE}"
    rf"<IdList>{_SPACE}((?:<Id>[0-9]+</Id>{_SPACE})*)</IdList>{_SPACE}"
    rf"((?:<LinkSetDb>{_SPACE}<DbTo>[^<]*</DbTo>{_SPACE}<LinkName>[^<]*</LinkName>{_SPACE}"
    rf"(?:<Link>{_SPACE}<Id>[0-9]+</Id>{_SPACE}</Link>{_SPACE})*</LinkSetDb>{_SPACE})*)"
    rf"</LinkSet>{_SPACE}")
_ID = re.compile(r"<Id>([0-9]+)</Id>")
_LINK_NAME = re.compile(r"<LinkName>([^<]*)</LinkName>")
_ROOT, _END = "<eLinkResult>", "</eLinkResult>"


def scan_links(content: bytes, linkname: str) -> Optional[dict]:
    """``parse_elink``'s ``{pmid: [linked pmids]}`` of a reply in elink's plain grammar whose
    root was checked, or None: the reply is left to ElementTree."""
    if not content.isascii() or b"&" in content or content.count(b"<!") > 1 \
            or content.find(b"<?", 1) != -1:
        return None
    text = content.decode("ascii")
    start = text.find(_ROOT)
    if start == -1:
        return None
    position = _SPACES.match(text, start + len(_ROOT)).end()
    links = {}
    same = {}  # each PMID's text once per reply, as parse_elink keeps it
    while not text.startswith(_END, position):
        match = _LINK_SET.match(text, position)
        if match is None:
            return None
        position = match.end()
        ids = _ID.findall(match.group(1))
        if len(ids) != 1:
            continue  # a by-group answer: parse_elink's docstring
        found = links.setdefault(ids[0], [])
        seen = set(found)
        for link_db in match.group(2).split("<LinkSetDb>")[1:]:
            name = _LINK_NAME.search(link_db).group(1)
            if " ".join(name.split()) != linkname:
                continue
            for pmid in _ID.findall(link_db):
                if pmid not in seen:
                    seen.add(pmid)
                    found.append(same.setdefault(pmid, pmid))
    if text[position + len(_END):].strip(" \t\r\n"):
        return None  # anything after the root's end tag
    return links
