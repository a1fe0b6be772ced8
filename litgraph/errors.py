"""Errors raised by the litgraph library.

Library code raises these and never prints or exits; the CLI turns them into a
one-line message on stderr and the exit code named by ``exit_code``.
"""


class LitgraphError(Exception):
    """Base class of every error litgraph reports to a person.

    The message must stand on its own on one line and name the file, line or
    identifier at fault.
    """

    exit_code = 1


class InputError(LitgraphError):
    """Bad input: a document, option or identifier litgraph cannot use."""

    exit_code = 2


class DocumentError(InputError):
    """A document that cannot be read (missing, binary, not UTF-8, too large)."""


class UnreadableDocumentError(DocumentError):
    """A document whose content its reader cannot decode or parse: empty, not UTF-8, a NUL
    byte, malformed markup, a corrupt Word or PDF file, a PDF without a text layer.

    Named alone it is refused like any DocumentError; found in a folder, extract names it
    in its report and reads the other files.
    """


class ReferencesFileError(InputError):
    """A malformed references.yaml (the message names its line and column)."""


class IdentifierError(InputError):
    """A PMID, DOI or PMC id that is not valid."""


class EntrezError(LitgraphError):
    """E-utilities could not be reached or answered nonsense after every retry."""


class DatabaseError(LitgraphError):
    """The database cannot be opened or written (locked, read-only, disk full)."""


class BuildLockedError(DatabaseError):
    """Another litgraph build holds the lock on this database."""


class PermanentEntrezError(EntrezError):
    """E-utilities refused the request itself (a 4xx, an invalid query, an unknown database):
    asking again will not help, so it is not retried."""


class ReplyShapeError(EntrezError):
    """A reply that parses but is not the document asked for (another root element), or that
    declares entities litgraph refuses to expand."""
