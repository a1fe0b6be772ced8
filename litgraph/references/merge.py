"""Merge extracted references into references.yaml's round-trip mapping.

Used by ``references.update_from_documents``.  Keys are stable: an extracted
reference is matched to an existing source by PMID, DOI or PMC id, then by its
journal citation, then by its normalised title, then by the exact words it was
seen in before; only an unmatched work gets a new key.
"""

import bisect
import os
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..extract.fields import slug, surname

SOURCE_FIELDS = ("pmid", "doi", "pmcid", "title", "authors", "journal", "year", "volume",
                 "issue", "pages", "isbn", "url", "publisher", "kind")
CLAIM_CURATOR_FIELDS = ("note", "level", "exclude")
ID_FIELDS = ("pmid", "doi", "pmcid")


# ---------------------------------------------------------------- keys and identity

def source_key(fields: dict, taken) -> str:
    """A stable, readable key: ``miller-2010``, ``mod-pathol-2021-34-758``, ``pmid-11283938``."""
    base = None
    authors = fields.get("authors") or []
    if authors:
        name = surname(authors[0]) or authors[0]
        base = slug(name, max_words=3)
        if base:
            if fields.get("year"):
                base = f"{base}-{fields['year']}"
            elif fields.get("kind") == "guideline":
                base = f"{base}-guidelines"
    if not base and fields.get("journal") and fields.get("year"):
        first_page = str(fields.get("pages") or "").split("-")[0]
        base = slug(" ".join(str(p) for p in (fields["journal"], fields["year"],
                                                fields.get("volume") or "", first_page) if p),
                    max_words=10)
    if not base:
        for name in ("pmid", "pmcid", "doi"):
            if fields.get(name):
                base = slug(f"{name} {fields[name]}", max_words=8)
                break
    if not base and fields.get("title"):
        base = slug(fields["title"], max_words=4)
    base = base or "source"
    key, suffix = base, ord("b")
    while key in taken:
        key = f"{base}-{chr(suffix)}" if suffix <= ord("z") else f"{base}-{suffix}"
        suffix += 1
    return key


def identities(fields: dict) -> list:
    """The ways two references can be the same work, strongest first."""
    out = []
    for name in ("pmid", "doi", "pmcid"):
        value = fields.get(name)
        if value:
            out.append(f"{name}:{str(value).lower()}")
    if fields.get("journal") and fields.get("year") and (fields.get("volume") or fields.get("pages")):
        first_page = str(fields.get("pages") or "").replace("\u2013", "-").split("-")[0]
        out.append("cite:" + slug(f"{fields['journal']} {fields['year']} "
                                  f"{fields.get('volume') or ''} {first_page}", max_words=20))
    if fields.get("title") and len(str(fields["title"]).split()) >= 3:
        out.append("title:" + slug(fields["title"], max_words=40))
    authors = fields.get("authors") or []
    vague = not any(fields.get(n) for n in ("pmid", "doi", "pmcid", "volume", "pages"))
    if authors and vague and (fields.get("year") or fields.get("journal")):
        # an abstract, a guideline: the first author, year and venue are all there is
        out.append("work:" + slug(f"{surname(authors[0]) or authors[0]} {fields.get('year') or ''} "
                                  f"{fields.get('journal') or fields.get('kind') or ''}",
                                  max_words=20))
    return out


def compatible(one: dict, other: dict) -> bool:
    """False when two works state different PMIDs, DOIs or PMC ids."""
    return all(not one.get(n) or not other.get(n) or str(one[n]).lower() == str(other[n]).lower()
               for n in ID_FIELDS)


def _sighting_identity(document, raw):
    """The same words at the same place name the same source again (re-runs)."""
    return f"seen:{document}:{slug(raw, max_words=60)}"


def _group_references(extracted_documents):
    """Union the references of all documents into works; returns [list of references]."""
    refs = [ref for doc in extracted_documents for ref in doc.references]
    parent = list(range(len(refs)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    ids = [{n: v for n, v in ref.fields().items() if n in ID_FIELDS} for ref in refs]
    seen = {}
    for index, ref in enumerate(refs):
        fields = {**ref.fields(), "kind": ref.kind}
        for ident in identities(fields):
            if ident not in seen:
                seen[ident] = index
                continue
            a, b = find(index), find(seen[ident])
            if a != b and compatible(ids[a], ids[b]):  # two PMIDs are two works
                parent[a] = b
                ids[b] = {**ids[a], **ids[b]}
    groups = {}
    for index, ref in enumerate(refs):
        groups.setdefault(find(index), []).append(ref)
    return list(groups.values())


def _section(data, name):
    if data.get(name) is None:
        data[name] = CommentedMap()
    return data[name]


def _insert_sorted(mapping, key, value, sort_key=lambda k: k):
    """Insert a new key where sorting puts it, without moving existing entries: before the
    first key that sorts after it."""
    wanted = sort_key(str(key))
    position = next((i for i, existing in enumerate(mapping) if sort_key(str(existing)) > wanted),
                    len(mapping))
    mapping.insert(position, key, value)


def _place_sorted(mapping, new_keys, sort_key=lambda k: k) -> None:
    """Move ``new_keys`` (appended to ``mapping`` in this order) to where inserting them one by
    one with ``_insert_sorted`` would have put them, in one pass.

    Each goes before the first older key that sorts after it; new keys sharing that place
    are sorted among themselves (stably), as one-by-one insertion leaves them.
    """
    if not new_keys:
        return
    new = set(new_keys)
    older = [k for k in mapping if k not in new]
    order = [sort_key(str(k)) for k in older]
    ascending = all(a <= b for a, b in zip(order, order[1:]))
    places = {}
    for key in new_keys:
        wanted = sort_key(str(key))
        if ascending:
            place = bisect.bisect_right(order, wanted)
        else:
            place = next((i for i, o in enumerate(order) if o > wanted), len(order))
        places.setdefault(place, []).append(key)
    final = []
    for place, key in enumerate(older + [None]):
        final.extend(sorted(places.get(place, ()), key=lambda k: sort_key(str(k))))
        if key is not None:
            final.append(key)
    for key in final:
        mapping.move_to_end(key)


def _claim_sort_key(key):
    document, _, number = key.rpartition(":")
    return (document, int(number) if number.isdigit() else 0, number)


def _set(entry, name, value):
    """Set a field only when its value changes (keeps comments and layout)."""
    if value in (None, "", []):
        if name in entry:
            del entry[name]
        return
    if entry.get(name) != value:
        entry[name] = value


def _set_list(entry, name, items):
    """Set a list field, written in flow style (``[a, b]``), only when it changes."""
    if not items:
        if name in entry:
            del entry[name]
    elif list(entry.get(name) or []) != list(items):
        entry[name] = _flow(items)


def _flow(items):
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def merge_extracted(data, extracted, references_path, report):
    """Merge extracted documents into the round-trip mapping ``data`` in place."""
    documents = _section(data, "documents")
    sources = _section(data, "sources")
    claims = _section(data, "claims")
    processed = {doc.document.id for doc in extracted}
    base = Path(references_path).resolve().parent

    _merge_documents(documents, extracted, base)
    missing = _mark_missing_documents(documents, processed, base, report)
    merged = _merge_sources(sources, extracted)
    stale = _refresh_sightings(sources, documents, merged, dropped=processed | missing,
                               missing=missing)
    for doc in extracted:  # the documents that are themselves publications
        self_refs = [r for r in doc.references if r.role == "self"]
        entry = documents[doc.document.id]
        if self_refs and entry.get("source") is None:
            entry["source"] = merged.ref_keys[id(self_refs[0])]
    claim_count = sum(_merge_claims(claims, doc, merged.ref_keys) for doc in extracted)
    for doc_id in sorted(missing):
        _drop_claims(claims, doc_id)

    report.counts = {
        "documents": len(extracted),
        "references": sum(len(d.references) for d in extracted),
        "sources": len(sources),
        "new_sources": len(merged.created),
        "stale_sources": sum(1 for e in sources.values() if e and e.get("stale")),
        "missing_documents": len(missing),
        "claims": claim_count,
    }
    report.messages.extend(f"new source {key}" for key in merged.created)
    report.messages.extend(f"no document cites {key} any more: marked stale" for key in stale)


def _merge_documents(documents, extracted, base) -> None:
    """One entry per document read now: path, sha256, and title and kind unless curated."""
    for doc in extracted:
        entry = documents.get(doc.document.id)
        if entry is None:
            entry = CommentedMap()
            _insert_sorted(documents, doc.document.id, entry)
        path = Path(doc.document.path).resolve()
        try:
            shown = os.path.relpath(path, base)
        except ValueError:
            shown = str(path)
        _set(entry, "path", shown)
        for name in ("title", "kind"):
            if entry.get(name) is None and getattr(doc.document, name):
                entry[name] = getattr(doc.document, name)
        _set(entry, "sha256", doc.document.sha256)
        if "missing" in entry:
            del entry["missing"]


def _mark_missing_documents(documents, processed, base, report) -> set:
    """Documents whose file is gone (deleted, renamed): marked, never deleted."""
    missing = set()
    for doc_id, entry in documents.items():
        if str(doc_id) in processed or not isinstance(entry, dict) or not entry.get("path"):
            continue
        if entry.get("missing") or not _document_file(base, entry["path"]).exists():
            missing.add(str(doc_id))
            if not entry.get("missing"):
                entry["missing"] = True
                report.messages.append(f"document {doc_id}: {entry['path']} is gone: "
                                       "marked missing")
    return missing


@dataclass
class MergedSources:
    """What merging the references into the sources found, for the steps after it."""
    created: list = field(default_factory=list)  # keys of new sources
    ref_keys: dict = field(default_factory=dict)  # id(reference) -> source key
    sightings: dict = field(default_factory=dict)  # source key -> new sightings
    levels: dict = field(default_factory=dict)  # source key -> new declared levels


def _existing_identities(sources) -> dict:
    """Identity (identifier, fields, or the words seen at a place) -> existing source key."""
    index = {}
    for key, entry in sources.items():
        for ident in identities(dict(entry or {})):
            index.setdefault(ident, key)
        for sighting in (entry or {}).get("seen") or []:
            index.setdefault(_sighting_identity(sighting.get("document"), str(sighting.get("raw"))),
                             key)
    return index


def _merge_sources(sources, extracted) -> MergedSources:
    """Each group of references to one work joins its existing source, or makes a new one."""
    index = _existing_identities(sources)
    merged = MergedSources()
    for group in _group_references(extracted):
        group.sort(key=lambda r: (r.document, r.line))
        fields = {}
        for ref in group:
            for name, value in {**ref.fields(), "kind": ref.kind}.items():
                fields.setdefault(name, value)
        strong = identities(fields)
        split = sum(1 for i in strong if i.split(":", 1)[0] in ID_FIELDS)
        # identifiers first, then the very words seen before at that place, then the weaker
        known = strong[:split] + [_sighting_identity(s.document, s.raw)
                                  for ref in group for s in ref.sightings] + strong[split:]
        key = next((index[i] for i in known if i in index
                    and (i.startswith("seen:") or compatible(dict(sources[index[i]] or {}), fields))),
                   None)
        if key is None:
            key = source_key(fields, sources)
            sources[key] = CommentedMap()  # placed in sorted order after the loop
            merged.created.append(key)
            for ident in identities(fields):
                index.setdefault(ident, key)
        entry = sources[key]
        if entry is None:
            entry = sources[key] = CommentedMap()
        for name in SOURCE_FIELDS:
            value = fields.get(name)
            if value in (None, "", []) or entry.get(name) not in (None, "", []):
                continue
            entry[name] = _flow(list(value)) if name == "authors" else value
        if entry.get("cited_as") is None:
            entry["cited_as"] = group[0].raw
        for ref in group:
            merged.ref_keys[id(ref)] = key
            merged.sightings.setdefault(key, []).extend(ref.sightings)
            merged.levels.setdefault(key, []).extend(ref.declared_levels)
    _place_sorted(sources, merged.created)
    return merged


def _refresh_sightings(sources, documents, merged, dropped, missing) -> list:
    """Sightings and declared levels of the documents read now replaced, those of missing
    documents dropped; a source no document cites any more is marked stale (returned)."""
    document_sources = {str(e.get("source")) for k, e in documents.items()
                        if e and e.get("source") and str(k) not in missing}
    stale = []
    had_sightings = {k: bool((e or {}).get("seen")) for k, e in sources.items()}
    for key, entry in sources.items():
        if entry is None:
            entry = sources[key] = CommentedMap()
        kept = [dict(s) for s in entry.get("seen") or [] if str(s.get("document")) not in dropped]
        seen = kept + [_sighting_map(s) for s in merged.sightings.get(key, [])]
        seen.sort(key=lambda s: (str(s["document"]), int(s.get("line") or 0)))
        _replace_list(entry, "seen", seen)
        levels = [dict(d) for d in entry.get("declared_levels") or []
                  if str(d.get("document")) not in dropped]
        levels += [_level_map(d) for d in merged.levels.get(key, [])]
        levels.sort(key=lambda d: (str(d["document"]), int(d.get("line") or 0)))
        _replace_list(entry, "declared_levels", levels)
        if seen or key in document_sources:
            if "stale" in entry:
                del entry["stale"]
        elif had_sightings.get(key) and not entry.get("stale"):
            entry["stale"] = True  # cited before, by no document now: marked, never deleted
            stale.append(key)
    return stale


def _document_file(base, shown):
    path = Path(str(shown))
    return path if path.is_absolute() else base / path


def _drop_claims(claims, doc_id):
    """The claims of a missing document: removed, or marked stale if a curator annotated them."""
    for key in [k for k in claims.keys() if str(k).startswith(f"{doc_id}:")]:
        entry = claims[key]
        if entry and any(f in entry for f in CLAIM_CURATOR_FIELDS):
            if not entry.get("stale"):
                entry["stale"] = True
        else:
            del claims[key]


def _sighting_map(sighting):
    out = {"document": sighting.document, "line": sighting.line}
    if sighting.label:
        out["label"] = sighting.label
    out["raw"] = sighting.raw
    return out


def _level_map(level):
    return {"level": level.level, "label": level.label, "scheme": level.scheme,
            "document": level.document, "line": level.line}


LIST_ITEM_FIELDS = ("document", "line", "label", "raw", "level", "scheme")  # written by extract


def _replace_list(entry, name, items):
    """Set a list of sightings or declared levels, keeping the item maps already there.

    An existing item (same document and words, else same document and line) is
    updated in place, so fields a curator added to it (``checked: yes``) and
    its comments stay.
    """
    current = list(entry.get(name) or [])
    if [dict(i) for i in current] == items:
        return
    if not items:
        if name in entry:
            del entry[name]
        return
    unused = [i for i in current if isinstance(i, CommentedMap)]
    chosen = [None] * len(items)
    for same in (("document", "raw", "label", "level"), ("document", "line")):
        for n, item in enumerate(items):
            if chosen[n] is None:
                match = next((old for old in unused
                              if all(old.get(f) == item.get(f) for f in same)), None)
                if match is not None:
                    unused.remove(match)
                    chosen[n] = match
    seq = CommentedSeq()
    for item, old in zip(items, chosen):
        if old is None:
            old = CommentedMap(item)
        for field_name in LIST_ITEM_FIELDS:
            if field_name in old and field_name not in item:
                del old[field_name]
        for field_name, value in item.items():
            if old.get(field_name) != value:
                old[field_name] = value
        seq.append(old)
    entry[name] = seq


def _merge_claims(claims, doc, ref_keys) -> int:
    """Rewrite the claims of one document, carrying curator fields over by text.

    A curated claim (with a note, level or exclude) whose sentence is gone is
    kept, marked ``stale: true``, never dropped.
    """
    doc_id = doc.document.id
    prefix = f"{doc_id}:"
    old = {str(k): v for k, v in claims.items() if str(k).startswith(prefix)}
    curated = {}  # text -> (old key, curator fields)
    for key, entry in old.items():
        if entry and not entry.get("stale") and any(f in entry for f in CLAIM_CURATOR_FIELDS):
            curated[str(entry.get("text"))] = (key, {f: entry[f] for f in CLAIM_CURATOR_FIELDS
                                                     if f in entry})
    new_keys = set()
    created = []  # placed in sorted order after the loop, in one pass
    for claim in doc.claims:
        key = f"{doc_id}:{claim.number}"
        new_keys.add(key)
        entry = claims.get(key)
        if entry is None:
            entry = claims[key] = CommentedMap()
            created.append(key)
        _old_key, keep = curated.pop(claim.text, (None, {}))
        for name in CLAIM_CURATOR_FIELDS:
            if name in entry and name not in keep:
                del entry[name]
        _set(entry, "document", doc_id)
        _set(entry, "section", claim.section)
        _set(entry, "line", claim.line)
        _set(entry, "text", claim.text)
        _set_list(entry, "sources",
                  list(dict.fromkeys(ref_keys[id(doc.references[i])] for i in claim.references)))
        _set_list(entry, "markers_without_entry", claim.unnamed_markers)
        _set(entry, "declared_level", claim.level)
        _set(entry, "declared_as", claim.level_label)
        for name, value in keep.items():
            if entry.get(name) != value:
                entry[name] = value
        if "stale" in entry:
            del entry["stale"]
    _place_sorted(claims, created, _claim_sort_key)
    for key in old:
        if key not in new_keys and not (claims[key] or {}).get("stale"):
            del claims[key]
    for text, (old_key, keep) in curated.items():
        key = old_key
        if key in new_keys:  # its number now belongs to another sentence
            key, n = f"{old_key}-stale", 2
            while key in claims:  # never overwrite an earlier stale claim's notes
                key, n = f"{old_key}-stale-{n}", n + 1
        entry = claims.get(key)
        if entry is None:
            entry = CommentedMap()
            _insert_sorted(claims, key, entry, _claim_sort_key)
        entry.update({"document": doc_id, "text": text, **keep, "stale": True})
    return len(doc.claims)
