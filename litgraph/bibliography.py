"""The reference set as files reference managers import: BibTeX, RIS, CSL-JSON.

``bibliography_sources(db, document=None)`` picks the sources (the whole
reference set, or the ones one document cites) and ``export_bibliography(db,
fmt, document=None)`` renders them with one of FORMATS.  Every entry carries
what the database knows and nothing more: PMID, DOI and PMC id when known;
unknown fields stay absent.  Sources a curator excluded and stale sources are
left out; unresolved and conflicting ones are kept with a note saying so.

The writers are plain string building (no parser library at run time); the
tests read every output back with bibtexparser, rispy and json.
"""

import json
import re
from typing import Optional

from .errors import InputError

_INITIALS = re.compile(r"^(?P<family>.+?)\s+(?P<initials>[A-Z]{1,4})$")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_:.\-]+")
_PAGES = re.compile(r"^\s*(?P<first>[^-\u2013\u2014\s]+)\s*[-\u2013\u2014]+\s*(?P<last>\S+)\s*$")


# ---------------------------------------------------------------- which sources

def bibliography_sources(db, document: Optional[str] = None) -> list:
    """Source rows for the bibliography, in key order.

    With ``document``, only the sources that document cites (in its reference
    list or through its claims).  Excluded and stale sources are left out.
    Raises InputError for a document the database does not hold.
    """
    where = "coalesce(excluded, 0) = 0 and coalesce(stale, 0) = 0"
    if document is None:
        return list(db.query(f"select * from sources where {where} order by id"))
    if not list(db.query("select id from documents where id = ?", [document])):
        known = ", ".join(r["id"] for r in db.query("select id from documents order by id"))
        raise InputError(f"no document {document!r} in the database (documents: {known or 'none'})")
    return list(db.query(
        f"select * from sources where {where} and id in ("
        "select source_id from citations where document_id = ? union "
        "select claim_sources.source_id from claim_sources join claims "
        "on claims.id = claim_sources.claim_id where claims.document_id = ?) order by id",
        [document, document]))


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


def split_name(name: str) -> dict:
    """PubMed's ``Miller JS`` -> family Miller, given J. S.; ``Last, First`` as written;
    anything else (a working group) stays one literal name."""
    if "," in name:
        family, _, given = name.partition(",")
        return {"family": family.strip(), "given": given.strip()}
    match = _INITIALS.match(name)
    if match:
        given = " ".join(f"{letter}." for letter in match["initials"])
        return {"family": match["family"], "given": given}
    return {"literal": name}


def split_pages(pages) -> tuple:
    """``238-42`` -> ("238", "42"); ``e42`` -> ("e42", None).  No expansion of short ranges."""
    if not pages:
        return None, None
    match = _PAGES.match(str(pages))
    if match:
        return match["first"], match["last"]
    return str(pages).strip(), None


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
    return row.get("title") or row.get("cited_as")


def _note(row) -> Optional[str]:
    status = row.get("status")
    parts = []
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
        return "{" + _bibtex_text(parts["literal"]) + "}"
    return _bibtex_text(f"{parts['family']}, {parts['given']}" if parts["given"] else parts["family"])


def render_bibtex(rows) -> str:
    """BibTeX entries, one per source; title case protected with double braces."""
    entries = []
    for row, key in zip(rows, _citation_keys(rows)):
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
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        entries.append(f"@{_BIBTEX_TYPES[kind]}{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


# ---------------------------------------------------------------- RIS

_RIS_TYPES = {"article": "JOUR", "book": "BOOK", "website": "ELEC", "conference": "CONF",
              "other": "GEN"}


def _ris_text(text) -> str:
    return " ".join(str(text).split())


def render_ris(rows) -> str:
    """RIS records (EndNote, Zotero): PMID in AN, DOI in DO, PMC id in C2."""
    records = []
    for row in rows:
        kind = _entry_kind(row)
        lines = [("TY", _RIS_TYPES[kind]), ("ID", row["id"])]
        for name in source_authors(row.get("authors")):
            parts = split_name(name)
            lines.append(("AU", parts.get("literal") or
                          (f"{parts['family']}, {parts['given']}" if parts["given"] else parts["family"])))
        if _title(row):
            lines.append(("TI", _title(row)))
        if row.get("journal"):
            lines.append(("PB" if kind == "book" else "T2", row["journal"]))
        for tag, column in (("PY", "year"), ("VL", "volume"), ("IS", "issue")):
            if row.get(column) not in (None, ""):
                lines.append((tag, row[column]))
        first, last = split_pages(row.get("pages"))
        if first:
            lines.append(("SP", first))
        if last:
            lines.append(("EP", last))
        for tag, column in (("DO", "doi"), ("AN", "pmid"), ("C2", "pmcid")):
            if row.get(column):
                lines.append((tag, row[column]))
        if _note(row):
            lines.append(("N1", _note(row)))
        lines.append(("ER", ""))
        records.append("\n".join(f"{tag}  - {_ris_text(value)}".rstrip() if tag != "ER" else "ER  - "
                                 for tag, value in lines))
    return "\n\n".join(records) + ("\n" if records else "")


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
        for name, column in (("volume", "volume"), ("issue", "issue"), ("page", "pages"),
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
