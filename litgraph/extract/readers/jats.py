"""JATS / NLM XML (``.xml``, ``.nxml``) -> blocks, with lxml in its safe mode.

No DTD is loaded, no entity expanded, nothing fetched from the network.
``<sec>/<title>`` are headings (level = depth), ``<p>`` paragraphs, ``<list-item>``
items, each ``<ref>`` of a ``<ref-list>`` one entry (its ``id`` the anchor,
``<label>`` its number), with the identifiers its ``<pub-id>`` elements state
and the fields an ``<element-citation>`` tags.  ``<xref ref-type="bibr" rid="B3">``
becomes the marker ``[#B3]``; ``<fn>`` notes become footnote blocks.
"""

import re

from lxml import etree

from ...errors import UnreadableDocumentError
from ..blocks import Block, BlockDocument, Link

PUB_IDS = {"pmid": "pmid", "doi": "doi", "pmcid": "pmcid", "pmc": "pmcid", "isbn": "isbn"}
INLINE_SKIP = {"xref", "fn", "table-wrap", "fig", "ref-list", "sec", "list", "disp-formula"}


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element, block=None):
    """Inline text of an element, xrefs written as markers, nested blocks left out."""
    out = [element.text or ""]
    for child in element:
        name = _local(child.tag)
        if name == "xref":
            kind = child.get("ref-type")
            rids = (child.get("rid") or "").split()
            if kind in ("bibr", "fn") and rids:
                out.append("".join(f"[#{rid}]" for rid in rids))
            else:
                out.append(_text(child, block))
        elif name in ("fn", "table-wrap", "fig", "list", "disp-formula", "sec"):
            pass
        elif name == "sup":
            text = _text(child, block)
            if block is not None:
                block.superscripts.append(text)
            out.append(f"[{text}]" if re.fullmatch(r"\d{1,5}(?:[,\u2013-]\d{1,5})*", text) else text)
        elif name in ("ext-link", "uri") and block is not None:
            target = child.get("{http://www.w3.org/1999/xlink}href") or "".join(child.itertext())
            block.links.append(Link("".join(child.itertext()), target))
            out.append(_text(child, block))
        elif name in ("name", "string-name"):
            out.append(" ".join(" ".join(child.itertext()).split()))
        elif name == "pub-id":
            out.append(" " + "".join(child.itertext()) + " ")
        else:
            out.append(_text(child, block))
        out.append(child.tail or "")
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _citation_fields(citation):
    """Fields an element-citation or mixed-citation tags explicitly."""
    fields = {}
    for pub_id in citation.iter("{*}pub-id", "pub-id"):
        name = PUB_IDS.get((pub_id.get("pub-id-type") or "").lower())
        if name and (pub_id.text or "").strip():
            fields.setdefault(name, pub_id.text.strip())
    authors = []
    for name in citation.iter("{*}name", "name"):
        surname = "".join(x for s in name.iter("{*}surname", "surname") for x in s.itertext())
        given = "".join(x for g in name.iter("{*}given-names", "given-names") for x in g.itertext())
        if surname.strip():
            initials = given.strip() if re.fullmatch(r"[A-Z]{1,4}", given.strip()) else \
                "".join(w[0] for w in re.split(r"[\s.-]+", given) if w[:1].isalpha()).upper()
            authors.append(f"{surname.strip()} {initials}".strip())
    for collab in citation.iter("{*}collab", "collab"):
        authors.append(" ".join("".join(collab.itertext()).split()))
    if authors:
        fields["authors"] = authors
    for tag, key in (("article-title", "title"), ("source", "journal"), ("volume", "volume"),
                     ("issue", "issue"), ("publisher-name", "publisher")):
        found = next(iter(citation.iter("{*}" + tag, tag)), None)
        if found is not None and "".join(found.itertext()).strip():
            fields[key] = " ".join("".join(found.itertext()).split()).rstrip(".")
    year = next(iter(citation.iter("{*}year", "year")), None)
    if year is not None:
        match = re.match(r"\s*(\d{4})([a-z]?)", "".join(year.itertext()))
        if match:
            fields["year"] = int(match.group(1))
            if match.group(2):
                fields["year_suffix"] = match.group(2)
    first = next(iter(citation.iter("{*}fpage", "fpage")), None)
    last = next(iter(citation.iter("{*}lpage", "lpage")), None)
    if first is not None and (first.text or "").strip():
        fields["pages"] = first.text.strip() + (f"-{last.text.strip()}" if last is not None
                                                and (last.text or "").strip() else "")
    return fields


def _ref_block(ref):
    label = next(iter(ref.iter("{*}label", "label")), None)
    label_text = "".join(label.itertext()).strip().strip("[].") if label is not None else ""
    citation = next((c for c in ref.iter("{*}mixed-citation", "mixed-citation",
                                         "{*}element-citation", "element-citation",
                                         "{*}nlm-citation", "nlm-citation")), ref)
    block = Block("item", "", ref.sourceline or 1, anchor=ref.get("id"),
                  number=int(label_text) if label_text.isdigit() else None,
                  label=label_text or None, section_hint="references")
    fields = _citation_fields(citation)
    if _local(citation.tag) == "element-citation":
        block.text = _compose(fields)
    else:
        block.text = _text(citation, block)
    block.fields = fields  # what the tags state outright
    return block


def _compose(fields):
    """A Vancouver-like text for an element-citation (its raw form for people)."""
    parts = [", ".join(fields.get("authors", [])), fields.get("title"), fields.get("journal")]
    text = ". ".join(p for p in parts if p) + "."
    if fields.get("year"):
        text += f" {fields['year']}"
        if fields.get("volume"):
            text += f";{fields['volume']}"
        if fields.get("issue"):
            text += f"({fields['issue']})"
        if fields.get("pages"):
            text += f":{fields['pages']}"
        text += "."
    for name in ("doi", "pmid", "pmcid"):
        if fields.get(name):
            text += f" {name.upper() if name != 'doi' else 'doi'}: {fields[name]}."
    return text


def _walk(element, blocks, depth, in_back=False):
    for child in element:
        name = _local(child.tag)
        line = child.sourceline or 1
        if name == "sec" or name == "app" or name == "ack":
            _walk(child, blocks, depth + 1, in_back)
        elif name == "title" and depth > 0:
            blocks.append(Block("heading", _text(child), line, level=depth))
        elif name == "p":
            block = Block("paragraph", "", line)
            block.text = _text(child, block)
            if block.text:
                blocks.append(block)
            _walk_nested(child, blocks, depth, in_back)
        elif name == "list":
            for number, item in enumerate(child.iter("{*}list-item", "list-item"), start=1):
                block = Block("item", "", item.sourceline or line, number=number)
                block.text = " ".join(_text(p, block) for p in item if _local(p.tag) == "p") \
                    or _text(item, block)
                blocks.append(block)
        elif name == "ref-list":
            title = next((t for t in child if _local(t.tag) == "title"), None)
            blocks.append(Block("heading", _text(title) if title is not None else "References",
                                title.sourceline if title is not None else line, level=max(depth, 1)))
            for ref in child.iter("{*}ref", "ref"):
                blocks.append(_ref_block(ref))
        elif name == "fn-group" or name == "fn":
            for fn in ([child] if name == "fn" else child.iter("{*}fn", "fn")):
                block = Block("footnote", "", fn.sourceline or line, anchor=fn.get("id"),
                              label=fn.get("id"))
                block.text = " ".join(_text(p, block) for p in fn if _local(p.tag) == "p")
                blocks.append(block)
        elif name in ("body", "back", "front", "article-meta", "abstract", "boxed-text"):
            _walk(child, blocks, depth if name != "abstract" else depth + 1, in_back or name == "back")


def _walk_nested(paragraph, blocks, depth, in_back):
    """Lists and notes written inside a paragraph become blocks of their own."""
    nested = [c for c in paragraph if _local(c.tag) in ("list", "fn")]
    if nested:
        _walk(nested, blocks, depth, in_back)


def read(text: str, path=None) -> BlockDocument:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else "?"
        message = str(exc.msg).split(",")[0] if exc.msg else "syntax error"
        raise UnreadableDocumentError(f"{path}:{line}: malformed XML ({message})") from None
    if not isinstance(root.tag, str):
        raise UnreadableDocumentError(f"{path}: no XML root element")
    blocks = []
    title_el = next(iter(root.iter("{*}article-title", "article-title")), None)
    title = " ".join(title_el.itertext()).strip() if title_el is not None else None
    if title_el is not None and _local(title_el.getparent().tag) == "title-group":
        blocks.append(Block("heading", " ".join(title.split()), title_el.sourceline or 1, level=1))
    _walk([root] if _local(root.tag) != "article" else root, blocks, 1)
    plain = "\n\n".join(b.text for b in blocks)
    return BlockDocument([b for b in blocks if b.text], "jats",
                         title=" ".join(title.split()) if title else None, text=plain)
