"""Reading an XML reply safely: its root checked, entities refused, big replies in pieces.

No DTD is read and no external entity resolved (expat does neither for
ElementTree); a reply that declares entities is refused before parsing.  A reply
whose root is another document's is a ``ReplyShapeError`` naming what came.
"""

import re
from xml.etree import ElementTree

from ..errors import ReplyShapeError

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)
_PIECE = 1 << 16  # bytes fed to the parser at a time


def parse_root(content: bytes, expected, what: str):
    """The root element of an XML reply, after checking it is one of ``expected``.

    No DTD is read and no external entity resolved (expat does neither for
    ElementTree); a reply that declares entities is refused before parsing.
    """
    _refuse_entities(content, what)
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise ReplyShapeError(f"{what} reply is not well-formed XML ({exc})") from None
    _check_root(root.tag, expected, what)
    return root


def _refuse_entities(content: bytes, what: str) -> None:
    if _ENTITY_DECLARATION.search(content[:4096]) or b"<!ENTITY" in content:
        raise ReplyShapeError(f"{what} reply declares XML entities: refused")


def _check_root(tag, expected, what: str) -> None:
    if tag not in expected:
        raise ReplyShapeError(f"{what} reply is a {tag} document, not {' or '.join(expected)}")


def check_root(content: bytes, expected, what: str) -> None:
    """Check that ``content``'s root element is one of ``expected`` and that it declares no
    entities, reading no further than the root's start tag (the first piece or so)."""
    _refuse_entities(content, what)
    view = memoryview(content)
    try:
        parser = ElementTree.XMLPullParser(("start",))
        root = None
        for start in range(0, len(content), _PIECE):
            parser.feed(view[start:start + _PIECE])
            root = next((element for _event, element in parser.read_events()), None)
            if root is not None:
                break
        if root is None:
            parser.close()  # raises: no element found
            raise ReplyShapeError(f"{what} reply holds no XML element")
    except ElementTree.ParseError as exc:
        raise ReplyShapeError(f"{what} reply is not well-formed XML ({exc})") from None
    _check_root(root.tag, expected, what)


def ended_children(content: bytes, expected, what: str, tags):
    """Each element named in ``tags`` as the parser ends it, for ``content`` whose root
    is one of ``expected`` (checked first, with the checks of ``parse_root``).

    The reply is read in pieces and never held as one tree: the caller takes what it
    needs from each element, which is then emptied (an efetch reply of 10,000 records
    is 28 MB of XML).  Only elements directly under the root are expected to bear these
    names (PubMed's DTDs nest no article in another, no LinkSet in another).
    """
    check_root(content, expected, what)
    view = memoryview(content)
    try:
        parser = ElementTree.XMLPullParser(("end",))
        for start in range(0, len(content), _PIECE):
            parser.feed(view[start:start + _PIECE])
            for _event, element in parser.read_events():
                if element.tag in tags:
                    yield element
                    element.clear()
        parser.close()
        for _event, element in parser.read_events():
            if element.tag in tags:
                yield element
    except ElementTree.ParseError as exc:
        raise ReplyShapeError(f"{what} reply is not well-formed XML ({exc})") from None
