"""The reference set as files reference managers import: BibTeX, RIS, CSL-JSON.

``bibliography_sources(db, document=None)`` picks the sources (the whole
reference set, or the ones one document cites) and ``export_bibliography(db,
fmt, document=None)`` renders them with one of FORMATS.  Every entry carries
what the database knows and nothing more: PMID, DOI and PMC id when known;
unknown fields stay absent.  Sources a curator excluded and stale sources are
left out; unresolved and conflicting ones are kept with a note saying so, and so is a
source whose record is another work (identity mismatch), without that record's fields.

BibTeX is written with bibtexparser and RIS with rispy (the libraries the
tests read them back with); CSL-JSON with json.  Titles and citation strings
that are not citation data (a link's text, a tool's label, a bare journal
citation where a title should be: litgraph.plausible) are left out, short page
ranges are written in full (384-9 as 384-389), people's names are split into
family and given names and a group's name is marked as one literal name.
"""

import json
import re
from typing import Optional

from .errors import InputError
from .findings import finding_rows
from .plausible import plausible_citation, plausible_title

_INITIALS = re.compile(r"^(?P<family>.+?)\s+(?P<initials>[A-Z]{1,4})$")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.\-]+")
_PAGES = re.compile(r"^\s*(?P<first>[^-\u2013\u2014\s]+)\s*[-\u2013\u2014]+\s*(?P<last>\S+)\s*$")


# ---------------------------------------------------------------- which sources

def bibliography_sources(db, document: Optional[str] = None) -> list:
    """Source rows for the bibliography, in key order.

    With ``document``, only the sources that document cites (in its reference
    list or through its claims), and for a rewrite the sources its sentences
    inherit from the claims they restate.  Excluded and stale sources are left out.
    Raises InputError for a document the database does not hold.
    """
    where = "coalesce(excluded, 0) = 0 and coalesce(stale, 0) = 0"
    if document is None:
        return [_as_cited(row)
                for row in db.query(f"select * from sources where {where} order by id")]
    if not list(db.query("select id from documents where id = ?", [document])):
        known = ", ".join(r["id"] for r in db.query("select id from documents order by id"))
        raise InputError(f"no document {document!r} in the database (documents: {known or 'none'})")
    cited = {r["source_id"] for r in db.query(
        "select source_id from citations where document_id = ?", [document])}
    cited |= {r["source_id"] for r in finding_rows(
        db, "claim_evidence", "join claims on claims.id = claim_evidence.claim_id "
        "where claims.document_id = ?", [document], columns="claim_evidence.source_id")}
    return [_as_cited(row)
            for row in db.query(f"select * from sources where {where} order by id")
            if row["id"] in cited]


# What the record of a source says about the work; not exported for a source whose record is
# another work (an identity mismatch).
RECORD_COLUMNS = ("title", "authors", "journal", "year", "volume", "issue", "pages", "doi",
                  "pmid", "pmcid", "publication_types", "retracted", "errata")


def _as_cited(row) -> dict:
    """``row``, or for an identity mismatch the row without its record's fields: the
    identifier the document states is another work's, and a reference manager given that
    work's title and PMID under this key would hold the wrong paper (the note says why)."""
    if row.get("identity") != "mismatch":
        return row
    return {**row, **dict.fromkeys(RECORD_COLUMNS)}


def export_bibliography(db, fmt: str, document: Optional[str] = None) -> str:
    """The bibliography in ``fmt`` (bibtex, ris or csljson) as one string."""
    if fmt not in FORMATS:
        raise InputError(f"unknown bibliography format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt](bibliography_sources(db, document))


# ---------------------------------------------------------------- shared pieces

def source_authors(value) -> list:
    """Authors as stored (a JSON list, or text separated by ';' or ','), as a list of names."""
    if not value:
        return []
    if isinstance(value, list):
        names = value
    else:
        try:
            names = json.loads(value)
        except (TypeError, ValueError):
            names = re.split(r"\s*;\s*", value) if ";" in value else re.split(r",\s*", value)
        if not isinstance(names, list):
            names = [names]
    out = []
    for name in names:
        if isinstance(name, dict):
            family = name.get("LastName") or name.get("family")
            given = name.get("ForeName") or name.get("given") or name.get("Initials")
            literal = name.get("CollectiveName") or name.get("literal")
            name = literal or ", ".join(p for p in (family, given) if p)
        name = " ".join(str(name).split())
        if name:
            out.append(name)
    return out


_PARTICLES = {"van", "von", "de", "del", "della", "der", "den", "da", "di", "du", "la", "le",
              "ter", "ten", "dos", "das", "st", "st."}
_GROUP_WORDS = re.compile(
    r"\b(?:group|committee|consortium|network|society|association|collaborat\w*|investigators|"
    r"working|organi[sz]ation|institute|council|panel|team|study|trial|foundation|cent(?:er|re)|"
    r"agency|board|college|federation|alliance|department|ministry|program(?:me)?|project|"
    r"registry|services?|guidelines?|writing)\b", re.IGNORECASE)
_GIVEN_WORD = re.compile(r"^(?:[A-Z][a-z\u00e0-\u024f'\-]+|(?:[A-Z]\.(?:-?[A-Z]\.)*))$")


def is_group_name(name: str) -> bool:
    """A working group, society, committee or acronym (NCCN) rather than a person."""
    words = name.split()
    if _GROUP_WORDS.search(name):
        return True
    if len(words) == 1 and len(name) >= 2 and name.isupper() and name.isalpha():
        return True  # an acronym: NCCN, WHO
    return len(words) > 5


def split_name(name: str) -> dict:
    """A person's name as family and given names; a group's as one literal name.

    PubMed's ``Miller JS`` -> family Miller, given J. S. (``Lavengood RW Jr``: suffix Jr,
    as CSL names it); ``Last, First`` as written; ``Robert Grimer`` and ``Albert N. Van
    Geel`` (given names first) -> family Grimer / Van Geel; a working group, society or
    acronym stays one literal name.
    """
    from .identity import without_suffix

    name = " ".join(str(name).split())
    if is_group_name(name):
        return {"literal": name}
    if "," in name:
        family, _, given = name.partition(",")
        return {"family": family.strip(), "given": given.strip()}
    name, suffix = without_suffix(name)
    match = _INITIALS.match(name)
    if match:
        given = " ".join(f"{letter}." for letter in match["initials"])
        parts = {"family": match["family"], "given": given}
        return {**parts, "suffix": suffix} if suffix else parts
    words = name.split()
    if len(words) >= 2 and all(_GIVEN_WORD.match(w) or w.lower() in _PARTICLES for w in words):
        start = len(words) - 1
        for i in range(1, len(words) - 1):
            if words[i].lower() in _PARTICLES:
                start = i
                break
        return {"family": " ".join(words[start:]), "given": " ".join(words[:start])}
    if len(words) == 1:
        return {"family": name, "given": ""}
    return {"literal": name}


def split_pages(pages) -> tuple:
    """First and last page, the last written in full: ``384-9`` -> ("384", "389"),
    ``1209-14`` -> ("1209", "1214"), ``e42`` -> ("e42", None)."""
    if not pages:
        return None, None
    match = _PAGES.match(str(pages))
    if not match:
        return str(pages).strip(), None
    first, last = match["first"], match["last"]
    head = re.match(r"^(?P<prefix>[A-Za-z]*)(?P<digits>\d+)$", first)
    tail = re.match(r"^(?P<prefix>[A-Za-z]*)(?P<digits>\d+)$", last)
    if head and tail and tail["prefix"] in ("", head["prefix"]) \
            and len(tail["digits"]) < len(head["digits"]):
        full = head["digits"][:len(head["digits"]) - len(tail["digits"])] + tail["digits"]
        if int(full) >= int(head["digits"]):
            last = head["prefix"] + full
    elif head and tail and not tail["prefix"] and head["prefix"]:
        last = head["prefix"] + tail["digits"]
    return first, last


def page_range(pages) -> Optional[str]:
    """The pages as ``first-last`` in full (or the single page)."""
    first, last = split_pages(pages)
    if not first:
        return None
    return f"{first}-{last}" if last else first


def _entry_kind(row) -> str:
    kind = (row.get("kind") or "").lower()
    if kind in ("book", "book-chapter", "chapter"):
        return "book"
    if kind in ("website", "webpage", "web"):
        return "website"
    if kind.startswith("conference"):
        return "conference"
    if row.get("journal"):
        return "article"
    return "other"


def _title(row) -> Optional[str]:
    """The work's title, or for a source without one the reference as cited when it reads
    as a title; never text that is not citation data (litgraph.plausible)."""
    return plausible_title(row.get("title")) or (
        None if row.get("title") else plausible_title(row.get("cited_as")))


def _note(row) -> Optional[str]:
    status = row.get("status")
    parts = []
    cited_as = plausible_citation(row.get("cited_as"))
    mismatch = row.get("identity") == "mismatch"
    if cited_as and not _title(row) and (status in ("unresolved", "conflict") or mismatch):
        parts.append(f"cited as: {cited_as}")
    if mismatch:
        parts.append("litgraph: identity mismatch, the identifier stated is another work's"
                     + (f" ({row['identity_reason']})" if row.get("identity_reason") else ""))
    if status in ("unresolved", "conflict"):
        parts.append(f"litgraph: {status}" + (f" ({row['status_reason']})" if row.get("status_reason")
                                              else ""))
    if row.get("retracted"):
        parts.append("litgraph: retracted (PubMed)")
    if row.get("evidence_level") is not None:
        parts.append(f"litgraph evidence level {row['evidence_level']}"
                     + (f" ({row['evidence_basis']})" if row.get("evidence_basis") else ""))
    return "; ".join(parts) or None


def _citation_keys(rows) -> list:
    """BibTeX-safe keys, unique, derived from the references.yaml keys."""
    keys, used = [], set()
    for row in rows:
        base = _KEY_UNSAFE.sub("-", row["id"]).strip("-") or "source"
        key, n = base, 2
        while key.lower() in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key.lower())
        keys.append(key)
    return keys


# ---------------------------------------------------------------- BibTeX

_BIBTEX_TYPES = {"article": "article", "book": "book", "website": "misc", "conference": "inproceedings",
                 "other": "misc"}
_BIBTEX_SPECIAL = re.compile(r"([&%$#_{}])")


def _bibtex_text(text) -> str:
    text = " ".join(str(text).split()).replace("\\", "\\textbackslash{}")
    return _BIBTEX_SPECIAL.sub(r"\\\1", text).replace("~", "\\textasciitilde{}").replace(
        "^", "\\textasciicircum{}")


def _bibtex_identifier(value) -> str:
    return "".join(ch for ch in str(value) if ch not in "{}\\")


def _bibtex_author(name: str) -> str:
    parts = split_name(name)
    if "literal" in parts:
        return "{" + _bibtex_text(parts["literal"]) + "}"  # one name, never split
    if parts.get("suffix"):  # BibTeX's "von Last, Jr, First"
        return _bibtex_text(f"{parts['family']}, {parts['suffix']}, {parts['given']}")
    return _bibtex_text(f"{parts['family']}, {parts['given']}" if parts["given"] else parts["family"])


def bibtex_entry(row, key: str):
    """One source as a bibtexparser Entry (fields already BibTeX-escaped)."""
    from bibtexparser.model import Entry, Field

    kind = _entry_kind(row)
    fields = []
    authors = source_authors(row.get("authors"))
    if authors:
        fields.append(("author", " and ".join(_bibtex_author(a) for a in authors)))
    if _title(row):
        fields.append(("title", "{" + _bibtex_text(_title(row)) + "}"))
    if row.get("journal"):
        container = "booktitle" if kind == "conference" else (
            "publisher" if kind == "book" else "journal")
        fields.append((container, _bibtex_text(row["journal"])))
    for name, column in (("year", "year"), ("volume", "volume"), ("number", "issue")):
        if row.get(column) not in (None, ""):
            fields.append((name, _bibtex_text(row[column])))
    first, last = split_pages(row.get("pages"))
    if first:
        fields.append(("pages", _bibtex_text(f"{first}--{last}" if last else first)))
    for name in ("doi", "pmid", "pmcid"):
        if row.get(name):
            fields.append((name, _bibtex_identifier(row[name])))
    if _note(row):
        fields.append(("note", _bibtex_text(_note(row))))
    return Entry(_BIBTEX_TYPES[kind], key, [Field(name, value) for name, value in fields])


def render_bibtex(rows) -> str:
    """BibTeX entries, one per source, written by bibtexparser; title case protected with
    double braces, a group's name braced as one author."""
    import bibtexparser
    from bibtexparser.middlewares import AddEnclosingMiddleware

    library = bibtexparser.Library([bibtex_entry(row, key)
                                    for row, key in zip(rows, _citation_keys(rows))])
    if not rows:
        return ""
    enclose = AddEnclosingMiddleware(reuse_previous_enclosing=False, enclose_integers=True,
                                     default_enclosing="{")
    return bibtexparser.write_string(library, unparse_stack=[enclose])


# ---------------------------------------------------------------- RIS

_RIS_TYPES = {"article": "JOUR", "book": "BOOK", "website": "ELEC", "conference": "CONF",
              "other": "GEN"}


def _ris_text(text) -> str:
    return " ".join(str(text).split())


def ris_record(row) -> dict:
    """One source as a rispy record: a person as ``Family, Given``, a group's name with no
    comma (read as one name); PMID in AN, DOI in DO, PMC id in C2."""
    kind = _entry_kind(row)
    record = {"type_of_reference": _RIS_TYPES[kind], "id": row["id"]}
    authors = []
    for name in source_authors(row.get("authors")):
        parts = split_name(name)
        authors.append(_ris_text(parts.get("literal") or ", ".join(
            filter(None, (parts["family"], parts["given"], parts.get("suffix"))))))
    if authors:
        record["authors"] = authors
    if _title(row):
        record["title"] = _ris_text(_title(row))
    if row.get("journal"):
        record["publisher" if kind == "book" else "secondary_title"] = _ris_text(row["journal"])
    for key, column in (("year", "year"), ("volume", "volume"), ("number", "issue")):
        if row.get(column) not in (None, ""):
            record[key] = _ris_text(row[column])
    first, last = split_pages(row.get("pages"))
    if first:
        record["start_page"] = first
    if last:
        record["end_page"] = last
    for key, column in (("doi", "doi"), ("accession_number", "pmid"), ("custom2", "pmcid")):
        if row.get(column):
            record[key] = _ris_text(row[column])
    if _note(row):
        record["notes"] = [_ris_text(_note(row))]
    return record


def render_ris(rows) -> str:
    """RIS records (EndNote, Zotero), written by rispy without its numbered headers."""
    import rispy

    class Writer(rispy.RisWriter):
        def set_header(self, count):
            return ""  # rispy's documented way to leave the "1." lines out

    if not rows:
        return ""
    return rispy.dumps([ris_record(row) for row in rows], implementation=Writer)


# ---------------------------------------------------------------- CSL-JSON

_CSL_TYPES = {"article": "article-journal", "book": "book", "website": "webpage",
              "conference": "paper-conference", "other": "article"}


def csl_items(rows) -> list:
    """CSL-JSON items (Zotero, Pandoc, citeproc): a list of dicts, unknown fields absent."""
    items = []
    for row in rows:
        kind = _entry_kind(row)
        item = {"id": row["id"], "type": _CSL_TYPES[kind]}
        authors = [split_name(name) for name in source_authors(row.get("authors"))]
        if authors:
            item["author"] = authors
        if _title(row):
            item["title"] = _title(row)
        if row.get("journal"):
            item["publisher" if kind == "book" else "container-title"] = row["journal"]
        if row.get("year"):
            item["issued"] = {"date-parts": [[int(row["year"])]]}
        if page_range(row.get("pages")):
            item["page"] = page_range(row.get("pages"))
        for name, column in (("volume", "volume"), ("issue", "issue"),
                             ("DOI", "doi"), ("PMID", "pmid"), ("PMCID", "pmcid")):
            if row.get(column) not in (None, ""):
                item[name] = str(row[column])
        if _note(row):
            item["note"] = _note(row)
        items.append(item)
    return items


def render_csljson(rows) -> str:
    return json.dumps(csl_items(rows), indent=2, ensure_ascii=False) + "\n"


FORMATS = {"bibtex": render_bibtex, "ris": render_ris, "csljson": render_csljson}
